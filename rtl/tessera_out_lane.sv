// One output lane of the compute unit (docs/architecture.md, docs/quantization.md), shared by
// CONV's requantization, POOL and ADD (only one of them runs at a time):
//   p   = x * m                  (signed 32 x signed 32, exact in 64 bits)
//   p   = p + p_prev  if pair    (ADD: the B product is added to the A product of the cycle before)
//   out = min(max(rshift_rne(p, shift) + zp, cmin), cmax)
// tessera_arith_pkg::OutLaneLat = 7 register stages (out_o belongs to the x_i / m_i / pair_i of
// seven cycles earlier):
//   1    x, m, pair and shift as they come from the compute unit's owner select
//   2    the four 17x17 partial products of x and m split into 16-bit halves (one MULT18X18D or
//        SB_MAC16-sized product each, written out so synthesis makes no adders of its own around
//        them)
//   3    s = hh * 2^32 + ll + (lh + hl) * 2^16 (the outer products side by side, one add of three
//        terms; a product register must not feed a plain register: Yosys 0.23's synth_ice40
//        -dsp then drives the second one with a constant, docs/fpga.md)
//   4    p = s, plus the previous p when paired
//   5-7  tessera_round_clamp
// So no cycle holds more than one multiplier, or one add of at most three terms, or one wide
// shifter, and the multipliers see neither the select in front nor an adder behind (the ECP5
// ArrayDim 8 critical path was select -> multiplier -> the adder Yosys put behind it).
// shift_i is registered with x_i; it and zp_i / cmin_i / cmax_i (registered in
// tessera_round_clamp's first cycle) are held constant by the caller for a whole command, so
// neither the owner select nor the operand registers reach the shifter or the clamp.
//
// Sharing one lane per column instead of one per sub-unit saves, per column, a 17x32 and a 9x32
// multiplier and two tessera_round_clamp instances (docs/fpga.md).
module tessera_out_lane (
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

  logic [31:0] x_q, m_q;
  logic [5:0]  shift_q;
  logic [2:0]  pair_q;             // pair_q[k] belongs to stage k + 1

  // Halves as 17-bit signed operands: the low half zero-extended, the high half sign-extended.
  logic signed [16:0] x_lo, x_hi, m_lo, m_hi;
  // Products, exact in 34 bits: lo*lo < 2^32, |lo*hi| < 2^31, |hi*hi| <= 2^30.
  logic signed [33:0] ll_q, lh_q, hl_q, hh_q;
  logic        [63:0] s_q, p_q;

  assign x_lo = {1'b0, x_q[15:0]};
  assign x_hi = {x_q[31], x_q[31:16]};
  assign m_lo = {1'b0, m_q[15:0]};
  assign m_hi = {m_q[31], m_q[31:16]};

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid. A paired
  // sum never wraps: ADD's products are below 2^39 in magnitude.
  always_ff @(posedge clk_i) begin
    x_q     <= x_i;
    m_q     <= m_i;
    shift_q <= shift_i;
    pair_q  <= {pair_q[1:0], pair_i};
    ll_q    <= x_lo * m_lo;
    lh_q    <= x_lo * m_hi;
    hl_q    <= x_hi * m_lo;
    hh_q    <= x_hi * m_hi;
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
