// Signed right shift with round-half-to-even (docs/quantization.md, rshift_rne):
// q = round_half_even(p / 2^s). Combinational; shared by requantization, average pooling and add.
module tessera_rshift_rne (
  input  logic signed [63:0] p_i,
  input  logic        [5:0]  s_i,
  output logic signed [63:0] q_o
);

  logic signed [63:0] floor_q;
  logic        [63:0] rem, half, mask;
  logic               round_up;

  always_comb begin
    floor_q  = p_i >>> s_i;
    mask     = (64'd1 << s_i) - 64'd1;
    rem      = p_i & mask;
    half     = (s_i == 6'd0) ? 64'd0 : (64'd1 << (s_i - 6'd1));
    round_up = (s_i != 6'd0) && ((rem > half) || ((rem == half) && floor_q[0]));
    q_o      = floor_q + {63'd0, round_up};
  end

endmodule
