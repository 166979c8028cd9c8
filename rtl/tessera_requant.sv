// CONV output pipeline for one output lane (docs/quantization.md):
//   v = saturate_int32(acc + bias); p = v * mult; y = rshift_rne(p, shift) + out_zp;
//   out = min(max(y, clamp_min), clamp_max)
// Five register stages (fixed latency: out_o belongs to the acc_i of five cycles earlier): the
// input (acc_i comes straight from an ACC read plus an add), the saturating bias add, the 32x32
// multiply, and the two stages of tessera_round_clamp, so no cycle holds more than one wide
// carry chain. The parameters are held constant by the caller for a whole command.
module tessera_requant (
  input  logic        clk_i,
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,
  input  logic [31:0] mult_i,
  input  logic [5:0]  shift_i,
  input  logic [7:0]  out_zp_i,     // raw bytes, typed by out_signed_i
  input  logic [7:0]  clamp_min_i,
  input  logic [7:0]  clamp_max_i,
  input  logic        out_signed_i,
  output logic [7:0]  out_o         // raw output byte
);

  logic [31:0]        acc_q;
  logic signed [32:0] sum;
  logic signed [31:0] v_d, v_q;
  logic signed [63:0] p_d, p_q;

  // Stage 1: the int64 add of the spec never exceeds 33 bits, then saturates to int32.
  always_comb begin
    sum = $signed({acc_q[31], acc_q}) + $signed({bias_i[31], bias_i});
    if (sum > 33'sh0_7fff_ffff)       v_d = 32'sh7fff_ffff;
    else if (sum < -33'sh0_8000_0000) v_d = -32'sh8000_0000;
    else                              v_d = sum[31:0];
  end

  // Stage 2: |v| <= 2^31 and |mult| <= 2^31, so the product is exact in 64 bits.
  // Operands are sign-extended explicitly (rather than with size casts) so every tool agrees.
  logic signed [63:0] v_ext, mult_ext;
  assign v_ext    = {{32{v_q[31]}}, v_q};
  assign mult_ext = {{32{mult_i[31]}}, mult_i};
  assign p_d      = v_ext * mult_ext;

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    acc_q <= acc_i;
    v_q   <= v_d;
    p_q   <= p_d;
  end

  // Stages 3 and 4: round, add the zero point, clamp (bytes typed by out_signed).
  tessera_round_clamp #(
    .InW (64)
  ) u_round_clamp (
    .clk_i  (clk_i),
    .p_i    (p_q),
    .s_i    (shift_i),
    .zp_i   ({out_signed_i & out_zp_i[7], out_zp_i}),
    .cmin_i ({out_signed_i & clamp_min_i[7], clamp_min_i}),
    .cmax_i ({out_signed_i & clamp_max_i[7], clamp_max_i}),
    .out_o  (out_o)
  );

endmodule
