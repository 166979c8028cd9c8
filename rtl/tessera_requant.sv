// CONV output pipeline for one output lane (docs/quantization.md):
//   v = saturate_int32(acc + bias); p = v * mult; y = rshift_rne(p, shift) + out_zp;
//   out = min(max(y, clamp_min), clamp_max)
// Seven register stages (fixed latency: out_o belongs to the acc_i of seven cycles earlier): the
// input (acc_i comes straight from an ACC read plus an add), the saturating bias add, the 32x32
// multiply as two partial products and their sum, and the three stages of tessera_round_clamp, so
// no cycle holds more than one wide carry chain. The parameters are held constant by the caller
// for a whole command.
module tessera_requant (
  input  logic        clk_i,
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,
  input  logic [31:0] mult_i,
  input  logic [5:0]  shift_i,
  input  logic [8:0]  out_zp_i,     // typed bytes (signed 9 bit), from registers
  input  logic [8:0]  clamp_min_i,
  input  logic [8:0]  clamp_max_i,
  output logic [7:0]  out_o         // raw output byte
);

  logic [31:0]        acc_q;
  logic signed [32:0] sum;
  logic signed [31:0] v_d, v_q;
  logic signed [48:0] plo_d, plo_q;  // v * mult[15:0] (unsigned half): exact
  logic signed [47:0] phi_d, phi_q;  // v * mult[31:16] (signed half): exact
  logic signed [63:0] p_d, p_q;

  // Stage 1: the int64 add of the spec never exceeds 33 bits, then saturates to int32.
  always_comb begin
    sum = $signed({acc_q[31], acc_q}) + $signed({bias_i[31], bias_i});
    if (sum > 33'sh0_7fff_ffff)       v_d = 32'sh7fff_ffff;
    else if (sum < -33'sh0_8000_0000) v_d = -32'sh8000_0000;
    else                              v_d = sum[31:0];
  end

  // Stages 2 and 3: |v| <= 2^31 and |mult| <= 2^31, so the product is exact in 64 bits. It is
  // formed as two registered partial products (each a pair of 18x18 multipliers and their add)
  // and then their registered sum, as in tessera_pool_unit: one multiplier-and-add or one 64-bit
  // carry chain per cycle instead of four multipliers and a 64-bit adder tree.
  // Operands are sign-extended explicitly (rather than with size casts) so every tool agrees.
  logic signed [48:0] v_lo_ext, mult_lo_ext;
  logic signed [47:0] v_hi_ext, mult_hi_ext;
  assign v_lo_ext    = {{17{v_q[31]}}, v_q};
  assign mult_lo_ext = {33'd0, mult_i[15:0]};
  assign v_hi_ext    = {{16{v_q[31]}}, v_q};
  assign mult_hi_ext = {{32{mult_i[31]}}, mult_i[31:16]};
  assign plo_d       = v_lo_ext * mult_lo_ext;
  assign phi_d       = v_hi_ext * mult_hi_ext;
  assign p_d         = {phi_q, 16'd0} + {{15{plo_q[48]}}, plo_q};

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    acc_q <= acc_i;
    v_q   <= v_d;
    plo_q <= plo_d;
    phi_q <= phi_d;
    p_q   <= p_d;
  end

  // Stages 5 to 7: round, add the zero point, clamp.
  tessera_round_clamp #(
    .InW (64)
  ) u_round_clamp (
    .clk_i  (clk_i),
    .p_i    (p_q),
    .s_i    (shift_i),
    .zp_i   (out_zp_i),
    .cmin_i (clamp_min_i),
    .cmax_i (clamp_max_i),
    .out_o  (out_o)
  );

endmodule
