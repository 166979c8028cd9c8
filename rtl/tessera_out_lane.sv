// One output lane of the compute unit (docs/architecture.md, docs/quantization.md), shared by
// CONV's requantization, POOL and ADD (only one of them runs at a time):
//   p   = x * m                  (signed 32 x signed 32, exact in 64 bits)
//   p   = p + p_prev  if pair    (ADD: the B product is added to the A product of the cycle before)
//   out = min(max(rshift_rne(p, shift) + zp, cmin), cmax)
// tessera_isa_pkg::OutLaneLat = 7 register stages (from rtl/spec/tessera_isa.toml: out_o belongs
// to the x_i / m_i / pair_i of seven cycles earlier):
//   1    x, m, pair and shift as they come from the compute unit's owner select (x and m as the
//        operand registers of four tessera_mul18, one per pair of 16-bit halves)
//   2    the four 17x17 partial products of x and m split into 16-bit halves (one MULT18X18D or
//        SB_MAC16-sized product each, written out so synthesis makes no adders of its own around
//        them; its registers are the DSP block's own)
//   3    s = hh * 2^32 + ll + (lh + hl) * 2^16 (the outer products side by side, one add of three
//        terms; a product register must not feed a plain register: Yosys 0.23's synth_ice40
//        -dsp then drives the second one with a constant, docs/fpga.md)
//   4    p = s, plus the previous p when paired
//   5-7  tessera_round_clamp
// So no cycle holds more than one multiplier, or one add of at most three terms, or one wide
// shifter, and the multipliers see neither the select in front nor an adder behind (the ECP5
// ArrayDim 8 critical path was select -> multiplier -> the adder Yosys put behind it).
// zp_i / cmin_i / cmax_i (registered in tessera_round_clamp's first cycle) are held constant by
// the caller for a whole command. shift_i is registered with x_i; with ShiftPerCycle = 0 it is
// held constant too and that one register feeds the shifter, otherwise (a lane time-multiplexed
// over CONV columns with their own shifts) it travels with x to stage 4. Either way neither the
// owner select nor the operand registers reach the shifter or the clamp.
//
// Sharing one lane per column instead of one per sub-unit saves, per column, a 17x32 and a 9x32
// multiplier and two tessera_round_clamp instances (docs/fpga.md).
module tessera_out_lane #(
  parameter bit ShiftPerCycle = 1'b0   // shift_i may change every cycle
) (
  input  logic        clk_i,
  input  logic [31:0] x_i,       // signed
  input  logic [31:0] m_i,       // signed
  input  logic        pair_i,    // add this product to the one of the cycle before
  input  logic [5:0]  shift_i,
  input  logic [8:0]  zp_i,      // typed bytes (signed 9 bit)
  input  logic [8:0]  cmin_i,
  input  logic [8:0]  cmax_i,
  output logic [7:0]  out_o
);

  logic [5:0]  shift_q;            // the shift of p_q
  logic [2:0]  pair_q;             // pair_q[k] belongs to stage k + 1

  // Halves as operands: the low halves unsigned, the high halves signed. Products, exact in 34
  // bits: lo*lo < 2^32, |lo*hi| < 2^31, |hi*hi| <= 2^30.
  logic [32:0]        ll, lh, hl, hh;
  logic signed [33:0] ll_q, lh_q, hl_q, hh_q;
  logic        [63:0] s_q, p_q;

  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b0), .BSigned (1'b0)) u_ll (
    .clk_i (clk_i), .a_i (x_i[15:0]),  .b_i (m_i[15:0]),  .p_o (ll));
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b0), .BSigned (1'b1)) u_lh (
    .clk_i (clk_i), .a_i (x_i[15:0]),  .b_i (m_i[31:16]), .p_o (lh));
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b1), .BSigned (1'b0)) u_hl (
    .clk_i (clk_i), .a_i (x_i[31:16]), .b_i (m_i[15:0]),  .p_o (hl));
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b1), .BSigned (1'b1)) u_hh (
    .clk_i (clk_i), .a_i (x_i[31:16]), .b_i (m_i[31:16]), .p_o (hh));

  assign ll_q = {1'b0, ll};
  assign lh_q = {lh[32], lh};
  assign hl_q = {hl[32], hl};
  assign hh_q = {hh[32], hh};

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid. A paired
  // sum never wraps: ADD's products are below 2^39 in magnitude.
  if (ShiftPerCycle) begin : g_shift_pipe
    logic [5:0] shift_p_q [3];       // stages 1-3
    always_ff @(posedge clk_i) begin
      shift_p_q[0] <= shift_i;
      shift_p_q[1] <= shift_p_q[0];
      shift_p_q[2] <= shift_p_q[1];
      shift_q      <= shift_p_q[2];
    end
  end else begin : g_shift_held
    always_ff @(posedge clk_i) shift_q <= shift_i;
  end

  always_ff @(posedge clk_i) begin
    pair_q  <= {pair_q[1:0], pair_i};
    s_q     <= {hh_q[31:0], ll_q[31:0]} + {{14{lh_q[33]}}, lh_q, 16'd0} +
               {{14{hl_q[33]}}, hl_q, 16'd0};
    p_q     <= s_q + (pair_q[2] ? p_q : 64'd0);
  end

  // The outer products' top two bits are copies of bit 31 (their bounds above).
  logic unused_bits;
  assign unused_bits = ^{ll_q[33:32], hh_q[33:32]};

  tessera_round_clamp #(
    .InW (64)
  ) u_round_clamp (
    .clk_i  (clk_i),
    .p_i    (p_q),
    .s_i    (shift_q),
    .zp_i   (zp_i),
    .cmin_i (cmin_i),
    .cmax_i (cmax_i),
    .out_o  (out_o)
  );

endmodule
