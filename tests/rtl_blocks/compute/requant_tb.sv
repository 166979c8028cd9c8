// Test top for the requantization of one CONV output column as the compute unit builds it:
// tessera_bias_sat (in the conv unit) followed by that column's tessera_out_lane.
module requant_tb (
  input  logic        clk_i,
  input  logic [31:0] acc_i,
  input  logic [31:0] bias_i,
  input  logic [31:0] mult_i,
  input  logic [5:0]  shift_i,
  input  logic [8:0]  out_zp_i,
  input  logic [8:0]  clamp_min_i,
  input  logic [8:0]  clamp_max_i,
  output logic [7:0]  out_o
);

  logic [31:0] v;

  tessera_bias_sat u_bias_sat (
    .clk_i  (clk_i),
    .acc_i  (acc_i),
    .bias_i (bias_i),
    .v_o    (v)
  );

  tessera_out_lane u_lane (
    .clk_i   (clk_i),
    .x_i     (v),
    .m_i     (mult_i),
    .pair_i  (1'b0),
    .shift_i (shift_i),
    .zp_i    (out_zp_i),
    .cmin_i  (clamp_min_i),
    .cmax_i  (clamp_max_i),
    .out_o   (out_o)
  );

endmodule
