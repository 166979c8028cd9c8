// tessera_mul18 in the operand shapes Tessera uses (9 x 9 signed in the PE, the four 16 x 16
// sign combinations of the output lane's partial products), driven with random and extreme
// operands; every product must equal the plain product of the operands of two cycles earlier.
// Built twice by tests/fpga: with rtl/tessera_mul18.sv and with the ECP5 cell
// (fpga/ecp5/cells/tessera_mul18.v on the MULT18X18D model), so both forms meet the same check.
module mul18_tb;
  logic clk = 1'b0;
  always #5 clk <= !clk;

  localparam int Cycles = 20000;

  logic [8:0]  a9, b9;
  logic [15:0] a16, b16;
  logic [18:0] p9;
  logic [32:0] p_uu, p_us, p_su, p_ss;

  tessera_mul18 #(.AW (9),  .BW (9))                                   u_9 (clk, a9, b9, p9);
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b0), .BSigned (1'b0)) u_uu (clk, a16, b16, p_uu);
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b0), .BSigned (1'b1)) u_us (clk, a16, b16, p_us);
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b1), .BSigned (1'b0)) u_su (clk, a16, b16, p_su);
  tessera_mul18 #(.AW (16), .BW (16), .ASigned (1'b1), .BSigned (1'b1)) u_ss (clk, a16, b16, p_ss);

  // The operands driven in the cycle that just ended ([0]) and in the one before ([1]).
  logic [8:0]  a9_h [2], b9_h [2];
  logic [15:0] a16_h [2], b16_h [2];
  int errors = 0;

  function automatic logic [15:0] pick16(input int k);
    case (k % 8)
      0: return 16'h8000;
      1: return 16'h7fff;
      2: return 16'hffff;
      3: return 16'h0000;
      default: return 16'($urandom);
    endcase
  endfunction

  task automatic check(input string what, input longint got, input longint want);
    if (got != want) begin
      if (errors < 10) $display("mul18_tb: %s: got %0d, expected %0d", what, got, want);
      errors++;
    end
  endtask

  initial begin
    for (int cyc = 0; cyc < Cycles; cyc++) begin
      a9  = 9'($urandom);
      b9  = (cyc % 5 == 0) ? 9'h100 : 9'($urandom);
      a16 = (cyc % 3 == 0) ? pick16(cyc / 3) : 16'($urandom);
      b16 = (cyc % 7 == 0) ? pick16(cyc / 7 + 1) : 16'($urandom);
      @(posedge clk);
      a9_h[1] = a9_h[0];   a9_h[0] = a9;
      b9_h[1] = b9_h[0];   b9_h[0] = b9;
      a16_h[1] = a16_h[0]; a16_h[0] = a16;
      b16_h[1] = b16_h[0]; b16_h[0] = b16;
      #1;
      if (cyc >= 1) begin
        // This is cycle cyc + 1: its products belong to the operands of cycle cyc - 1.
        longint sa9, sb9, ua, ub, sa, sb;
        sa9 = longint'($signed(a9_h[1]));
        sb9 = longint'($signed(b9_h[1]));
        ua  = longint'(a16_h[1]);
        ub  = longint'(b16_h[1]);
        sa  = longint'($signed(a16_h[1]));
        sb  = longint'($signed(b16_h[1]));
        check("9 x 9 signed", longint'($signed(p9)), sa9 * sb9);
        check("16 x 16 unsigned", longint'($signed(p_uu)), ua * ub);
        check("16 unsigned x 16 signed", longint'($signed(p_us)), ua * sb);
        check("16 signed x 16 unsigned", longint'($signed(p_su)), sa * ub);
        check("16 x 16 signed", longint'($signed(p_ss)), sa * sb);
      end
    end
    if (errors != 0) $fatal(1, "mul18_tb: %0d wrong products", errors);
    $display("mul18_tb: %0d cycles, all products right", Cycles);
    $finish;
  end
endmodule
