// Implicit-GEMM address generator of CONV (docs/isa.md). Walks the weight tiles (ky, kx, g) in the
// outer loops and the output pixels (oy, ox) in the inner loops, and for each pixel gives the ABUF
// word of its activation vector
//   abuf_addr + (iy*in_w + ix)*cg + g,  iy = oy*stride_h + ky*dil_h - pad_top,
//                                       ix = ox*stride_w + kx*dil_w - pad_left
// plus whether (iy, ix) is padding, and the pixel's ACC word acc_addr + oy*out_w + ox.
//
// The address is kept incrementally: every step adds one of a few per-command constants, which
// are the only products and are formed in the three set-up cycles after start_i, one product or
// one subtraction per cycle (the conv unit's own set-up takes as long, so they cost no time).
// All address arithmetic is modulo 2^AbufAw: the dispatcher guarantees every non-padding address
// lies below AbufWords, and a linear function evaluated modulo 2^AbufAw gives those exactly; the
// addresses of padding positions are wrong but never read. Padding is decided on the exact
// signed (iy, ix).
module tessera_conv_addr_gen #(
  parameter int unsigned AbufAw = 12,
  parameter int unsigned AccAw  = 10
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  input  logic              start_i,    // a CONV command on cmd_i; ready_o rises 4 cycles later
  input  logic [255:0]      cmd_i,
  input  logic              flush_i,
  output logic              ready_o,    // the outputs below describe a pixel not yet issued
  input  logic              step_i,     // issue that pixel and move on (only while ready_o)
  output logic [AbufAw-1:0] abuf_addr_o,
  output logic              pad_o,
  output logic [AccAw-1:0]  acc_addr_o,
  output logic              first_tile_o,
  output logic              last_tile_o,
  output logic              last_px_o   // last pixel of the current tile
);

  localparam int unsigned CW = 18;  // signed iy / ix: |oy*stride_h + ky*dil_h| < 2^16 + 2^8

  typedef enum logic [2:0] {StIdle, StSetup1, StSetup2, StSetup3, StRun} state_e;
  state_e state_d, state_q;

  // Command fields, latched at start.
  logic [11:0] in_h_q, in_w_q, out_h_q, out_w_q;
  logic [3:0]  kh_q, kw_q, sh_q, sw_q, dh_q, dw_q, pt_q, pl_q;
  logic [15:0] cg_q;
  // The loop bounds minus one, formed in StSetup1. The last-iteration flags that end a tile and
  // a command are registers, compared against the next loop state, so the conv unit's issue and
  // accept logic (and the dispatcher behind it) starts from flip-flops.
  logic [11:0] out_h_m1_q, out_w_m1_q;
  logic [15:0] cg_m1_q;
  logic [3:0]  kh_m1_q, kw_m1_q;
  logic [AbufAw-1:0] abuf_base_q;
  logic [AccAw-1:0]  acc_base_q;

  // Per-command constants (modulo 2^AbufAw).
  logic [AbufAw-1:0] cgw_d, cgw_q;        // in_w*cg: one input row
  logic [AbufAw-1:0] st_ox_d, st_ox_q;    // stride_w*cg
  logic [AbufAw-1:0] st_kx_d, st_kx_q;    // dil_w*cg
  logic [AbufAw-1:0] plcg_d, plcg_q;      // pad_left*cg
  logic [AbufAw-1:0] st_oy_d, st_oy_q;    // stride_h*in_w*cg
  logic [AbufAw-1:0] st_ky_d, st_ky_q;    // dil_h*in_w*cg
  logic [AbufAw-1:0] ptcgw_d, ptcgw_q;    // pad_top*in_w*cg
  logic [AbufAw-1:0] base_pl_q;           // abuf_addr - pad_left*cg

  // Loop state: the pixel about to be issued.
  logic [11:0] ox_d, ox_q, oy_d, oy_q;
  logic [15:0] g_d, g_q;
  logic [3:0]  kx_d, kx_q, ky_d, ky_q;
  logic signed [CW-1:0] ix_d, ix_q, iy_d, iy_q;     // coordinates of this pixel
  logic signed [CW-1:0] ix0_d, ix0_q, iy0_d, iy0_q; // ix at ox = 0, iy at oy = 0 (this tile)
  logic [AbufAw-1:0] addr_d, addr_q;    // this pixel
  logic [AbufAw-1:0] row_d, row_q;      // pixel (oy, 0) of this tile
  logic [AbufAw-1:0] kxb_d, kxb_q;      // tile (ky, kx, 0)
  logic [AbufAw-1:0] kyb_d, kyb_q;      // tile (ky, 0, 0)
  logic [AbufAw-1:0] tile_d, tile_q;    // tile (ky, kx, g), pixel (0, 0)
  logic [AccAw-1:0]  acc_d, acc_q;

  logic last_ox, last_oy, last_g, last_kx, last_ky;   // the pixel about to be issued
  logic signed [CW-1:0] neg_pt, neg_pl;

  // Products of the set-up cycles, modulo 2^AbufAw. Those with a 4-bit factor are shifted adds
  // (tessera_arith_pkg::mul_small): only in_w*cg needs a multiplier.
  logic [27:0]       cgw_full;

  always_comb begin
    cgw_full = {16'd0, in_w_q} * {12'd0, cg_q};
    cgw_d    = cgw_full[AbufAw-1:0];
    st_ox_d  = AbufAw'(tessera_arith_pkg::mul_small(sw_q, cg_q));
    st_kx_d  = AbufAw'(tessera_arith_pkg::mul_small(dw_q, cg_q));
    plcg_d   = AbufAw'(tessera_arith_pkg::mul_small(pl_q, cg_q));
    st_oy_d  = AbufAw'(tessera_arith_pkg::mul_small(sh_q, 16'(cgw_q)));
    st_ky_d  = AbufAw'(tessera_arith_pkg::mul_small(dh_q, 16'(cgw_q)));
    ptcgw_d  = AbufAw'(tessera_arith_pkg::mul_small(pt_q, 16'(cgw_q)));
  end

  assign neg_pt  = -$signed({{(CW-4){1'b0}}, pt_q});
  assign neg_pl  = -$signed({{(CW-4){1'b0}}, pl_q});

  always_comb begin
    state_d = state_q;
    ox_d = ox_q;  oy_d = oy_q;  g_d = g_q;  kx_d = kx_q;  ky_d = ky_q;
    ix_d = ix_q;  iy_d = iy_q;  ix0_d = ix0_q;  iy0_d = iy0_q;
    addr_d = addr_q;  row_d = row_q;  kxb_d = kxb_q;  kyb_d = kyb_q;  tile_d = tile_q;
    acc_d = acc_q;

    unique case (state_q)
      StIdle: begin
        if (start_i) state_d = StSetup1;
      end
      StSetup1: begin
        state_d = StSetup2;
      end
      StSetup2: begin
        state_d = StSetup3;
      end
      StSetup3: begin
        // pixel (0, 0) of tile (0, 0, 0)
        state_d = StRun;
        ox_d = '0;  oy_d = '0;  g_d = '0;  kx_d = '0;  ky_d = '0;
        ix_d = neg_pl;  ix0_d = neg_pl;  iy_d = neg_pt;  iy0_d = neg_pt;
        addr_d = base_pl_q - ptcgw_q;
        row_d = addr_d;  kxb_d = addr_d;  kyb_d = addr_d;  tile_d = addr_d;
        acc_d = acc_base_q;
      end
      StRun: begin
        if (step_i) begin
          if (!last_ox) begin
            ox_d   = ox_q + 12'd1;
            ix_d   = ix_q + $signed({{(CW-4){1'b0}}, sw_q});
            addr_d = addr_q + st_ox_q;
            acc_d  = acc_q + AccAw'(1);
          end else if (!last_oy) begin
            ox_d   = '0;
            oy_d   = oy_q + 12'd1;
            ix_d   = ix0_q;
            iy_d   = iy_q + $signed({{(CW-4){1'b0}}, sh_q});
            row_d  = row_q + st_oy_q;
            addr_d = row_d;
            acc_d  = acc_q + AccAw'(1);
          end else begin
            // next weight tile
            ox_d  = '0;
            oy_d  = '0;
            acc_d = acc_base_q;
            if (!last_g) begin
              g_d    = g_q + 16'd1;
              tile_d = tile_q + AbufAw'(1);
            end else if (!last_kx) begin
              g_d    = '0;
              kx_d   = kx_q + 4'd1;
              kxb_d  = kxb_q + st_kx_q;
              tile_d = kxb_d;
              ix0_d  = ix0_q + $signed({{(CW-4){1'b0}}, dw_q});
            end else if (!last_ky) begin
              g_d    = '0;
              kx_d   = '0;
              ky_d   = ky_q + 4'd1;
              kyb_d  = kyb_q + st_ky_q;
              kxb_d  = kyb_d;
              tile_d = kyb_d;
              ix0_d  = neg_pl;
              iy0_d  = iy0_q + $signed({{(CW-4){1'b0}}, dh_q});
            end else begin
              state_d = StIdle;
            end
            ix_d   = ix0_d;
            iy_d   = iy0_d;
            row_d  = tile_d;
            addr_d = tile_d;
          end
        end
      end
      default: state_d = StIdle;
    endcase
    if (flush_i) state_d = StIdle;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
    end else begin
      state_q <= state_d;
    end
  end

  // Datapath registers: meaningful only in StRun, which is always entered through StSetup3.
  always_ff @(posedge clk_i) begin
    if (state_q == StIdle && start_i) begin
      in_h_q      <= cmd_i[tessera_isa_pkg::ConvInHLsb +: tessera_isa_pkg::ConvInHW];
      in_w_q      <= cmd_i[tessera_isa_pkg::ConvInWLsb +: tessera_isa_pkg::ConvInWW];
      out_h_q     <= cmd_i[tessera_isa_pkg::ConvOutHLsb +: tessera_isa_pkg::ConvOutHW];
      out_w_q     <= cmd_i[tessera_isa_pkg::ConvOutWLsb +: tessera_isa_pkg::ConvOutWW];
      kh_q        <= cmd_i[tessera_isa_pkg::ConvKhLsb +: tessera_isa_pkg::ConvKhW];
      kw_q        <= cmd_i[tessera_isa_pkg::ConvKwLsb +: tessera_isa_pkg::ConvKwW];
      sh_q        <= cmd_i[tessera_isa_pkg::ConvStrideHLsb +: tessera_isa_pkg::ConvStrideHW];
      sw_q        <= cmd_i[tessera_isa_pkg::ConvStrideWLsb +: tessera_isa_pkg::ConvStrideWW];
      dh_q        <= cmd_i[tessera_isa_pkg::ConvDilHLsb +: tessera_isa_pkg::ConvDilHW];
      dw_q        <= cmd_i[tessera_isa_pkg::ConvDilWLsb +: tessera_isa_pkg::ConvDilWW];
      pt_q        <= cmd_i[tessera_isa_pkg::ConvPadTopLsb +: tessera_isa_pkg::ConvPadTopW];
      pl_q        <= cmd_i[tessera_isa_pkg::ConvPadLeftLsb +: tessera_isa_pkg::ConvPadLeftW];
      cg_q        <= cmd_i[tessera_isa_pkg::ConvCgLsb +: tessera_isa_pkg::ConvCgW];
      abuf_base_q <= cmd_i[tessera_isa_pkg::ConvAbufAddrLsb +: AbufAw];
      acc_base_q  <= cmd_i[tessera_isa_pkg::ConvAccAddrLsb +: AccAw];
    end
    if (state_q == StSetup1) begin
      out_h_m1_q <= out_h_q - 12'd1;
      out_w_m1_q <= out_w_q - 12'd1;
      cg_m1_q    <= cg_q - 16'd1;
      kh_m1_q    <= kh_q - 4'd1;
      kw_m1_q    <= kw_q - 4'd1;
      cgw_q      <= cgw_d;
      st_ox_q    <= st_ox_d;
      st_kx_q    <= st_kx_d;
      plcg_q     <= plcg_d;
    end
    if (state_q == StSetup2) begin
      st_oy_q   <= st_oy_d;
      st_ky_q   <= st_ky_d;
      ptcgw_q   <= ptcgw_d;
      base_pl_q <= abuf_base_q - plcg_q;
    end
    ox_q <= ox_d;  oy_q <= oy_d;  g_q <= g_d;  kx_q <= kx_d;  ky_q <= ky_d;
    // Right from StRun on: StSetup3 compares the first pixel with bounds registered in StSetup1.
    last_ox <= (ox_d == out_w_m1_q);
    last_oy <= (oy_d == out_h_m1_q);
    last_g  <= (g_d == cg_m1_q);
    last_kx <= (kx_d == kw_m1_q);
    last_ky <= (ky_d == kh_m1_q);
    ix_q <= ix_d;  iy_q <= iy_d;  ix0_q <= ix0_d;  iy0_q <= iy0_d;
    addr_q <= addr_d;  row_q <= row_d;  kxb_q <= kxb_d;  kyb_q <= kyb_d;  tile_q <= tile_d;
    acc_q <= acc_d;
  end

  assign ready_o      = (state_q == StRun);
  assign abuf_addr_o  = addr_q;
  assign acc_addr_o   = acc_q;
  // iy and ix never exceed 2^17 - 1, so the unsigned compare of the low bits is exact once the
  // sign bit says the value is not negative.
  assign pad_o        = iy_q[CW-1] || ix_q[CW-1] ||
                        (iy_q[CW-2:0] >= {{(CW-13){1'b0}}, in_h_q}) ||
                        (ix_q[CW-2:0] >= {{(CW-13){1'b0}}, in_w_q});
  assign first_tile_o = (ky_q == 4'd0) && (kx_q == 4'd0) && (g_q == 16'd0);
  assign last_tile_o  = last_g && last_kx && last_ky;
  assign last_px_o    = last_ox && last_oy;

  // The command carries fields for other parts of the compute unit; the upper product bits are
  // beyond the modulus.
  logic unused_bits;
  assign unused_bits = ^{cmd_i, cgw_full[27:AbufAw]};

  // mul_small works modulo 2^16, the width of the command's ABUF address fields.
  initial begin
    if (AbufAw < 1 || AbufAw > tessera_isa_pkg::ConvAbufAddrW)
      $fatal(1, "tessera_conv_addr_gen: AbufAw %0d not in 1..%0d", AbufAw,
             tessera_isa_pkg::ConvAbufAddrW);
  end

endmodule
