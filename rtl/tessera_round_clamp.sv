// Output stage shared by requantization, average pooling and add (docs/quantization.md):
//   out = min(max(rshift_rne(p, s) + zp, cmin), cmax)        (rshift_rne: round half to even)
// returned as a byte. Two register stages (out_o belongs to the p_i of two cycles earlier); s_i
// is used in the first cycle, zp_i / cmin_i / cmax_i in the second, all held constant by the
// caller for a whole command.
//
// The clamp bounds and the zero point are bytes (-128..255), so the rounded quotient matters
// exactly only inside [-2^(LoW-1), 2^(LoW-1)) with LoW = 10: outside it every bound is on the same
// side of zp + quotient as of zp + +-2^(LoW+1), and the quotient is replaced by that. So the
// first stage forms only the low LoW bits of floor(p / 2^s), the round-up bit and an out-of-range
// flag (no adder wider than 12 bits anywhere, and none behind the shifter in the same cycle), and
// the second stage adds and clamps in 12 bits.
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
  // p is sign-extended to 64 bits so every index up to s = 63 exists (synthesis folds the copies).
  logic [InW+63:0]     p_ext;
  logic signed [63:0]  pe, floor_q;
  logic                rbit, sticky, round_up, big;
  logic [63:0]         below, half_oh, above;
  logic [LoW-1:0]      lo_d, lo_q;
  logic                rnd_q, big_q, neg_q;

  always_comb begin
    p_ext   = {{64{p_i[InW-1]}}, p_i};  // explicit: no zero-width replication when InW = 64
    pe      = p_ext[63:0];
    floor_q = pe >>> s_i;
    // Bit s-1 (the half), any bit below it set (the remainder exceeds the half), and a floor bit
    // i - s >= LoW - 1 differing from the sign (floor leaves the LoW-bit range). Masks from
    // shifted constants are decoders in LUTs; comparing each bit index with s instead made Yosys
    // build a carry chain per bit (~600 SB_CARRY per instance on the iCE40).
    below   = ~({64{1'b1}} << s_i) >> 1;        // bits i with i + 1 < s
    half_oh = (64'd1 << s_i) >> 1;              // bit s - 1 (none when s = 0)
    above   = ({64{1'b1}} << s_i) << (LoW - 1); // bits i with i >= s + LoW - 1
    rbit    = |(pe & half_oh);
    sticky  = |(pe & below);
    big     = |((pe ^ {64{pe[63]}}) & above);
    round_up = rbit && (sticky || floor_q[0]);  // rbit is 0 when s = 0
    lo_d     = floor_q[LoW-1:0];
  end

  always_ff @(posedge clk_i) begin
    lo_q  <= lo_d;
    rnd_q <= round_up;
    big_q <= big;
    neg_q <= pe[63];
  end

  // ---- stage 2: + zp, clamp --------------------------------------------------------------------
  logic signed [YW-1:0] q, y, lo_b, hi_b, t;
  logic [7:0]           out_d, out_q;

  always_comb begin
    q    = {{2{lo_q[LoW-1]}}, lo_q} + {{(YW-1){1'b0}}, rnd_q};
    y    = q + {{(YW-9){zp_i[8]}}, zp_i};
    if (big_q) y = neg_q ? {1'b1, {(YW-1){1'b0}}} : {1'b0, {(YW-1){1'b1}}};
    lo_b = {{(YW-9){cmin_i[8]}}, cmin_i};
    hi_b = {{(YW-9){cmax_i[8]}}, cmax_i};
    t    = (y < lo_b) ? lo_b : y;
    t    = (t > hi_b) ? hi_b : t;
    out_d = t[7:0];
  end

  always_ff @(posedge clk_i) begin
    out_q <= out_d;
  end

  assign out_o = out_q;

  logic unused_bits;
  assign unused_bits = ^{p_ext[InW+63:64], floor_q[63:LoW], t[YW-1:8]};

`ifndef SYNTHESIS
  initial begin
    assert (InW >= LoW && InW <= 64) else $error("tessera_round_clamp: InW must be in 10..64");
  end
`endif

endmodule
