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
  logic [63:0]        p_q;

  // Stage 1: the int64 add of the spec never exceeds 33 bits, then saturates to int32.
  always_comb begin
    sum = $signed({acc_q[31], acc_q}) + $signed({bias_i[31], bias_i});
    if (sum > 33'sh0_7fff_ffff)       v_d = 32'sh7fff_ffff;
    else if (sum < -33'sh0_8000_0000) v_d = -32'sh8000_0000;
    else                              v_d = sum[31:0];
  end

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    acc_q <= acc_i;
    v_q   <= v_d;
  end

  // Stages 3 and 4: |v| <= 2^31 and |mult| <= 2^31, so the product is exact in 64 bits.
  tessera_mul_s32 #(
    .XW (32)
  ) u_mul (
    .clk_i (clk_i),
    .x_i   (v_q),
    .m_i   (mult_i),
    .p_o   (p_q)
  );

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
