// Walks the rows of a 3-D strided transfer (docs/isa.md, LOAD/STORE): row (z, y) starts at
// dram_addr + z*z_stride + y*y_stride and holds x_len elements of 2^es_log2 bytes. The load and
// store units each run two walkers over the same command: one feeds the AXI address channel, one
// follows the data beats, so neither needs a queue of per-row state.
// The parameter inputs must stay stable from start_i until the last row is taken.
module tessera_axi_rows (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        flush_i,      // abandon the walk
  input  logic        start_i,      // begin a new walk (ignored while one is active)
  input  logic [31:0] dram_addr_i,
  input  logic [15:0] x_len_i,
  input  logic [15:0] y_len_i,
  input  logic [15:0] z_len_i,
  input  logic [31:0] y_stride_i,
  input  logic [31:0] z_stride_i,
  input  logic [2:0]  es_log2_i,    // element bytes = 2^es_log2
  output logic        row_valid_o,
  input  logic        row_ready_i,
  output logic [31:0] row_addr_o,
  output logic [23:0] row_bytes_o,  // x_len * 2^es_log2 < 2^23
  output logic        row_last_o    // the last row of the walk
);

  // y_q / z_q count the rows left in the plane / the planes left after the current one, and
  // y_last_q / z_last_q are their zero tests as registers: taking a row then selects from
  // flip-flops, with no decrement-and-compare in front of the row and plane adders (on the ECP5
  // paths list at 12.8 ns, docs/fpga.md fix 39).
  logic        active_d, active_q;
  logic [15:0] y_d, y_q, z_d, z_q;
  logic        y_last_d, y_last_q, z_last_d, z_last_q;
  logic [31:0] row_d, row_q, plane_d, plane_q;

  assign row_valid_o = active_q;
  assign row_addr_o  = row_q;
  assign row_bytes_o = 24'(x_len_i) << es_log2_i;
  assign row_last_o  = y_last_q && z_last_q;

  always_comb begin
    active_d = active_q;
    y_d      = y_q;
    z_d      = z_q;
    y_last_d = y_last_q;
    z_last_d = z_last_q;
    row_d    = row_q;
    plane_d  = plane_q;
    if (flush_i) begin
      active_d = 1'b0;
    end else if (!active_q) begin
      if (start_i) begin
        active_d = 1'b1;
        y_d      = y_len_i - 16'd1;
        z_d      = z_len_i - 16'd1;
        y_last_d = (y_len_i == 16'd1);
        z_last_d = (z_len_i == 16'd1);
        row_d    = dram_addr_i;
        plane_d  = dram_addr_i;
      end
    end else if (row_ready_i) begin
      if (!y_last_q) begin
        y_d      = y_q - 16'd1;
        y_last_d = (y_q == 16'd1);
        row_d    = row_q + y_stride_i;
      end else if (!z_last_q) begin
        y_d      = y_len_i - 16'd1;
        y_last_d = (y_len_i == 16'd1);
        z_d      = z_q - 16'd1;
        z_last_d = (z_q == 16'd1);
        plane_d  = plane_q + z_stride_i;
        row_d    = plane_q + z_stride_i;
      end else begin
        active_d = 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      y_q      <= '0;
      z_q      <= '0;
      y_last_q <= 1'b0;
      z_last_q <= 1'b0;
      row_q    <= '0;
      plane_q  <= '0;
    end else begin
      active_q <= active_d;
      y_q      <= y_d;
      z_q      <= z_d;
      y_last_q <= y_last_d;
      z_last_q <= z_last_d;
      row_q    <= row_d;
      plane_q  <= plane_d;
    end
  end

endmodule
