// A 9-bit x 9-bit signed product from LUTs and carry chains, for PEs beyond an FPGA's DSP blocks
// (tessera_pe with LutMul = 1). Yosys 0.23 builds a generic `*` of this size from ~240 ECP5 LUT
// cells; this form takes ~140.
//
// The activation arrives recoded as u = a + LutMulBias (tessera_pe_array adds it once per row).
// LutMulBias = 341 has a 1 in the low bit of each 2-bit group, so with g_j = u[2j+1:2j] the
// activation is a = sum_j (g_j - 1) 4^j: five radix-4 digits, each -1, 0, 1 or 2. A digit times w
// is then one LUT4 per bit (a function of g_j and two neighbouring bits of w), where Booth's
// digits (-2..2) would need three select bits and two LUTs per bit. A digit -1 gives ~w, and its
// +1 goes into a bit that is zero in a later row's term (below row 1, row 3, sum23 or row 4), or
// on its own for row 4. Exact for a in [-341, 682], so for every 9-bit a.
module tessera_lut_mul (
  input  logic [9:0]  u_i,   // a + LutMulBias, a signed
  input  logic [8:0]  w_i,   // signed
  output logic [17:0] p_o    // a * w, signed
);

  logic signed [10:0] pp [5];   // digit j times w; ~w for digit -1
  logic [4:0]         neg;      // digit j is -1: the +1 that completes -w
  // Kept so that Yosys builds two short carry chains plus one sum instead of one carry-save tree
  // over all five rows (fewer LUTs).
  (* keep *) logic signed [13:0] sum01, sum23;   // rows 0 + 1 and rows 2 + 3, each in its own units

  always_comb begin
    for (int j = 0; j < 5; j++) begin
      neg[j] = 1'b0;
      unique case (u_i[2*j +: 2])
        2'd0: begin
          pp[j]  = ~{{2{w_i[8]}}, w_i};
          neg[j] = 1'b1;
        end
        2'd1:    pp[j] = '0;
        2'd2:    pp[j] = {{2{w_i[8]}}, w_i};
        default: pp[j] = {w_i[8], w_i, 1'b0};
      endcase
    end
  end

  assign sum01 = 14'(pp[0]) + {pp[1][10], pp[1], 1'b0, neg[0]};
  assign sum23 = 14'(pp[2]) + {pp[3][10], pp[3], 1'b0, neg[2]};
  assign p_o   = {{4{sum01[13]}}, sum01} + {sum23, 1'b0, neg[1], 2'b0}
               + {pp[4][9:0], 1'b0, neg[3], 6'b0} + 18'({neg[4], 8'b0});

endmodule
