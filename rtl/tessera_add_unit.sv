// ADD sub-unit of tessera_compute_unit: elementwise requantized addition of two ABUF vectors into
// OBUF, all ArrayDim lanes of a word in parallel (docs/isa.md ADD, docs/quantization.md
// Elementwise add):
//   OBUF[obuf_addr + i][r] = clamp(out_zp + rshift_rne((a - a_zp)*a_mult + (b - b_zp)*b_mult,
//                                                      shift), clamp_min, clamp_max)
//
// ABUF has one read port, so each output word takes two cycles: A[i] is read, then B[i]. The two
// operands arrive one after the other, so each lane needs only one multiplier: the scalar zero
// point and multiplier are switched between the A and the B cycle, and the compute unit's shared
// output lane (tessera_out_lane) adds the B product to the A product before rounding. A command
// takes 2*len cycles plus 4 + LaneLat (start, the read, the subtract, the lanes, the OBUF
// write). All values are exact: |(x - zp)*mult| <= 255*2^31 < 2^39, the sum < 2^40.
//
// With fewer output lanes than columns (tessera_compute_unit OutLanes) a word's A is issued
// LaneGap cycles after the previous word's at the earliest, and the lanes return the word
// LaneLat cycles after its B entered them. The A/B phase then runs on every cycle the unit is
// busy, issued or not, so the multiplier on lane_m_o alternates a_mult, b_mult without a break:
// the compute unit delays column c by an even number of cycles and keeps it in phase.
//
// a_zp, b_zp, out_zp, clamp_min and clamp_max are bytes of the data type (int8 when data_signed),
// like the data; a_mult and b_mult are signed 32-bit.
//
// Pipeline (t = cycle B[i] is issued):
//   t-1  issue A[i]
//   t    issue B[i];   A[i] arrives: a - a_zp -> xd_q (and a_mult -> m_q)
//   t+1  B[i] arrives: b - b_zp -> xd_q;  the lane takes A
//   t+2  the lane takes B (pair); it adds the B product to the A product and rounds and clamps
//   t+2+LaneLat  obuf_wr_en_o = 1 (LaneLat = OutLaneLat = 7: t+9)
//   t+3+LaneLat  done_o, if that was the command's last word
// (One register stage per step: the SRAM read and the zero-point subtract have their own cycle,
// and tessera_out_lane has one per multiply, add and rounding step, for the FPGA targets' Fmax.)
//
// Handshake: start_i is honoured only when busy_o = 0. busy_o is 1 from the cycle after start_i
// up to and including the cycle of done_o. flush_i returns the unit to idle at the next edge; no
// OBUF write happens after the flush cycle (a write already on the port in that cycle completes,
// and done_o can still show in that cycle if the command had just finished).
module tessera_add_unit #(
  parameter int unsigned ArrayDim = 16,
  parameter int unsigned AbufAw   = 12,
  parameter int unsigned ObufAw   = 11,
  parameter int unsigned LaneLat  = tessera_isa_pkg::OutLaneLat,  // B on lane_x_o to lane_out_i
  parameter int unsigned LaneGap  = 1   // cycles from one word's A issue to the next's (1 or even)
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
  output logic [8*ArrayDim-1:0] obuf_wr_data_o,
  // The compute unit's shared output lanes (tessera_out_lane): lane i gets a - a_zp, then
  // b - b_zp of byte i (with pair set), both valid with lane_vld_o, and returns the output byte
  // LaneLat cycles after the B.
  output logic                  lane_vld_o,
  output logic [32*ArrayDim-1:0] lane_x_o,
  output logic [31:0]           lane_m_o,
  output logic                  lane_pair_o,
  output logic [5:0]            lane_shift_o,
  output logic [8:0]            lane_zp_o,
  output logic [8:0]            lane_cmin_o,
  output logic [8:0]            lane_cmax_o,
  input  logic [8*ArrayDim-1:0] lane_out_i
);

  // Field widths come from the generated ISA package, so a spec change reaches this file.
  localparam int unsigned LenW   = tessera_isa_pkg::AddLenW;
  localparam int unsigned MultW  = tessera_isa_pkg::AddAMultW;
  localparam int unsigned ZpW    = tessera_isa_pkg::AddAZpW;
  localparam int unsigned ShiftW = tessera_isa_pkg::AddShiftW;

  typedef enum logic [1:0] {
    StIdle,   // waiting for start_i
    StRun,    // reading A[i], B[i] alternately
    StDrain   // last word issued; wait for the pipeline to write it
  } state_e;

  state_e state_d, state_q;

  // ---- command fields, latched in the start cycle ---------------------------------------------
  logic                 sgn_d, sgn_q;
  logic [MultW-1:0]     a_mult_d, a_mult_q, b_mult_d, b_mult_q;
  logic signed [8:0]    a_zp_d, a_zp_q, b_zp_d, b_zp_q;        // typed by data_signed
  logic signed [8:0]    out_zp_d, out_zp_q, cmin_d, cmin_q, cmax_d, cmax_q;
  logic [ShiftW-1:0]    shift_d, shift_q;

  // ---- loop state ------------------------------------------------------------------------------
  logic [AbufAw-1:0]    a_ptr_d, a_ptr_q, b_ptr_d, b_ptr_q;
  logic [LenW-1:0]      cnt_d, cnt_q;            // words left after the current one
  logic                 phase_d, phase_q;        // 0: read A[i], 1: read B[i]

  // ---- pipeline --------------------------------------------------------------------------------
  logic                 issue;
  logic                 lane_free;               // an A may issue (LaneGap since the last)
  logic                 s1_vld_q, s1_b_q;        // a word arrives this cycle; it is B
  logic                 x_vld_q, x_b_q;          // xd_q / m_q hold a word's operands
  // lane_vld_q[k]: stage k + 1 of the output lanes holds a word's B (its A + B from stage 4 on)
  logic [LaneLat-1:0]   lane_vld_q;
  logic                 wr_q;
  logic [ObufAw-1:0]    optr_d, optr_q;          // OBUF address of the next write
  logic                 pipe_empty;
  logic signed [8:0]    zp_sel;                  // zero point / multiplier of the arriving word
  logic signed [MultW-1:0] mult_sel;

  // Sign-extends a typed byte to 9 bits.
  function automatic logic signed [8:0] typed(input logic [7:0] b, input logic is_signed);
    typed = {is_signed & b[7], b};
  endfunction

  // ---- control ---------------------------------------------------------------------------------
  always_comb begin
    state_d  = state_q;
    sgn_d    = sgn_q;
    a_mult_d = a_mult_q;
    b_mult_d = b_mult_q;
    a_zp_d   = a_zp_q;
    b_zp_d   = b_zp_q;
    out_zp_d = out_zp_q;
    cmin_d   = cmin_q;
    cmax_d   = cmax_q;
    shift_d  = shift_q;
    a_ptr_d  = a_ptr_q;
    b_ptr_d  = b_ptr_q;
    cnt_d    = cnt_q;
    phase_d  = phase_q;
    issue    = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d  = StRun;
          sgn_d    = cmd_i[tessera_isa_pkg::AddDataSignedLsb];
          a_mult_d = cmd_i[tessera_isa_pkg::AddAMultLsb +: MultW];
          b_mult_d = cmd_i[tessera_isa_pkg::AddBMultLsb +: MultW];
          a_zp_d   = typed(cmd_i[tessera_isa_pkg::AddAZpLsb +: ZpW],
                           cmd_i[tessera_isa_pkg::AddDataSignedLsb]);
          b_zp_d   = typed(cmd_i[tessera_isa_pkg::AddBZpLsb +: ZpW],
                           cmd_i[tessera_isa_pkg::AddDataSignedLsb]);
          out_zp_d = typed(cmd_i[tessera_isa_pkg::AddOutZpLsb +: ZpW],
                           cmd_i[tessera_isa_pkg::AddDataSignedLsb]);
          cmin_d   = typed(cmd_i[tessera_isa_pkg::AddClampMinLsb +: ZpW],
                           cmd_i[tessera_isa_pkg::AddDataSignedLsb]);
          cmax_d   = typed(cmd_i[tessera_isa_pkg::AddClampMaxLsb +: ZpW],
                           cmd_i[tessera_isa_pkg::AddDataSignedLsb]);
          shift_d  = cmd_i[tessera_isa_pkg::AddShiftLsb +: ShiftW];
          a_ptr_d  = cmd_i[tessera_isa_pkg::AddAAddrLsb +: AbufAw];
          b_ptr_d  = cmd_i[tessera_isa_pkg::AddBAddrLsb +: AbufAw];
          cnt_d    = cmd_i[tessera_isa_pkg::AddLenLsb +: LenW] - LenW'(1);
          phase_d  = 1'b0;
        end
      end

      StRun: begin
        // B always follows its A (an A issued in the cycle before arrives as s1, not B); an A
        // waits for the lanes.
        issue   = (LaneGap == 1) || (phase_q ? s1_vld_q && !s1_b_q : lane_free);
        phase_d = !phase_q;
        if (phase_q && issue) begin
          a_ptr_d = a_ptr_q + AbufAw'(1);
          b_ptr_d = b_ptr_q + AbufAw'(1);
          cnt_d   = cnt_q - LenW'(1);
          if (cnt_q == '0) state_d = StDrain;
        end
      end

      StDrain: begin
        phase_d = !phase_q;
        if (pipe_empty) state_d = StIdle;
      end

      default: state_d = StIdle;
    endcase

    if (flush_i) state_d = StIdle;
  end

  assign abuf_rd_en_o   = issue;
  assign abuf_rd_addr_o = phase_q ? b_ptr_q : a_ptr_q;

  assign pipe_empty = !s1_vld_q && !x_vld_q && (lane_vld_q == '0);

  tessera_lane_gap #(
    .Gap (LaneGap)
  ) u_lane_gap (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (flush_i),
    .take_i  (issue && !phase_q),
    .free_o  (lane_free)
  );

  assign optr_d     = (state_q == StIdle && start_i) ?
                      cmd_i[tessera_isa_pkg::AddObufAddrLsb +: ObufAw] :
                      optr_q + ObufAw'(wr_q);

  assign wr_q           = lane_vld_q[LaneLat-1];
  assign busy_o         = (state_q != StIdle);
  assign done_o         = (state_q == StDrain) && pipe_empty;
  assign obuf_wr_en_o   = wr_q;
  assign obuf_wr_addr_o = optr_q;

  assign zp_sel   = s1_b_q ? b_zp_q : a_zp_q;
  assign mult_sel = s1_b_q ? b_mult_q : a_mult_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      s1_vld_q   <= 1'b0;
      x_vld_q    <= 1'b0;
      lane_vld_q <= '0;
    end else begin
      state_q    <= state_d;
      s1_vld_q   <= issue && !flush_i;
      x_vld_q    <= s1_vld_q && !flush_i;
      lane_vld_q <= {lane_vld_q[LaneLat-2:0], x_vld_q && x_b_q} & {LaneLat{!flush_i}};
    end
  end

  // Command, loop and pipeline-tag registers: no reset, the valid bits above qualify them.
  always_ff @(posedge clk_i) begin
    sgn_q    <= sgn_d;
    a_mult_q <= a_mult_d;
    b_mult_q <= b_mult_d;
    a_zp_q   <= a_zp_d;
    b_zp_q   <= b_zp_d;
    out_zp_q <= out_zp_d;
    cmin_q   <= cmin_d;
    cmax_q   <= cmax_d;
    shift_q  <= shift_d;
    a_ptr_q  <= a_ptr_d;
    b_ptr_q  <= b_ptr_d;
    cnt_q    <= cnt_d;
    phase_q  <= phase_d;
    s1_b_q   <= phase_q;
    x_b_q    <= s1_b_q;
    optr_q   <= optr_d;
  end

  // ---- lanes -----------------------------------------------------------------------------------
  // Lane registers run freely (no enables); the valid bits say when they hold a word.
  logic signed [MultW-1:0] m_q;
  always_ff @(posedge clk_i) m_q <= mult_sel;

  for (genvar i = 0; i < ArrayDim; i++) begin : g_lane
    logic signed [8:0] x_diff, xd_q;  // x - zp: exact in 9 bits for either type

    assign x_diff = typed(abuf_rd_data_i[8*i +: 8], sgn_q) - zp_sel;
    always_ff @(posedge clk_i) xd_q <= x_diff;
    assign lane_x_o[32*i +: 32] = {{23{xd_q[8]}}, xd_q};
  end

  // The B product is added to the A product of the cycle before in the lanes; the sum is output.
  assign lane_vld_o     = x_vld_q;
  assign lane_m_o       = m_q;
  assign lane_pair_o    = x_b_q;
  assign lane_shift_o   = shift_q;
  assign lane_zp_o      = out_zp_q;
  assign lane_cmin_o    = cmin_q;
  assign lane_cmax_o    = cmax_q;
  assign obuf_wr_data_o = lane_out_i;

  // Bits of the command this unit has no use for (opcode, dependency flags, address bits above
  // AbufAw / ObufAw, reserved bits): the dispatcher has already acted on or checked them.
  logic unused_cmd;
  assign unused_cmd = ^cmd_i;

`ifndef SYNTHESIS
  // Parameter limits (docs/architecture.md): the address fields are 16 bits wide.
  initial begin
    if (ArrayDim < 4 || ArrayDim > 32 || (ArrayDim & (ArrayDim - 1)) != 0)
      $fatal(1, "tessera_add_unit: ArrayDim %0d is not a power of two in 4..32", ArrayDim);
    if (MultW != 32 || ShiftW != 6)
      $fatal(1, "tessera_add_unit: the output lanes take a 32-bit multiplier and a 6-bit shift");
    if (AbufAw < 1 || AbufAw > tessera_isa_pkg::AddAAddrW)
      $fatal(1, "tessera_add_unit: AbufAw %0d not in 1..%0d", AbufAw, tessera_isa_pkg::AddAAddrW);
    if (ObufAw < 1 || ObufAw > tessera_isa_pkg::AddObufAddrW)
      $fatal(1, "tessera_add_unit: ObufAw %0d not in 1..%0d", ObufAw,
             tessera_isa_pkg::AddObufAddrW);
  end

  // The compute unit starts a command only when this unit is idle.
  always_ff @(posedge clk_i) begin
    if (rst_ni && start_i && state_q != StIdle)
      $error("tessera_add_unit: start_i while busy");
  end
`endif

endmodule
