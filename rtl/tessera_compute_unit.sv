// Compute unit (docs/architecture.md): executes CONV, POOL and ADD. CONV runs on
// tessera_conv_unit (PE array, ACC, output pipeline); POOL and ADD on their own sub-units.
// A CONV is accepted (cmd_accept_o) once its last pixel entered the array, so the next CONV can
// start while the array drains; POOL and ADD start only when the conv unit is completely idle.
// So at most one sub-unit reads ABUF or writes OBUF in a cycle, and their ports are simply
// selected by whichever drives its enable. For the same reason the three share the output lanes
// (tessera_out_lane: multiply, round, clamp), selected by which one runs.
//
// OutLanes output lanes serve the ArrayDim columns, K = ArrayDim / OutLanes each: lane j takes
// columns jK .. jK+K-1 one per cycle (with K = 1, one lane per column and no multiplexing), each
// lane's input an AND-OR of its columns by their valid bits. CONV's columns arrive skewed one
// cycle apart already (tessera_conv_unit issues its requantized pixels K cycles apart); POOL's
// and ADD's words arrive whole, so column c is delayed 2*(c mod K) cycles in front of the lanes
// (two: ADD's A and B take consecutive cycles) and 2*(K-1 - c mod K) behind them, and those units
// start a word 2K cycles after the previous one at the earliest. On the 16 x 16 ECP5 build
// OutLanes 4 saves 48 of the 156 DSP blocks (docs/fpga.md).
module tessera_compute_unit #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64,
  parameter int unsigned LutMulRows = 0,   // PE rows with LUT multipliers (tessera_pe_array)
  parameter int unsigned OutLanes = ArrayDim,  // output lanes, a power of two <= ArrayDim
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
  localparam int unsigned K = ArrayDim / OutLanes;   // columns per output lane
  // POOL and ADD: lane latency with the delays around the lanes, and the word spacing.
  localparam int unsigned PaLaneLat = tessera_isa_pkg::OutLaneLat + 2 * (K - 1);
  localparam int unsigned PaLaneGap = (K == 1) ? 1 : 2 * K;

  logic                   conv_abuf_en, pool_abuf_en, add_abuf_en;
  logic [AbufAw-1:0]      conv_abuf_addr, pool_abuf_addr, add_abuf_addr;
  logic                   conv_obuf_en, pool_obuf_en, add_obuf_en;
  logic [ObufAw-1:0]      conv_obuf_addr, pool_obuf_addr, add_obuf_addr;
  logic [8*ArrayDim-1:0]  conv_obuf_data, pool_obuf_data, add_obuf_data;
  // Output-lane operands from each sub-unit, per column: x with its valid bits, per column (CONV)
  // or common multiplier and shift, common zero point and clamp bounds; the columns' bytes go
  // back to CONV as they leave the lanes, to POOL and ADD aligned into whole words.
  logic [ArrayDim-1:0]    conv_lane_vld;
  logic                   pool_lane_vld, add_lane_vld;
  logic [32*ArrayDim-1:0] conv_lane_x, pool_lane_x, add_lane_x;
  logic [32*ArrayDim-1:0] conv_lane_m;
  logic [6*ArrayDim-1:0]  conv_lane_shift;
  logic [31:0]            pool_lane_m, add_lane_m;
  logic [5:0]             pool_lane_shift, add_lane_shift;
  logic [8:0]             conv_lane_zp, pool_lane_zp, add_lane_zp, lane_zp;
  logic [8:0]             conv_lane_cmin, pool_lane_cmin, add_lane_cmin, lane_cmin;
  logic [8:0]             conv_lane_cmax, pool_lane_cmax, add_lane_cmax, lane_cmax;
  logic                   add_lane_pair;
  logic [8*ArrayDim-1:0]  conv_lane_out, pa_lane_out;

  tessera_conv_unit #(
    .ArrayDim  (ArrayDim),
    .AbufWords (AbufWords),
    .WbufWords (WbufWords),
    .AccWords  (AccWords),
    .ObufWords (ObufWords),
    .PbufWords  (PbufWords),
    .LutMulRows (LutMulRows),
    .LaneGap    (K)
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
    .lane_vld_o        (conv_lane_vld),
    .lane_x_o          (conv_lane_x),
    .lane_m_o          (conv_lane_m),
    .lane_shift_o      (conv_lane_shift),
    .lane_zp_o         (conv_lane_zp),
    .lane_cmin_o       (conv_lane_cmin),
    .lane_cmax_o       (conv_lane_cmax),
    .lane_out_i        (conv_lane_out)
  );

  tessera_pool_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw),
    .LaneLat  (PaLaneLat),
    .LaneGap  (PaLaneGap)
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
    .lane_vld_o     (pool_lane_vld),
    .lane_x_o       (pool_lane_x),
    .lane_m_o       (pool_lane_m),
    .lane_shift_o   (pool_lane_shift),
    .lane_zp_o      (pool_lane_zp),
    .lane_cmin_o    (pool_lane_cmin),
    .lane_cmax_o    (pool_lane_cmax),
    .lane_out_i     (pa_lane_out)
  );

  tessera_add_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw),
    .LaneLat  (PaLaneLat),
    .LaneGap  (PaLaneGap)
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
    .lane_vld_o     (add_lane_vld),
    .lane_x_o       (add_lane_x),
    .lane_m_o       (add_lane_m),
    .lane_pair_o    (add_lane_pair),
    .lane_shift_o   (add_lane_shift),
    .lane_zp_o      (add_lane_zp),
    .lane_cmin_o    (add_lane_cmin),
    .lane_cmax_o    (add_lane_cmax),
    .lane_out_i     (pa_lane_out)
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

  // POOL's and ADD's multiplier and shift are common to all columns: one select for them, then
  // one per lane against CONV's own.
  logic        pa_owns;
  logic [31:0] pa_lane_m;
  logic [5:0]  pa_lane_shift;
  logic        pa_lane_vld, pa_lane_pair;

  always_comb begin
    pa_owns       = pool_owns_q || add_owns_q;
    pa_lane_m     = pool_owns_q ? pool_lane_m : add_lane_m;
    pa_lane_shift = pool_owns_q ? pool_lane_shift : add_lane_shift;
    pa_lane_vld   = pool_owns_q ? pool_lane_vld : add_owns_q && add_lane_vld;
    pa_lane_pair  = add_owns_q && add_lane_pair;
    lane_zp   = pool_owns_q ? pool_lane_zp : add_owns_q ? add_lane_zp : conv_lane_zp;
    lane_cmin = pool_owns_q ? pool_lane_cmin : add_owns_q ? add_lane_cmin : conv_lane_cmin;
    lane_cmax = pool_owns_q ? pool_lane_cmax : add_owns_q ? add_lane_cmax : conv_lane_cmax;
  end

  logic [32*OutLanes-1:0] lane_x, lane_m;
  logic [6*OutLanes-1:0]  lane_shift;
  logic [OutLanes-1:0]    lane_pair;
  logic [8*OutLanes-1:0]  lane_out;

  if (K == 1) begin : g_lane_per_column
    // The owner's operands go straight to the lanes; every column's byte is its lane's.
    always_comb begin
      for (int unsigned c = 0; c < ArrayDim; c++) begin
        lane_x[32*c +: 32]   = pool_owns_q ? pool_lane_x[32*c +: 32] :
                               add_owns_q ? add_lane_x[32*c +: 32] : conv_lane_x[32*c +: 32];
        lane_m[32*c +: 32]   = pa_owns ? pa_lane_m : conv_lane_m[32*c +: 32];
        lane_shift[6*c +: 6] = pa_owns ? pa_lane_shift : conv_lane_shift[6*c +: 6];
        lane_pair[c]         = pa_lane_pair;
      end
    end
    assign conv_lane_out = lane_out;
    assign pa_lane_out   = lane_out;

    // Without sharing, a lane's idle cycles need no masking.
    logic unused_vld;
    assign unused_vld = ^{conv_lane_vld, pa_lane_vld};
  end else begin : g_lane_shared
    // POOL / ADD columns in phase: column c = jK + k enters lane j 2k cycles after column jK.
    logic [32*ArrayDim-1:0] pa_x_sk;
    logic [ArrayDim-1:0]    pa_vld_sk, pa_pair_sk;
    // Per column, the owner's x and valid bit; then each lane ORs its columns' masked operands.
    logic [32*ArrayDim-1:0] col_x;
    logic [ArrayDim-1:0]    col_vld;

    for (genvar c = 0; c < ArrayDim; c++) begin : g_col
      logic [31:0] pa_x;
      assign pa_x = pool_owns_q ? pool_lane_x[32*c +: 32] : add_lane_x[32*c +: 32];

      tessera_conv_delay #(
        .Width (34),
        .Depth (2 * (c % K))
      ) u_pa_skew (
        .clk_i (clk_i),
        .d_i   ({pa_lane_vld, pa_lane_pair, pa_x}),
        .q_o   ({pa_vld_sk[c], pa_pair_sk[c], pa_x_sk[32*c +: 32]})
      );

      // CONV's byte of column c is its lane's output when it leaves; POOL's and ADD's wait for
      // the lane's last column.
      assign conv_lane_out[8*c +: 8] = lane_out[8*(c / K) +: 8];
      tessera_conv_delay #(
        .Width (8),
        .Depth (2 * (K - 1 - c % K))
      ) u_pa_deskew (
        .clk_i (clk_i),
        .d_i   (lane_out[8*(c / K) +: 8]),
        .q_o   (pa_lane_out[8*c +: 8])
      );

      assign col_vld[c]         = pa_owns ? pa_vld_sk[c] : conv_lane_vld[c];
      assign col_x[32*c +: 32]  = pa_owns ? pa_x_sk[32*c +: 32] : conv_lane_x[32*c +: 32];
    end

    always_comb begin
      for (int unsigned j = 0; j < OutLanes; j++) begin
        logic [31:0] x, m;
        logic [5:0]  sh;
        logic        pair;
        x    = '0;
        m    = '0;
        sh   = '0;
        pair = 1'b0;
        for (int unsigned k = 0; k < K; k++) begin
          x    = x | ({32{col_vld[j*K + k]}} & col_x[32*(j*K + k) +: 32]);
          m    = m | ({32{col_vld[j*K + k]}} & conv_lane_m[32*(j*K + k) +: 32]);
          sh   = sh | ({6{col_vld[j*K + k]}} & conv_lane_shift[6*(j*K + k) +: 6]);
          pair = pair | (pa_vld_sk[j*K + k] & pa_pair_sk[j*K + k]);
        end
        lane_x[32*j +: 32]   = x;
        lane_m[32*j +: 32]   = pa_owns ? pa_lane_m : m;
        lane_shift[6*j +: 6] = pa_owns ? pa_lane_shift : sh;
        lane_pair[j]         = pa_owns && pair;
      end
    end
  end

  for (genvar j = 0; j < OutLanes; j++) begin : g_lane
    tessera_out_lane #(
      .ShiftPerCycle (K > 1)
    ) u_lane (
      .clk_i   (clk_i),
      .x_i     (lane_x[32*j +: 32]),
      .m_i     (lane_m[32*j +: 32]),
      .pair_i  (lane_pair[j]),
      .shift_i (lane_shift[6*j +: 6]),
      .zp_i    (lane_zp),
      .cmin_i  (lane_cmin),
      .cmax_i  (lane_cmax),
      .out_o   (lane_out[8*j +: 8])
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
  initial begin
    assert (OutLanes >= 1 && OutLanes <= ArrayDim && (OutLanes & (OutLanes - 1)) == 0)
      else $fatal(1, "tessera_compute_unit: OutLanes %0d is not a power of two in 1..ArrayDim",
                  OutLanes);
  end

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
