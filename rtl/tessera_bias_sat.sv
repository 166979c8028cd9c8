// First two of the nine requantization stages of a CONV output column (docs/quantization.md):
//   v = saturate_int32(acc + bias)
// The sum straight from the ACC add is registered, then the saturating add is registered (the
// int64 add of the spec never exceeds 33 bits), so v_o belongs to the acc_i of two cycles
// earlier. v_o goes on to the column's shared output lane (tessera_out_lane).
module tessera_bias_sat (
  input  logic        clk_i,
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,   // held by the caller while its values pass
  output logic [31:0] v_o
);

  logic [31:0]        acc_q;
  logic signed [32:0] sum;
  logic signed [31:0] v_d, v_q;

  // The sum is out of int32 range exactly when its top two bits differ, and then bit 32 gives
  // the direction: one carry chain and a select, where comparing the sum with both bounds put two
  // more chains behind the add (12.0 ns on the ECP5, docs/fpga.md fix 49).
  always_comb begin
    sum = $signed({acc_q[31], acc_q}) + $signed({bias_i[31], bias_i});
    if (sum[32] != sum[31]) v_d = {sum[32], {31{!sum[32]}}};
    else                    v_d = sum[31:0];
  end

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    acc_q <= acc_i;
    v_q   <= v_d;
  end

  assign v_o = v_q;

endmodule
