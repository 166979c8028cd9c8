// x * m for a signed XW-bit x and a signed 32-bit m, exact in XW + 32 bits, in two register
// stages (p_o belongs to the x_i / m_i of two cycles earlier): first the two partial products
// x * m[15:0] (the unsigned half) and x * m[31:16] (the signed half), each within a pair of 18x18
// multipliers, then their sum. So no cycle holds more than one multiplier and its add, or one
// wide carry chain (the FPGA targets' Fmax). Used by the requantization and POOL lanes.
// Operands are sign-extended explicitly (rather than with size casts) so every tool agrees.
module tessera_mul_s32 #(
  parameter int unsigned XW = 32
) (
  input  logic           clk_i,
  input  logic [XW-1:0]  x_i,   // signed
  input  logic [31:0]    m_i,   // signed
  output logic [XW+31:0] p_o    // signed
);

  logic signed [XW+16:0] x_lo, m_lo, lo_q;  // x * m[15:0]: exact in XW + 17 bits
  logic signed [XW+15:0] x_hi, m_hi, hi_q;  // x * m[31:16]: exact in XW + 16 bits
  logic        [XW+31:0] p_q;

  assign x_lo = {{17{x_i[XW-1]}}, x_i};
  assign m_lo = {{(XW+1){1'b0}}, m_i[15:0]};
  assign x_hi = {{16{x_i[XW-1]}}, x_i};
  assign m_hi = {{XW{m_i[31]}}, m_i[31:16]};

  // Datapath registers only: no reset needed, the caller tracks which outputs are valid.
  always_ff @(posedge clk_i) begin
    lo_q <= x_lo * m_lo;
    hi_q <= x_hi * m_hi;
    p_q  <= {hi_q, 16'd0} + {{15{lo_q[XW+16]}}, lo_q};
  end

  assign p_o = p_q;

endmodule
