// Weight-stationary systolic array of Rows x Cols tessera_pe. Row r holds input channel r, column
// c output channel c. Activations enter at the left of each row and move one column per cycle;
// partial sums start at zero in row 0 and move one row per cycle; column c's result leaves the
// bottom row. The caller skews the inputs: the activation of row r must enter r cycles after row
// 0's, and then column c's sum of a vector appears on psum_o Rows + 2 cycles after the vector
// entered row 0 (a cycle per row, plus the first row's factor and product registers), plus c
// cycles.
// Row r adds in 18 + clog2(r+1) bits, which hold any sum of r+1 products exactly (tessera_pe).
//
// The last LutMulRows rows build their products from LUTs (tessera_lut_mul), for FPGAs with fewer
// DSP blocks than PEs; such a row adds LutMulBias to its activation as it enters, and the recoded
// activation (10 bits) moves along the row.
//
// Weights are written one row per cycle through a bus shared by all rows (wgt_row_i selects the
// row, wgt_buf_i the buffer). The PE-to-PE links are unpacked arrays of plain logic, so Verilator
// keeps them as separate words instead of one wide packed vector (see TOOLCHAIN.md).
module tessera_pe_array #(
  parameter int unsigned Rows = 16,
  parameter int unsigned Cols = 16,
  parameter int unsigned LutMulRows = 0,
  localparam int unsigned RowW = (Rows > 1) ? $clog2(Rows) : 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic [9*Rows-1:0]    act_i,       // row r: bits [9r +: 9], signed a - act_zp
  input  logic [Rows-1:0]      act_buf_i,   // row r: weight buffer of that activation
  input  logic                 wgt_we_i,
  input  logic [RowW-1:0]      wgt_row_i,
  input  logic                 wgt_buf_i,
  input  logic [9*Cols-1:0]    wgt_i,       // column c: bits [9c +: 9], signed w - wzp[c]
  output logic [32*Cols-1:0]   psum_o       // column c: bits [32c +: 32]
);

  // psum_w[r*Cols + c] enters PE (r, c) from above.
  logic [31:0] psum_w [(Rows+1)*Cols];
  logic [Rows-1:0] unused_act;

  for (genvar r = 0; r < Rows; r++) begin : g_row
    localparam bit          LutRow = r + LutMulRows >= Rows;
    localparam int unsigned ActW   = LutRow ? 10 : 9;
    // act_w[c] and act_buf_w[c] enter PE (r, c).
    logic [ActW-1:0] act_w     [Cols+1];
    logic            act_buf_w [Cols+1];
    logic            row_we;
    assign row_we = wgt_we_i && (wgt_row_i == RowW'(r));
    if (LutRow) begin : g_recode
      assign act_w[0] = {act_i[9*r + 8], act_i[9*r +: 9]} + tessera_arith_pkg::LutMulBias;
    end else begin : g_plain
      assign act_w[0] = act_i[9*r +: 9];
    end
    assign act_buf_w[0] = act_buf_i[r];
    // The activations leaving the right edge are not used.
    assign unused_act[r] = (^act_w[Cols]) ^ act_buf_w[Cols];
    for (genvar c = 0; c < Cols; c++) begin : g_col
      tessera_pe #(
        .PsumW  (18 + $clog2(r + 1)),
        .LutMul (LutRow)
      ) u_pe (
        .clk_i     (clk_i),
        .rst_ni    (rst_ni),
        .act_i     (act_w[c]),
        .act_buf_i (act_buf_w[c]),
        .act_o     (act_w[c + 1]),
        .act_buf_o (act_buf_w[c + 1]),
        .wgt_we_i  (row_we),
        .wgt_buf_i (wgt_buf_i),
        .wgt_i     (wgt_i[9*c +: 9]),
        .psum_i    (psum_w[r*Cols + c]),
        .psum_o    (psum_w[(r+1)*Cols + c])
      );
    end
  end

  for (genvar c = 0; c < Cols; c++) begin : g_io
    assign psum_w[c]               = '0;
    assign psum_o[32*c +: 32]      = psum_w[Rows*Cols + c];
  end


`ifndef SYNTHESIS
  initial begin
    assert (Rows >= 1 && Rows <= 64) else $error("tessera_pe_array: Rows out of range");
    assert (Cols >= 1 && Cols <= 64) else $error("tessera_pe_array: Cols out of range");
    assert (LutMulRows <= Rows) else $error("tessera_pe_array: LutMulRows exceeds Rows");
  end
`endif

endmodule
