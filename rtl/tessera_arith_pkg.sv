// Small arithmetic helpers and constants shared by several modules.
package tessera_arith_pkg;

  // tessera_lut_mul's activation recoding: a + LutMulBias splits into radix-4 digits minus one
  // (341 = 0b01_0101_0101).
  localparam logic [9:0] LutMulBias = 10'd341;

  // s * x modulo 2^16 for a small factor s (a stride, dilation or padding: 4 bits) as shifted
  // adds. Address-step products are formed once per command, and on the ECP5 a `*` would take a
  // MULT18X18D each, which ArrayDim 8 needs for its lanes; callers keep the low address bits.
  // The four terms are added as a tree, two carry chains deep (a running sum made four, and the
  // POOL unit's first-window address behind it was the ECP5 ArrayDim 4 critical path).
  function automatic logic [15:0] mul_small(input logic [3:0] s, input logic [15:0] x);
    logic [15:0] lo, hi;
    lo = (s[0] ? x : 16'd0) + (s[1] ? (x << 1) : 16'd0);
    hi = (s[2] ? (x << 2) : 16'd0) + (s[3] ? (x << 3) : 16'd0);
    mul_small = lo + hi;
  endfunction

endpackage
