// CONV output pipeline for one output lane (docs/quantization.md):
//   v = saturate_int32(acc + bias); p = v * mult; y = rshift_rne(p, shift) + out_zp;
//   out = min(max(y, clamp_min), clamp_max)
// Three register stages (fixed latency of 3 cycles: out_o belongs to the acc_i of three cycles
// earlier) so the 32x32 multiply and the 64-bit rounding shift each get a cycle of their own.
// The parameters are held constant by the caller for a whole command and are not pipelined.
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

  logic signed [32:0] sum;
  logic signed [31:0] v_d, v_q;
  logic signed [63:0] p_d, p_q;
  logic signed [63:0] shifted;
  logic signed [63:0] y;
  logic signed [8:0]  zp_s, cmin_s, cmax_s;
  logic signed [63:0] zp64, cmin64, cmax64;
  logic signed [63:0] clamped;
  logic [7:0]         out_d, out_q;

  // Stage 1: the int64 add of the spec never exceeds 33 bits, then saturates to int32.
  always_comb begin
    sum = $signed({acc_i[31], acc_i}) + $signed({bias_i[31], bias_i});
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

  tessera_rshift_rne u_rshift (
    .p_i (p_q),
    .s_i (shift_i),
    .q_o (shifted)
  );

  // Stage 3: bytes typed by out_signed; the clamp bounds apply in the order max-then-min.
  always_comb begin
    zp_s    = out_signed_i ? {out_zp_i[7], out_zp_i}       : {1'b0, out_zp_i};
    cmin_s  = out_signed_i ? {clamp_min_i[7], clamp_min_i} : {1'b0, clamp_min_i};
    cmax_s  = out_signed_i ? {clamp_max_i[7], clamp_max_i} : {1'b0, clamp_max_i};
    zp64    = {{55{zp_s[8]}}, zp_s};
    cmin64  = {{55{cmin_s[8]}}, cmin_s};
    cmax64  = {{55{cmax_s[8]}}, cmax_s};
    y       = shifted + zp64;
    clamped = (y < cmin64) ? cmin64 : y;
    clamped = (clamped > cmax64) ? cmax64 : clamped;
    out_d   = clamped[7:0];
  end

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    v_q   <= v_d;
    p_q   <= p_d;
    out_q <= out_d;
  end

  assign out_o = out_q;

  logic unused_clamped;
  assign unused_clamped = ^clamped[63:8];

endmodule
