// One output lane of the compute unit (docs/architecture.md, docs/quantization.md), shared by
// CONV's requantization, POOL and ADD (only one of them runs at a time):
//   p   = x * m                  (signed 32 x signed 32, exact in 64 bits)
//   p   = p + p_prev  if pair    (ADD: the B product is added to the A product of the cycle before)
//   out = min(max(rshift_rne(p, shift) + zp, cmin), cmax)
// Five register stages (out_o belongs to the x_i / m_i / pair_i of five cycles earlier): the
// multiply as two partial products, x * m[15:0] (the unsigned half) and x * m[31:16] (the signed
// half), each within a pair of 18x18 multipliers, then their sum (plus the previous sum when
// paired), then the three stages of tessera_round_clamp. So no cycle holds more than one
// multiplier, or one add of at most three terms, or one wide shifter (the FPGA targets' Fmax).
// shift_i is used two cycles after x_i, zp_i / cmin_i / cmax_i four cycles after; the caller
// holds them constant for a whole command.
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

  // Operands are sign-extended explicitly (rather than with size casts) so every tool agrees.
  logic signed [48:0] x_lo, m_lo, lo_q;  // x * m[15:0]: exact in 49 bits
  logic signed [47:0] x_hi, m_hi, hi_q;  // x * m[31:16]: exact in 48 bits
  logic        [63:0] p_q;
  logic               pair_q;

  assign x_lo = {{17{x_i[31]}}, x_i};
  assign m_lo = {33'd0, m_i[15:0]};
  assign x_hi = {{16{x_i[31]}}, x_i};
  assign m_hi = {{32{m_i[31]}}, m_i[31:16]};

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid. A paired
  // sum never wraps: ADD's products are below 2^39 in magnitude.
  always_ff @(posedge clk_i) begin
    lo_q   <= x_lo * m_lo;
    hi_q   <= x_hi * m_hi;
    pair_q <= pair_i;
    p_q    <= {hi_q, 16'd0} + {{15{lo_q[48]}}, lo_q} + (pair_q ? p_q : 64'd0);
  end

  tessera_round_clamp #(
    .InW (64)
  ) u_round_clamp (
    .clk_i  (clk_i),
    .p_i    (p_q),
    .s_i    (shift_i),
    .zp_i   (zp_i),
    .cmin_i (cmin_i),
    .cmax_i (cmax_i),
    .out_o  (out_o)
  );

endmodule
