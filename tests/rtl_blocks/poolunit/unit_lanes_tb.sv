// Test top for the block tests: tessera_pool_unit (IsAdd = 0) or tessera_add_unit (IsAdd = 1)
// with the output lanes tessera_compute_unit gives it (one tessera_out_lane per byte), behind the
// ports the unit had when it owned them.
module unit_lanes_tb #(
  parameter int unsigned IsAdd    = 0,
  parameter int unsigned ArrayDim = 16,
  parameter int unsigned AbufAw   = 12,
  parameter int unsigned ObufAw   = 11
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,
  input  logic [255:0]          cmd_i,
  input  logic                  flush_i,
  output logic                  busy_o,
  output logic                  done_o,
  output logic                  abuf_rd_en_o,
  output logic [AbufAw-1:0]     abuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0] abuf_rd_data_i,
  output logic                  obuf_wr_en_o,
  output logic [ObufAw-1:0]     obuf_wr_addr_o,
  output logic [8*ArrayDim-1:0] obuf_wr_data_o
);

  logic [32*ArrayDim-1:0] lane_x;
  logic [31:0]            lane_m;
  logic                   lane_pair;  // ADD only: the B product is added to the A product
  logic [5:0]             lane_shift;
  logic [8:0]             lane_zp, lane_cmin, lane_cmax;
  logic [8*ArrayDim-1:0]  lane_out;
  logic                   lane_vld;   // one lane per byte: nothing to select

  if (IsAdd != 0) begin : g_add
    tessera_add_unit #(
      .ArrayDim (ArrayDim),
      .AbufAw   (AbufAw),
      .ObufAw   (ObufAw)
    ) u_unit (
      .clk_i          (clk_i),
      .rst_ni         (rst_ni),
      .start_i        (start_i),
      .cmd_i          (cmd_i),
      .flush_i        (flush_i),
      .busy_o         (busy_o),
      .done_o         (done_o),
      .abuf_rd_en_o   (abuf_rd_en_o),
      .abuf_rd_addr_o (abuf_rd_addr_o),
      .abuf_rd_data_i (abuf_rd_data_i),
      .obuf_wr_en_o   (obuf_wr_en_o),
      .obuf_wr_addr_o (obuf_wr_addr_o),
      .obuf_wr_data_o (obuf_wr_data_o),
      .lane_vld_o     (lane_vld),
      .lane_x_o       (lane_x),
      .lane_m_o       (lane_m),
      .lane_pair_o    (lane_pair),
      .lane_shift_o   (lane_shift),
      .lane_zp_o      (lane_zp),
      .lane_cmin_o    (lane_cmin),
      .lane_cmax_o    (lane_cmax),
      .lane_out_i     (lane_out)
    );
  end else begin : g_pool
    tessera_pool_unit #(
      .ArrayDim (ArrayDim),
      .AbufAw   (AbufAw),
      .ObufAw   (ObufAw)
    ) u_unit (
      .clk_i          (clk_i),
      .rst_ni         (rst_ni),
      .start_i        (start_i),
      .cmd_i          (cmd_i),
      .flush_i        (flush_i),
      .busy_o         (busy_o),
      .done_o         (done_o),
      .abuf_rd_en_o   (abuf_rd_en_o),
      .abuf_rd_addr_o (abuf_rd_addr_o),
      .abuf_rd_data_i (abuf_rd_data_i),
      .obuf_wr_en_o   (obuf_wr_en_o),
      .obuf_wr_addr_o (obuf_wr_addr_o),
      .obuf_wr_data_o (obuf_wr_data_o),
      .lane_vld_o     (lane_vld),
      .lane_x_o       (lane_x),
      .lane_m_o       (lane_m),
      .lane_shift_o   (lane_shift),
      .lane_zp_o      (lane_zp),
      .lane_cmin_o    (lane_cmin),
      .lane_cmax_o    (lane_cmax),
      .lane_out_i     (lane_out)
    );
    assign lane_pair = 1'b0;
  end

  for (genvar i = 0; i < ArrayDim; i++) begin : g_lane
    tessera_out_lane u_lane (
      .clk_i   (clk_i),
      .x_i     (lane_x[32*i +: 32]),
      .m_i     (lane_m),
      .pair_i  (lane_pair),
      .shift_i (lane_shift),
      .zp_i    (lane_zp),
      .cmin_i  (lane_cmin),
      .cmax_i  (lane_cmax),
      .out_o   (lane_out[8*i +: 8])
    );
  end

  logic unused_vld;
  assign unused_vld = lane_vld;

endmodule
