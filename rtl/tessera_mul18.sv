// A multiply with its operands and its product registered: p_o is the exact product of the a_i
// and b_i of two cycles earlier. That is the shape of an FPGA DSP block with its own input and
// output registers, so no fabric logic or fabric routing sits between registers on either side of
// the multiplier. Operands are up to 18 bits signed or 17 bits unsigned (one MULT18X18D; widths
// of 16 or less fit one SB_MAC16 or DSP48E1). Yosys infers this form with the registers inside
// SB_MAC16 and DSP48E1; synth_ecp5 (Yosys 0.23) leaves them in the fabric, so the ECP5 flow
// replaces this file with fpga/ecp5/cells/tessera_mul18.v, a MULT18X18D instance with its input
// and output registers on (docs/fpga.md fix 48).
module tessera_mul18 #(
  parameter int unsigned AW      = 18,
  parameter int unsigned BW      = 18,
  parameter bit          ASigned = 1'b1,
  parameter bit          BSigned = 1'b1,
  localparam int unsigned PW     = AW + BW + 1   // room for any sign combination
) (
  input  logic          clk_i,
  input  logic [AW-1:0] a_i,
  input  logic [BW-1:0] b_i,
  output logic [PW-1:0] p_o   // signed
);

  logic [AW-1:0]        a_q;
  logic [BW-1:0]        b_q;
  logic signed [AW:0]   a_ext;
  logic signed [BW:0]   b_ext;
  logic signed [PW-1:0] p_q;

  assign a_ext = {ASigned && a_q[AW-1], a_q};
  assign b_ext = {BSigned && b_q[BW-1], b_q};

  // Datapath registers only: no reset, as in the DSP blocks; callers track validity.
  always_ff @(posedge clk_i) begin
    a_q <= a_i;
    b_q <= b_i;
    p_q <= PW'(a_ext * b_ext);
  end

  assign p_o = p_q;

`ifndef SYNTHESIS
  initial begin
    assert ((ASigned ? AW : AW + 1) <= 18 && (BSigned ? BW : BW + 1) <= 18 && PW <= 36)
      else $error("tessera_mul18: the operands do not fit an 18 x 18 signed multiplier");
  end
`endif

endmodule
