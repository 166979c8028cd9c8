// Output stage shared by requantization, average pooling and add (docs/quantization.md):
//   out = min(max(rshift_rne(p, s) + zp, cmin), cmax)        (rshift_rne: round half to even)
// returned as a byte. Three register stages (out_o belongs to the p_i of three cycles earlier);
// s_i is used in the first cycle; zp_i / cmin_i / cmax_i are registered as they come in the
// first, turned into the clamp constants in the second and used in the third, all held constant
// by the caller for a whole command, so the third cycle starts from registers (on the ECP5
// ArrayDim 4 the path from the compute unit's owner select through the zero-point add and both
// compares was the critical one; then the owner select into the constants, docs/fpga.md fix 52).
//
// The clamp bounds and the zero point are bytes (-128..255), so the rounded quotient matters
// exactly only inside [-2^(LoW-1), 2^(LoW-1)) with LoW = 10: outside it every bound is on the same
// side of zp + quotient as of zp + +-2^(LoW+1), and the quotient is replaced by that. So the
// first two stages form only the low LoW bits of floor(p / 2^s), the round-up bit and an
// out-of-range flag (no adder wider than 12 bits anywhere, and none behind the shifter in the same
// cycle), and the third stage clamps with two 12-bit compares against per-command constants.
module tessera_round_clamp #(
  parameter int unsigned InW = 64   // width of the signed input p_i, 10..64
) (
  input  logic           clk_i,
  input  logic [InW-1:0] p_i,       // signed
  input  logic [5:0]     s_i,       // shift 0..63
  input  logic [8:0]     zp_i,      // signed (a typed byte)
  input  logic [8:0]     cmin_i,    // signed (a typed byte); max(y, cmin) first ...
  input  logic [8:0]     cmax_i,    // ... then min(., cmax)
  output logic [7:0]     out_o
);

  localparam int unsigned LoW = 10;  // quotient bits kept exactly
  localparam int unsigned YW  = LoW + 2;

  // ---- stage 1: floor(p / 2^s) mod 2^LoW, round-up bit, |floor| out of range -----------------
  // In two cycles, so that neither holds the whole 64-bit barrel shifter and mask reduction:
  // 1a shifts by the multiple of 8 in s (s[5:3]) and ORs the masked bits in groups of 8; 1b
  // shifts by s[2:0] and ORs the groups.
  // p is sign-extended to 64 bits so every index up to s = 63 exists (synthesis folds the copies).
  localparam int unsigned CW = LoW + 7;  // coarse quotient bits the shift by s[2:0] can reach
  localparam int unsigned NG = 8;        // groups of 8 bits in the mask reductions
  logic [InW+63:0]     p_ext;
  logic signed [63:0]  pe, coarse;
  logic [63:0]         below, half_oh, above, pe_mag;
  logic [CW-1:0]       coarse_q;
  logic [NG-1:0]       rbit_g_d, sticky_g_d, big_g_d, rbit_g_q, sticky_g_q, big_g_q;
  logic [2:0]          s_lo_q;
  logic                sign1_q;

  always_comb begin
    p_ext  = {{64{p_i[InW-1]}}, p_i};  // explicit: no zero-width replication when InW = 64
    pe     = p_ext[63:0];
    coarse = pe >>> {s_i[5:3], 3'b000};
    // Bit s-1 (the half), any bit below it set (the remainder exceeds the half), and a floor bit
    // i - s >= LoW - 1 differing from the sign (floor leaves the LoW-bit range). Masks from
    // shifted constants are decoders in LUTs; comparing each bit index with s instead made Yosys
    // build a carry chain per bit (~600 SB_CARRY per instance on the iCE40).
    below   = ~({64{1'b1}} << s_i) >> 1;        // bits i with i + 1 < s
    half_oh = (64'd1 << s_i) >> 1;              // bit s - 1 (none when s = 0)
    above   = ({64{1'b1}} << s_i) << (LoW - 1); // bits i with i >= s + LoW - 1
    pe_mag  = pe ^ {64{pe[63]}};
    for (int unsigned g = 0; g < NG; g++) begin
      rbit_g_d[g]   = |(pe[8*g +: 8] & half_oh[8*g +: 8]);
      sticky_g_d[g] = |(pe[8*g +: 8] & below[8*g +: 8]);
      big_g_d[g]    = |(pe_mag[8*g +: 8] & above[8*g +: 8]);
    end
  end

  always_ff @(posedge clk_i) begin
    coarse_q   <= coarse[CW-1:0];
    rbit_g_q   <= rbit_g_d;
    sticky_g_q <= sticky_g_d;
    big_g_q    <= big_g_d;
    s_lo_q     <= s_i[2:0];
    sign1_q    <= pe[63];
  end

  logic [CW-1:0]  fine;
  logic           round_up;
  logic [LoW-1:0] lo_q;
  logic           rnd_q, big_q, neg_q;

  always_comb begin
    fine     = coarse_q >> s_lo_q;
    round_up = (|rbit_g_q) && ((|sticky_g_q) || fine[0]);  // rbit is 0 when s = 0
  end

  always_ff @(posedge clk_i) begin
    lo_q  <= fine[LoW-1:0];
    rnd_q <= round_up;
    big_q <= |big_g_q;
    neg_q <= sign1_q;
  end

  // ---- the command's constants: the bounds registered in the first cycle, formed in the second -
  // The clamp compares of y = q + r + zp (q the quotient lo_q, r the round-up bit) against the
  // bounds are made compares of {q, r} against constants, so the third cycle has no add in front
  // of its compares (K = bound - zp; 2q + r and 2K - 1 are odd, 2K even):
  //   q + r > K  <=>  2q + r > 2K          q + r < K  <=>  2q + r < 2K - 1
  // and 2 * (cmin - zp) - 1 = 2 * cmin + ~(2 * zp), one adder as well. Since min(max(y, lo), hi)
  // is min(lo, hi) whenever y < lo, the lower bound applied is lo_eff, formed from the bounds.
  logic [8:0]           cmin_q, cmax_q, zp_in_q;
  logic signed [YW-1:0] cmin_x, cmax_x, zp_x, khi_q, klo_q;
  logic [7:0]           hi_q, lo_eff_q;   // the output byte of each bound
  logic [7:0]           zp_q;

  always_ff @(posedge clk_i) begin
    cmin_q  <= cmin_i;
    cmax_q  <= cmax_i;
    zp_in_q <= zp_i;
  end

  always_comb begin
    cmin_x = {{(YW-10){cmin_q[8]}}, cmin_q, 1'b0};
    cmax_x = {{(YW-10){cmax_q[8]}}, cmax_q, 1'b0};
    zp_x   = {{(YW-10){zp_in_q[8]}}, zp_in_q, 1'b0};
  end

  always_ff @(posedge clk_i) begin
    khi_q    <= cmax_x - zp_x;
    klo_q    <= cmin_x + ~zp_x;
    hi_q     <= cmax_q[7:0];
    lo_eff_q <= ($signed(cmin_q) > $signed(cmax_q)) ? cmax_q[7:0] : cmin_q[7:0];
    zp_q     <= zp_in_q[7:0];
  end

  // ---- stage 2 (third cycle): clamp ---------------------------------------------------------
  // The two compares of {q, r} and the 8-bit sum q + r + zp (all the output needs of y) run side
  // by side, then one select. Out of range (big_q), y is replaced by which side it lies on.
  logic signed [YW-1:0] qr;
  logic [7:0]           y, out_d, out_q;
  logic                 over_hi, under_lo;

  always_comb begin
    qr       = {{(YW-1-LoW){lo_q[LoW-1]}}, lo_q, rnd_q};
    y        = lo_q[7:0] + zp_q + {7'd0, rnd_q};
    over_hi  = big_q ? !neg_q : (qr > khi_q);
    under_lo = big_q ? neg_q : (qr < klo_q);
    out_d    = over_hi ? hi_q : (under_lo ? lo_eff_q : y);
  end

  always_ff @(posedge clk_i) begin
    out_q <= out_d;
  end

  assign out_o = out_q;

  logic unused_bits;
  assign unused_bits = ^{p_ext[InW+63:64], coarse[63:CW], fine[CW-1:LoW]};

`ifndef SYNTHESIS
  initial begin
    assert (InW >= LoW && InW <= 64) else $error("tessera_round_clamp: InW must be in 10..64");
  end
`endif

endmodule
