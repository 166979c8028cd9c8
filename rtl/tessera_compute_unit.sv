// Compute unit (docs/architecture.md): executes CONV, POOL and ADD. CONV runs on
// tessera_conv_unit (PE array, ACC, output pipeline); POOL and ADD on their own sub-units.
// A CONV is accepted (cmd_accept_o) once its last pixel entered the array, so the next CONV can
// start while the array drains; POOL and ADD start only when the conv unit is completely idle.
// So at most one sub-unit reads ABUF or writes OBUF in a cycle, and their ports are simply
// selected by whichever drives its enable. For the same reason the three share one output lane
// per column (tessera_out_lane: multiply, round, clamp), selected by which one runs.
module tessera_compute_unit #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64,
  parameter int unsigned LutMulRows = 0,   // PE rows with LUT multipliers (tessera_pe_array)
  localparam int unsigned AbufAw = $clog2(AbufWords),
  localparam int unsigned WbufAw = $clog2(WbufWords),
  localparam int unsigned AccAw  = $clog2(AccWords),
  localparam int unsigned ObufAw = $clog2(ObufWords),
  localparam int unsigned PbufAw = $clog2(PbufWords)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [255:0]            cmd_i,
  output logic                    cmd_accept_o,  // the command no longer needs cmd_i
  output logic                    cmd_done_o,    // the oldest accepted command completed
  input  logic                    flush_i,
  output logic                    abuf_rd_en_o,
  output logic [AbufAw-1:0]       abuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   abuf_rd_data_i,
  output logic                    wbuf_rd_en_o,
  output logic [WbufAw-1:0]       wbuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   wbuf_rd_data_i,
  output logic                    pbuf_rd_en_o,
  output logic [PbufAw-1:0]       pbuf_rd_addr_o,
  input  logic [32*ArrayDim-1:0]  pbuf_rd_data_i,
  output logic                    obuf_wr_en_o,
  output logic [ObufAw-1:0]       obuf_wr_addr_o,
  output logic [8*ArrayDim-1:0]   obuf_wr_data_o,
  input  logic                    acc_ext_rd_req_i,
  input  logic [AccAw-1:0]        acc_ext_rd_addr_i,
  output logic                    acc_ext_rd_gnt_o,
  output logic [32*ArrayDim-1:0]  acc_ext_rd_data_o,
  output logic                    mac_active_o
);

  logic active_d, active_q;     // a command was taken and has not been accepted
  logic bad_q;                  // an opcode no sub-unit executes: finish it at once
  logic take;
  logic [3:0] opcode;
  logic conv_start, pool_start, add_start, bad_start;
  logic conv_accept, conv_done, pool_done, add_done;
  logic conv_ready, conv_busy, pool_busy, add_busy;

  assign opcode      = cmd_i[tessera_isa_pkg::CmdOpcodeLsb +: tessera_isa_pkg::CmdOpcodeW];
  assign cmd_ready_o = !active_q && ((opcode == tessera_isa_pkg::OpConv) ? conv_ready : !conv_busy);
  assign take        = cmd_valid_i && cmd_ready_o;
  assign conv_start  = take && (opcode == tessera_isa_pkg::OpConv);
  assign pool_start  = take && (opcode == tessera_isa_pkg::OpPool);
  assign add_start   = take && (opcode == tessera_isa_pkg::OpAdd);
  // The dispatcher sends only CONV, POOL and ADD here; anything else completes without effect
  // rather than hanging the queue.
  assign bad_start   = take && !conv_start && !pool_start && !add_start;

  assign cmd_accept_o = conv_accept || pool_done || add_done || bad_q;
  assign cmd_done_o   = conv_done || pool_done || add_done || bad_q;

  always_comb begin
    active_d = active_q;
    if (take) active_d = 1'b1;
    if (cmd_accept_o) active_d = 1'b0;
    if (flush_i) active_d = 1'b0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      bad_q    <= 1'b0;
    end else begin
      active_q <= active_d;
      bad_q    <= bad_start && !flush_i;
    end
  end

  // ---------------------------------------------------------------------------------------------
  logic                   conv_abuf_en, pool_abuf_en, add_abuf_en;
  logic [AbufAw-1:0]      conv_abuf_addr, pool_abuf_addr, add_abuf_addr;
  logic                   conv_obuf_en, pool_obuf_en, add_obuf_en;
  logic [ObufAw-1:0]      conv_obuf_addr, pool_obuf_addr, add_obuf_addr;
  logic [8*ArrayDim-1:0]  conv_obuf_data, pool_obuf_data, add_obuf_data;
  // Output-lane operands from each sub-unit: per lane x, per lane (CONV) or common multiplier and
  // shift, common zero point and clamp bounds; the lanes' bytes go back to all three.
  logic [32*ArrayDim-1:0] conv_lane_x, pool_lane_x, add_lane_x, lane_x;
  logic [32*ArrayDim-1:0] conv_lane_m, lane_m;
  logic [6*ArrayDim-1:0]  conv_lane_shift, lane_shift;
  logic [31:0]            pool_lane_m, add_lane_m;
  logic [5:0]             pool_lane_shift, add_lane_shift;
  logic [8:0]             conv_lane_zp, pool_lane_zp, add_lane_zp, lane_zp;
  logic [8:0]             conv_lane_cmin, pool_lane_cmin, add_lane_cmin, lane_cmin;
  logic [8:0]             conv_lane_cmax, pool_lane_cmax, add_lane_cmax, lane_cmax;
  logic                   add_lane_pair;
  logic [8*ArrayDim-1:0]  lane_out;

  tessera_conv_unit #(
    .ArrayDim  (ArrayDim),
    .AbufWords (AbufWords),
    .WbufWords (WbufWords),
    .AccWords  (AccWords),
    .ObufWords (ObufWords),
    .PbufWords  (PbufWords),
    .LutMulRows (LutMulRows)
  ) u_conv (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .start_i           (conv_start),
    .cmd_i             (cmd_i),
    .flush_i           (flush_i),
    .ready_o           (conv_ready),
    .busy_o            (conv_busy),
    .accept_o          (conv_accept),
    .done_o            (conv_done),
    .abuf_rd_en_o      (conv_abuf_en),
    .abuf_rd_addr_o    (conv_abuf_addr),
    .abuf_rd_data_i    (abuf_rd_data_i),
    .wbuf_rd_en_o      (wbuf_rd_en_o),
    .wbuf_rd_addr_o    (wbuf_rd_addr_o),
    .wbuf_rd_data_i    (wbuf_rd_data_i),
    .pbuf_rd_en_o      (pbuf_rd_en_o),
    .pbuf_rd_addr_o    (pbuf_rd_addr_o),
    .pbuf_rd_data_i    (pbuf_rd_data_i),
    .obuf_wr_en_o      (conv_obuf_en),
    .obuf_wr_addr_o    (conv_obuf_addr),
    .obuf_wr_data_o    (conv_obuf_data),
    .acc_ext_rd_req_i  (acc_ext_rd_req_i),
    .acc_ext_rd_addr_i (acc_ext_rd_addr_i),
    .acc_ext_rd_gnt_o  (acc_ext_rd_gnt_o),
    .acc_ext_rd_data_o (acc_ext_rd_data_o),
    .mac_active_o      (mac_active_o),
    .lane_x_o          (conv_lane_x),
    .lane_m_o          (conv_lane_m),
    .lane_shift_o      (conv_lane_shift),
    .lane_zp_o         (conv_lane_zp),
    .lane_cmin_o       (conv_lane_cmin),
    .lane_cmax_o       (conv_lane_cmax),
    .lane_out_i        (lane_out)
  );

  tessera_pool_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw)
  ) u_pool (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (pool_start),
    .cmd_i          (cmd_i),
    .flush_i        (flush_i),
    .busy_o         (pool_busy),
    .done_o         (pool_done),
    .abuf_rd_en_o   (pool_abuf_en),
    .abuf_rd_addr_o (pool_abuf_addr),
    .abuf_rd_data_i (abuf_rd_data_i),
    .obuf_wr_en_o   (pool_obuf_en),
    .obuf_wr_addr_o (pool_obuf_addr),
    .obuf_wr_data_o (pool_obuf_data),
    .lane_x_o       (pool_lane_x),
    .lane_m_o       (pool_lane_m),
    .lane_shift_o   (pool_lane_shift),
    .lane_zp_o      (pool_lane_zp),
    .lane_cmin_o    (pool_lane_cmin),
    .lane_cmax_o    (pool_lane_cmax),
    .lane_out_i     (lane_out)
  );

  tessera_add_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw)
  ) u_add (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (add_start),
    .cmd_i          (cmd_i),
    .flush_i        (flush_i),
    .busy_o         (add_busy),
    .done_o         (add_done),
    .abuf_rd_en_o   (add_abuf_en),
    .abuf_rd_addr_o (add_abuf_addr),
    .abuf_rd_data_i (abuf_rd_data_i),
    .obuf_wr_en_o   (add_obuf_en),
    .obuf_wr_addr_o (add_obuf_addr),
    .obuf_wr_data_o (add_obuf_data),
    .lane_x_o       (add_lane_x),
    .lane_m_o       (add_lane_m),
    .lane_pair_o    (add_lane_pair),
    .lane_shift_o   (add_lane_shift),
    .lane_zp_o      (add_lane_zp),
    .lane_cmin_o    (add_lane_cmin),
    .lane_cmax_o    (add_lane_cmax),
    .lane_out_i     (lane_out)
  );

  // ---- shared output lanes ---------------------------------------------------------------------
  // The owner is a register set when POOL or ADD starts and back to CONV when it is done, so the
  // lane operand selects do not depend on the command decode. POOL and ADD start only after the
  // conv unit drained, and a CONV only after they are done, so no lane is in use at a switch.
  logic pool_owns_d, pool_owns_q, add_owns_d, add_owns_q;

  always_comb begin
    pool_owns_d = pool_owns_q;
    add_owns_d  = add_owns_q;
    if (pool_start) pool_owns_d = 1'b1;
    if (add_start)  add_owns_d  = 1'b1;
    if (pool_done || add_done || flush_i) begin
      pool_owns_d = 1'b0;
      add_owns_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pool_owns_q <= 1'b0;
      add_owns_q  <= 1'b0;
    end else begin
      pool_owns_q <= pool_owns_d;
      add_owns_q  <= add_owns_d;
    end
  end

  // POOL's and ADD's multiplier and shift are common to all lanes: one select for them, then one
  // per lane against CONV's own.
  logic [31:0] pa_lane_m;
  logic [5:0]  pa_lane_shift;

  always_comb begin
    pa_lane_m     = pool_owns_q ? pool_lane_m : add_lane_m;
    pa_lane_shift = pool_owns_q ? pool_lane_shift : add_lane_shift;
    lane_x    = pool_owns_q ? pool_lane_x : add_owns_q ? add_lane_x : conv_lane_x;
    lane_zp   = pool_owns_q ? pool_lane_zp : add_owns_q ? add_lane_zp : conv_lane_zp;
    lane_cmin = pool_owns_q ? pool_lane_cmin : add_owns_q ? add_lane_cmin : conv_lane_cmin;
    lane_cmax = pool_owns_q ? pool_lane_cmax : add_owns_q ? add_lane_cmax : conv_lane_cmax;
    for (int unsigned c = 0; c < ArrayDim; c++) begin
      lane_m[32*c +: 32]   = (pool_owns_q || add_owns_q) ? pa_lane_m : conv_lane_m[32*c +: 32];
      lane_shift[6*c +: 6] = (pool_owns_q || add_owns_q) ? pa_lane_shift :
                                                           conv_lane_shift[6*c +: 6];
    end
  end

  for (genvar c = 0; c < ArrayDim; c++) begin : g_lane
    tessera_out_lane u_lane (
      .clk_i   (clk_i),
      .x_i     (lane_x[32*c +: 32]),
      .m_i     (lane_m[32*c +: 32]),
      .pair_i  (add_owns_q && add_lane_pair),
      .shift_i (lane_shift[6*c +: 6]),
      .zp_i    (lane_zp),
      .cmin_i  (lane_cmin),
      .cmax_i  (lane_cmax),
      .out_o   (lane_out[8*c +: 8])
    );
  end

  // Port selection by enable: at most one sub-unit runs, and an idle one drives no enable.
  always_comb begin
    abuf_rd_en_o   = conv_abuf_en || pool_abuf_en || add_abuf_en;
    abuf_rd_addr_o = pool_abuf_en ? pool_abuf_addr : add_abuf_en ? add_abuf_addr : conv_abuf_addr;
    obuf_wr_en_o   = conv_obuf_en || pool_obuf_en || add_obuf_en;
    obuf_wr_addr_o = pool_obuf_en ? pool_obuf_addr : add_obuf_en ? add_obuf_addr : conv_obuf_addr;
    obuf_wr_data_o = pool_obuf_en ? pool_obuf_data : add_obuf_en ? add_obuf_data : conv_obuf_data;
  end

  // busy_o of POOL and ADD is implied by active_q (each holds busy until its done pulse).
  logic unused_busy;
  assign unused_busy = pool_busy ^ add_busy;

`ifndef SYNTHESIS
  // Only one sub-unit may drive a port in a cycle.
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (32'(conv_abuf_en) + 32'(pool_abuf_en) + 32'(add_abuf_en) <= 1)
        else $error("tessera_compute_unit: two sub-units read ABUF in one cycle");
      assert (32'(conv_obuf_en) + 32'(pool_obuf_en) + 32'(add_obuf_en) <= 1)
        else $error("tessera_compute_unit: two sub-units write OBUF in one cycle");
    end
  end
`endif

endmodule
