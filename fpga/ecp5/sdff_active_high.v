// Synchronous resets with active-low polarity (the RTL's rst_ni) for synth_ecp5.
//
// Yosys 0.23's synth_ecp5 legalizes flip-flops to active-high synchronous resets only, and it
// emulates every other one with a LUT in front of each flip-flop's data input: one LUT4 per
// reset flip-flop (e.g. 49 of a PE's 61 LUT4s). These cells flip the polarity instead; the
// inverter they add is the same for every flip-flop, so opt_merge leaves one, and TRELLIS_FF's
// own set/reset input (SRMODE LSR_OVER_CE) does the reset. Run between synth_ecp5's begin:map_ffs
// and map_ffs: steps (fpga/ecp5/synth.ys).
module \$_SDFF_PN0_ (input D, C, R, output Q);
  \$_SDFF_PP0_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .Q(Q));
endmodule
module \$_SDFFE_PN0P_ (input D, C, R, E, output Q);
  \$_SDFFE_PP0P_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFE_PN0N_ (input D, C, R, E, output Q);
  \$_SDFFE_PP0N_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFCE_PN0P_ (input D, C, R, E, output Q);
  \$_SDFFCE_PP0P_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFCE_PN0N_ (input D, C, R, E, output Q);
  \$_SDFFCE_PP0N_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFF_PN1_ (input D, C, R, output Q);
  \$_SDFF_PP1_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .Q(Q));
endmodule
module \$_SDFFE_PN1P_ (input D, C, R, E, output Q);
  \$_SDFFE_PP1P_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFE_PN1N_ (input D, C, R, E, output Q);
  \$_SDFFE_PP1N_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFCE_PN1P_ (input D, C, R, E, output Q);
  \$_SDFFCE_PP1P_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
module \$_SDFFCE_PN1N_ (input D, C, R, E, output Q);
  \$_SDFFCE_PP1N_ _TECHMAP_REPLACE_ (.D(D), .C(C), .R(~R), .E(E), .Q(Q));
endmodule
