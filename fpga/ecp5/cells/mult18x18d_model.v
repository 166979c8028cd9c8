// Simulation model of the part of Lattice's ECP5 MULT18X18D that fpga/ecp5/cells/tessera_mul18.v
// uses, written from the ECP5 sysDSP usage guide (FPGA-TN-02205): P = A * B with A and B signed
// or unsigned by SIGNEDA / SIGNEDB, and the input, pipeline and output registers each either off
// ("NONE") or on clock 0 ("CLK0", enabled by CE0, synchronously reset by RST0). Yosys ships this
// primitive as a black box only; tests/fpga simulates the ECP5 cell with this model. Not a model
// of the cascade (SOURCEA/B, SRIA/B), the C input or the other clocks: they must be tied off.
// verilator lint_off DECLFILENAME
// verilator lint_off UNUSEDSIGNAL
// verilator lint_off UNUSEDPARAM
module MULT18X18D #(
  parameter REG_INPUTA_CLK   = "NONE",
  parameter REG_INPUTA_CE    = "CE0",
  parameter REG_INPUTA_RST   = "RST0",
  parameter REG_INPUTB_CLK   = "NONE",
  parameter REG_INPUTB_CE    = "CE0",
  parameter REG_INPUTB_RST   = "RST0",
  parameter REG_PIPELINE_CLK = "NONE",
  parameter REG_PIPELINE_CE  = "CE0",
  parameter REG_PIPELINE_RST = "RST0",
  parameter REG_OUTPUT_CLK   = "NONE",
  parameter REG_OUTPUT_CE    = "CE0",
  parameter REG_OUTPUT_RST   = "RST0"
) (
  input  A0, A1, A2, A3, A4, A5, A6, A7, A8, A9, A10, A11, A12, A13, A14, A15, A16, A17,
  input  B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10, B11, B12, B13, B14, B15, B16, B17,
  input  C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17,
  input  SIGNEDA, SIGNEDB, SOURCEA, SOURCEB,
  input  CLK0, CLK1, CLK2, CLK3,
  input  CE0, CE1, CE2, CE3,
  input  RST0, RST1, RST2, RST3,
  output P0, P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12, P13, P14, P15, P16, P17,
  output P18, P19, P20, P21, P22, P23, P24, P25, P26, P27, P28, P29, P30, P31, P32, P33, P34, P35
);

  wire [17:0] a = {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
  wire [17:0] b = {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};

  reg  [18:0] a_q, b_q;        // operand and its signedness
  reg  [35:0] pipe_q, out_q;

  always @(posedge CLK0) begin
    if (RST0) begin
      a_q    <= 19'd0;
      b_q    <= 19'd0;
      pipe_q <= 36'd0;
      out_q  <= 36'd0;
    end else if (CE0) begin
      a_q    <= {SIGNEDA, a};
      b_q    <= {SIGNEDB, b};
      pipe_q <= mult;
      out_q  <= pipe;
    end
  end

  wire [18:0] a_in = (REG_INPUTA_CLK == "CLK0") ? a_q : {SIGNEDA, a};
  wire [18:0] b_in = (REG_INPUTB_CLK == "CLK0") ? b_q : {SIGNEDB, b};
  wire signed [18:0] a_ext = {a_in[18] & a_in[17], a_in[17:0]};
  wire signed [18:0] b_ext = {b_in[18] & b_in[17], b_in[17:0]};
  wire signed [37:0] prod  = a_ext * b_ext;
  wire [35:0] mult = prod[35:0];
  wire [35:0] pipe = (REG_PIPELINE_CLK == "CLK0") ? pipe_q : mult;
  wire [35:0] p    = (REG_OUTPUT_CLK == "CLK0") ? out_q : pipe;

  assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18,
          P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = p;

endmodule
// verilator lint_on UNUSEDPARAM
// verilator lint_on UNUSEDSIGNAL
// verilator lint_on DECLFILENAME
