// Static checks of docs/isa.md (Faults 1-5), in the stated order. The products the range checks
// need go through one pipelined 32x16 multiplier (operand select, two 16x16 partial products,
// their sum: three register stages), one product issued per cycle in an order that keeps each
// dependent product three cycles behind its factor; then three register stages of sums and
// compares (every add and compare narrowed to what the ranges need) give a registered result_o.
// Nothing in the path from the command register to result_o is longer than one short carry
// chain or one 16x16 multiply, for the FPGA targets' Fmax. result_o is valid with done_o,
// Done cycles after start_i.
module tessera_dispatch_check #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,    // cmd_i is valid and stays stable until the next start
  input  logic [255:0] cmd_i,
  input  logic [31:0]  win_base_i,
  input  logic [32:0]  win_end_i,    // win_base + win_size (constant during a run)
  output logic         done_o,     // level: result_o is valid
  output logic [3:0]   result_o    // an err_e value, ErrNone when the command is legal
);

  localparam int unsigned VecL  = $clog2(ArrayDim);      // log2 of ArrayDim-byte elements
  localparam int unsigned WideL = $clog2(4 * ArrayDim);  // log2 of 4*ArrayDim-byte elements
  // Alignment masks of the two element sizes, as constants: computed from the selected size as
  // (1 << es) - 1 they were a 32-bit subtract in front of the misalignment test (12.2 ns on the
  // ECP5, docs/fpga.md fix 49).
  localparam logic [31:0] VecMask  = (32'd1 << VecL) - 32'd1;
  localparam logic [31:0] WideMask = (32'd1 << WideL) - 32'd1;
  localparam int unsigned Steps = 6;
  localparam logic [3:0]  Done  = 4'd11;  // 6 issues + 2 multiplier stages + 3 check stages

  logic [3:0]  cnt_d, cnt_q;
  logic [47:0] prod_d [Steps];
  logic [47:0] prod_q [Steps];
  logic [31:0] mul_a, mul_a_q;
  logic [15:0] mul_b, mul_b_q;
  logic [31:0] pp_lo_q, pp_hi_q;
  logic [47:0] mul_p;
  logic [3:0]  op;

  assign op     = cmd_i[3:0];
  assign done_o = (cnt_q == Done);

  // ---- operands of step k ---------------------------------------------------------------------
  logic [31:0] l_x, l_y, l_z, l_ys, l_zs, l_dram, l_buf;
  logic [15:0] l_sram;
  logic [31:0] c_inh, c_inw, c_kh, c_kw, c_outh, c_outw, c_sh, c_sw, c_cg, c_os, c_dh, c_dw;
  logic [15:0] c_abuf, c_wbuf, c_pbuf, c_acc, c_obuf;
  logic [31:0] c_rq;
  logic [31:0] p_inh, p_inw, p_kh, p_kw, p_outh, p_outw, p_sh, p_sw, p_cg;
  logic [15:0] p_abuf, p_obuf, a_a, a_b, a_o;
  logic [31:0] a_len;

  always_comb begin
    // LOAD and STORE share their layout except for the buffer encodings.
    l_buf  = 32'(cmd_i[tessera_isa_pkg::LoadBufLsb +: tessera_isa_pkg::LoadBufW]);
    l_sram = 16'(cmd_i[tessera_isa_pkg::LoadSramAddrLsb +: tessera_isa_pkg::LoadSramAddrW]);
    l_dram = 32'(cmd_i[tessera_isa_pkg::LoadDramAddrLsb +: tessera_isa_pkg::LoadDramAddrW]);
    l_x    = 32'(cmd_i[tessera_isa_pkg::LoadXLenLsb +: tessera_isa_pkg::LoadXLenW]);
    l_y    = 32'(cmd_i[tessera_isa_pkg::LoadYLenLsb +: tessera_isa_pkg::LoadYLenW]);
    l_z    = 32'(cmd_i[tessera_isa_pkg::LoadZLenLsb +: tessera_isa_pkg::LoadZLenW]);
    l_ys   = 32'(cmd_i[tessera_isa_pkg::LoadYStrideLsb +: tessera_isa_pkg::LoadYStrideW]);
    l_zs   = 32'(cmd_i[tessera_isa_pkg::LoadZStrideLsb +: tessera_isa_pkg::LoadZStrideW]);
    if (op == tessera_isa_pkg::OpStore) begin
      l_buf  = 32'(cmd_i[tessera_isa_pkg::StoreBufLsb +: tessera_isa_pkg::StoreBufW]);
      l_sram = 16'(cmd_i[tessera_isa_pkg::StoreSramAddrLsb +: tessera_isa_pkg::StoreSramAddrW]);
      l_dram = 32'(cmd_i[tessera_isa_pkg::StoreDramAddrLsb +: tessera_isa_pkg::StoreDramAddrW]);
      l_x    = 32'(cmd_i[tessera_isa_pkg::StoreXLenLsb +: tessera_isa_pkg::StoreXLenW]);
      l_y    = 32'(cmd_i[tessera_isa_pkg::StoreYLenLsb +: tessera_isa_pkg::StoreYLenW]);
      l_z    = 32'(cmd_i[tessera_isa_pkg::StoreZLenLsb +: tessera_isa_pkg::StoreZLenW]);
      l_ys   = 32'(cmd_i[tessera_isa_pkg::StoreYStrideLsb +: tessera_isa_pkg::StoreYStrideW]);
      l_zs   = 32'(cmd_i[tessera_isa_pkg::StoreZStrideLsb +: tessera_isa_pkg::StoreZStrideW]);
    end
    c_inh  = 32'(cmd_i[tessera_isa_pkg::ConvInHLsb +: tessera_isa_pkg::ConvInHW]);
    c_inw  = 32'(cmd_i[tessera_isa_pkg::ConvInWLsb +: tessera_isa_pkg::ConvInWW]);
    c_kh   = 32'(cmd_i[tessera_isa_pkg::ConvKhLsb +: tessera_isa_pkg::ConvKhW]);
    c_kw   = 32'(cmd_i[tessera_isa_pkg::ConvKwLsb +: tessera_isa_pkg::ConvKwW]);
    c_outh = 32'(cmd_i[tessera_isa_pkg::ConvOutHLsb +: tessera_isa_pkg::ConvOutHW]);
    c_outw = 32'(cmd_i[tessera_isa_pkg::ConvOutWLsb +: tessera_isa_pkg::ConvOutWW]);
    c_sh   = 32'(cmd_i[tessera_isa_pkg::ConvStrideHLsb +: tessera_isa_pkg::ConvStrideHW]);
    c_sw   = 32'(cmd_i[tessera_isa_pkg::ConvStrideWLsb +: tessera_isa_pkg::ConvStrideWW]);
    c_cg   = 32'(cmd_i[tessera_isa_pkg::ConvCgLsb +: tessera_isa_pkg::ConvCgW]);
    c_os   = 32'(cmd_i[tessera_isa_pkg::ConvObufStrideLsb +: tessera_isa_pkg::ConvObufStrideW]);
    c_dh   = 32'(cmd_i[tessera_isa_pkg::ConvDilHLsb +: tessera_isa_pkg::ConvDilHW]);
    c_dw   = 32'(cmd_i[tessera_isa_pkg::ConvDilWLsb +: tessera_isa_pkg::ConvDilWW]);
    c_abuf = 16'(cmd_i[tessera_isa_pkg::ConvAbufAddrLsb +: tessera_isa_pkg::ConvAbufAddrW]);
    c_wbuf = 16'(cmd_i[tessera_isa_pkg::ConvWbufAddrLsb +: tessera_isa_pkg::ConvWbufAddrW]);
    c_pbuf = 16'(cmd_i[tessera_isa_pkg::ConvPbufAddrLsb +: tessera_isa_pkg::ConvPbufAddrW]);
    c_acc  = 16'(cmd_i[tessera_isa_pkg::ConvAccAddrLsb +: tessera_isa_pkg::ConvAccAddrW]);
    c_obuf = 16'(cmd_i[tessera_isa_pkg::ConvObufAddrLsb +: tessera_isa_pkg::ConvObufAddrW]);
    c_rq   = 32'(cmd_i[tessera_isa_pkg::ConvRequantLsb +: tessera_isa_pkg::ConvRequantW]);
    p_inh  = 32'(cmd_i[tessera_isa_pkg::PoolInHLsb +: tessera_isa_pkg::PoolInHW]);
    p_inw  = 32'(cmd_i[tessera_isa_pkg::PoolInWLsb +: tessera_isa_pkg::PoolInWW]);
    p_kh   = 32'(cmd_i[tessera_isa_pkg::PoolKhLsb +: tessera_isa_pkg::PoolKhW]);
    p_kw   = 32'(cmd_i[tessera_isa_pkg::PoolKwLsb +: tessera_isa_pkg::PoolKwW]);
    p_outh = 32'(cmd_i[tessera_isa_pkg::PoolOutHLsb +: tessera_isa_pkg::PoolOutHW]);
    p_outw = 32'(cmd_i[tessera_isa_pkg::PoolOutWLsb +: tessera_isa_pkg::PoolOutWW]);
    p_sh   = 32'(cmd_i[tessera_isa_pkg::PoolStrideHLsb +: tessera_isa_pkg::PoolStrideHW]);
    p_sw   = 32'(cmd_i[tessera_isa_pkg::PoolStrideWLsb +: tessera_isa_pkg::PoolStrideWW]);
    p_cg   = 32'(cmd_i[tessera_isa_pkg::PoolCgLsb +: tessera_isa_pkg::PoolCgW]);
    p_abuf = 16'(cmd_i[tessera_isa_pkg::PoolAbufAddrLsb +: tessera_isa_pkg::PoolAbufAddrW]);
    p_obuf = 16'(cmd_i[tessera_isa_pkg::PoolObufAddrLsb +: tessera_isa_pkg::PoolObufAddrW]);
    a_a    = 16'(cmd_i[tessera_isa_pkg::AddAAddrLsb +: tessera_isa_pkg::AddAAddrW]);
    a_b    = 16'(cmd_i[tessera_isa_pkg::AddBAddrLsb +: tessera_isa_pkg::AddBAddrW]);
    a_o    = 16'(cmd_i[tessera_isa_pkg::AddObufAddrLsb +: tessera_isa_pkg::AddObufAddrW]);
    a_len  = 32'(cmd_i[tessera_isa_pkg::AddLenLsb +: tessera_isa_pkg::AddLenW]);
  end

  // Products: LOAD/STORE  p0 = x*y, p1 = p0*z, p2 = (z-1)*z_stride, p3 = (y-1)*y_stride;
  //           CONV        p0 = in_h*in_w, p1 = p0*cg, p2 = kh*kw, p3 = p2*cg, p4 = out_h*out_w,
  //                       p5 = (p4-1)*obuf_stride;
  //           POOL        p0 = in_h*in_w, p1 = p0*cg, p2 = out_h*out_w, p3 = p2*cg.
  // In every product one factor has at most 16 bits (mul_b) and the other at most 32 (mul_a), so
  // the 48-bit products are exact. Issue order (cnt 0..5): p0, p2, p4, p1, p3, p5; product k
  // issued at cnt c is in prod_q from cnt c + 3, just in time for p1 (cnt 3), p3 (4), p5 (5).
  // A factor z-1, y-1 or p4-1 wraps only when a size is zero, which Fault 2 reports first.
  logic [2:0] slot_k;  // the product issued at cnt_q
  logic [2:0] wr_k;    // the product leaving the multiplier at cnt_q
  always_comb begin
    unique case (cnt_q)
      4'd0:    slot_k = 3'd0;
      4'd1:    slot_k = 3'd2;
      4'd2:    slot_k = 3'd4;
      4'd3:    slot_k = 3'd1;
      4'd4:    slot_k = 3'd3;
      default: slot_k = 3'd5;
    endcase
    unique case (cnt_q)
      4'd2:    wr_k = 3'd0;
      4'd3:    wr_k = 3'd2;
      4'd4:    wr_k = 3'd4;
      4'd5:    wr_k = 3'd1;
      4'd6:    wr_k = 3'd3;
      default: wr_k = 3'd5;
    endcase
  end

  always_comb begin
    mul_a = '0;
    mul_b = '0;
    unique case (op)
      tessera_isa_pkg::OpLoad, tessera_isa_pkg::OpStore: begin
        unique case (slot_k)
          3'd0: begin mul_a = l_x;                  mul_b = l_y[15:0];          end
          3'd1: begin mul_a = prod_q[0][31:0];      mul_b = l_z[15:0];          end
          3'd2: begin mul_a = l_zs;                 mul_b = l_z[15:0] - 16'd1;  end
          3'd3: begin mul_a = l_ys;                 mul_b = l_y[15:0] - 16'd1;  end
          default: ;
        endcase
      end
      tessera_isa_pkg::OpConv: begin
        unique case (slot_k)
          3'd0: begin mul_a = c_inh;                   mul_b = c_inw[15:0];  end
          3'd1: begin mul_a = prod_q[0][31:0];         mul_b = c_cg[15:0];   end
          3'd2: begin mul_a = c_kh;                    mul_b = c_kw[15:0];   end
          3'd3: begin mul_a = prod_q[2][31:0];         mul_b = c_cg[15:0];   end
          3'd4: begin mul_a = c_outh;                  mul_b = c_outw[15:0]; end
          3'd5: begin mul_a = prod_q[4][31:0] - 32'd1; mul_b = c_os[15:0];   end
          default: ;
        endcase
      end
      tessera_isa_pkg::OpPool: begin
        unique case (slot_k)
          3'd0: begin mul_a = p_inh;                mul_b = p_inw[15:0];  end
          3'd1: begin mul_a = prod_q[0][31:0];      mul_b = p_cg[15:0];   end
          3'd2: begin mul_a = p_outh;               mul_b = p_outw[15:0]; end
          3'd3: begin mul_a = prod_q[2][31:0];      mul_b = p_cg[15:0];   end
          default: ;
        endcase
      end
      default: ;
    endcase
    mul_p = {pp_hi_q, 16'd0} + {16'd0, pp_lo_q};
  end

  always_comb begin
    cnt_d = cnt_q;
    for (int k = 0; k < Steps; k++) prod_d[k] = prod_q[k];
    if (start_i) begin
      cnt_d = '0;
    end else if (cnt_q != Done) begin
      if ((cnt_q >= 4'd2) && (cnt_q <= 4'd7)) prod_d[wr_k] = mul_p;
      cnt_d = cnt_q + 4'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cnt_q <= Done;
      for (int k = 0; k < Steps; k++) prod_q[k] <= '0;
    end else begin
      cnt_q <= cnt_d;
      for (int k = 0; k < Steps; k++) prod_q[k] <= prod_d[k];
    end
  end

  // Pipeline registers without enables: their inputs are stable once the products are.
  always_ff @(posedge clk_i) begin
    mul_a_q <= mul_a;
    mul_b_q <= mul_b;
    pp_lo_q <= {16'd0, mul_a_q[15:0]} * {16'd0, mul_b_q};
    pp_hi_q <= {16'd0, mul_a_q[31:16]} * {16'd0, mul_b_q};
  end

  // ---- the checks, in order -------------------------------------------------------------------
  // Stage 1 (from cnt 8, when every product is in prod_q): Faults 1-3, the partial sums of Fault 4
  // and the on-chip range sums of Fault 5. Stage 2: the end of the touched range and the on-chip
  // range compares. Stage 3: the window compares and the priority encoding into result_q.
  // On-chip ranges: a count of 2^24 or more elements is out of range of any buffer (16-bit
  // addresses), so the adds are 24 bits wide. Window: a product of 2^33 or more puts the end
  // above 2^32, so the adds are 35 bits wide and exact otherwise.
  localparam int unsigned RangeW = 24;
  localparam int unsigned Ranges = 5;

  logic        is_ld, is_st, is_dma, bad_op, bad_field, misaligned, lo_bad, big;
  logic [15:0] rng_addr  [Ranges];
  logic [63:0] rng_n     [Ranges];
  logic [31:0] rng_words [Ranges];
  logic [Ranges-1:0] rng_en, rng_ge;
  logic [3:0]  flags;
  logic [2:0]  es;
  logic        wide;
  logic [31:0] emask, depth;
  logic [33:0] s1, s2;

  always_comb begin
    is_ld  = (op == tessera_isa_pkg::OpLoad);
    is_st  = (op == tessera_isa_pkg::OpStore);
    is_dma = is_ld || is_st;
    flags  = cmd_i[7:4];  // {push_next, push_prev, pop_next, pop_prev}
    bad_op = (op == 4'd0) || (op > 4'(tessera_isa_pkg::OpFinish));

    // 2. dependency flags a unit cannot have, buffer codes, zero sizes
    bad_field = 1'b0;
    unique case (op)
      tessera_isa_pkg::OpLoad:
        bad_field = cmd_i[tessera_isa_pkg::CmdPopPrevLsb] || cmd_i[tessera_isa_pkg::CmdPushPrevLsb] ||
                    (l_buf > 32'(tessera_isa_pkg::LoadBufPbuf)) ||
                    (l_x == 0) || (l_y == 0) || (l_z == 0);
      tessera_isa_pkg::OpStore:
        bad_field = cmd_i[tessera_isa_pkg::CmdPopNextLsb] || cmd_i[tessera_isa_pkg::CmdPushNextLsb] ||
                    (l_buf > 32'(tessera_isa_pkg::StoreBufAcc)) ||
                    (l_x == 0) || (l_y == 0) || (l_z == 0);
      tessera_isa_pkg::OpConv:
        bad_field = (c_inh == 0) || (c_inw == 0) || (c_kh == 0) || (c_kw == 0) ||
                    (c_outh == 0) || (c_outw == 0) || (c_sh == 0) || (c_sw == 0) ||
                    (c_cg == 0) || (c_os == 0) || (c_dh == 0) || (c_dw == 0);
      tessera_isa_pkg::OpPool:
        bad_field = (p_inh == 0) || (p_inw == 0) || (p_kh == 0) || (p_kw == 0) ||
                    (p_outh == 0) || (p_outw == 0) || (p_sh == 0) || (p_sw == 0) ||
                    (p_cg == 0);
      tessera_isa_pkg::OpAdd:
        bad_field = (a_len == 0);
      tessera_isa_pkg::OpFinish:
        bad_field = (flags != 4'd0);
      default: ;
    endcase

    // 3. alignment to the element size E
    wide       = (is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufPbuf))) ||
                 (is_st && (l_buf == 32'(tessera_isa_pkg::StoreBufAcc)));
    es         = wide ? 3'(WideL) : 3'(VecL);
    emask      = wide ? WideMask : VecMask;
    misaligned = is_dma && (((l_dram | l_ys | l_zs) & emask) != 32'd0);

    // 4. the touched bytes [dram, dram + p2 + p3 + x*E) inside the window (and the 32-bit bus);
    //    stage 1 part
    lo_bad = l_dram < win_base_i;
    big    = (prod_q[2][47:33] != '0) || (prod_q[3][47:33] != '0);
    s1     = {2'b0, l_dram} + {1'b0, prod_q[2][32:0]};
    s2     = {1'b0, prod_q[3][32:0]} + (34'(l_x[15:0]) << es);

    // 5. on-chip ranges: up to Ranges (address, count, buffer words) triples per command,
    //    out of range when address + count > words (or >= words: the last element of a
    //    strided range). Stage 1 adds, stage 2 compares.
    depth = AbufWords;
    if (is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufWbuf))) depth = WbufWords;
    if (is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufPbuf))) depth = PbufWords;
    if (is_st) depth = (l_buf == 32'(tessera_isa_pkg::StoreBufAcc)) ? AccWords : ObufWords;
    rng_en = '0;
    rng_ge = '0;
    for (int k = 0; k < Ranges; k++) begin
      rng_addr[k]  = '0;
      rng_n[k]     = '0;
      rng_words[k] = '0;
    end
    unique case (op)
      tessera_isa_pkg::OpLoad, tessera_isa_pkg::OpStore: begin
        rng_en[0] = 1'b1; rng_addr[0] = l_sram; rng_n[0] = 64'(prod_q[1]); rng_words[0] = depth;
      end
      tessera_isa_pkg::OpConv: begin
        rng_en    = 5'b01111;
        rng_addr[0] = c_abuf; rng_n[0] = 64'(prod_q[1]);          rng_words[0] = AbufWords;
        rng_addr[1] = c_wbuf; rng_n[1] = 64'(prod_q[3]) << VecL;  rng_words[1] = WbufWords;
        rng_addr[2] = c_pbuf; rng_n[2] = 64'd3;                   rng_words[2] = PbufWords;
        rng_addr[3] = c_acc;  rng_n[3] = 64'(prod_q[4]);          rng_words[3] = AccWords;
        rng_addr[4] = c_obuf; rng_n[4] = 64'(prod_q[5]);          rng_words[4] = ObufWords;
        rng_en[4] = (c_rq != 0);
        rng_ge[4] = 1'b1;
      end
      tessera_isa_pkg::OpPool: begin
        rng_en    = 5'b00011;
        rng_addr[0] = p_abuf; rng_n[0] = 64'(prod_q[1]);          rng_words[0] = AbufWords;
        rng_addr[1] = p_obuf; rng_n[1] = 64'(prod_q[3]);          rng_words[1] = ObufWords;
      end
      tessera_isa_pkg::OpAdd: begin
        rng_en    = 5'b00111;
        rng_addr[0] = a_a;    rng_n[0] = 64'(a_len);              rng_words[0] = AbufWords;
        rng_addr[1] = a_b;    rng_n[1] = 64'(a_len);              rng_words[1] = AbufWords;
        rng_addr[2] = a_o;    rng_n[2] = 64'(a_len);              rng_words[2] = ObufWords;
      end
      default: ;
    endcase
  end

  // Stage 1 of the on-chip ranges: the sums, and whether the count alone is out of any buffer's
  // reach. The words, enables and >= flags are read again in stage 2 from the command, which is
  // stable from start_i to done_o.
  logic [RangeW:0]   rng_sum_q [Ranges];
  logic [Ranges-1:0] rng_big_q;
  logic              bad_sram;

  always_ff @(posedge clk_i) begin
    for (int k = 0; k < Ranges; k++) begin
      rng_sum_q[k] <= {{(RangeW - 15){1'b0}}, rng_addr[k]} + {1'b0, rng_n[k][RangeW-1:0]};
      rng_big_q[k] <= (rng_n[k][63:RangeW] != '0);
    end
  end

  always_comb begin
    bad_sram = 1'b0;
    for (int k = 0; k < Ranges; k++) begin
      if (rng_en[k] && (rng_big_q[k] ||
                        (rng_ge[k] ? (32'(rng_sum_q[k]) >= rng_words[k])
                                   : (32'(rng_sum_q[k]) >  rng_words[k]))))
        bad_sram = 1'b1;
    end
  end

  // Stage registers. Fault 4 is decided in stage 3; the others are carried along.
  logic        is_dma_q, bad_op_q, bad_field_q, misaligned_q, lo_bad_q, big_q;
  logic [33:0] s1_q, s2_q;
  logic [34:0] hi_q;
  logic [3:0]  pre_q, res_q;  // faults 1-3 (stage 2); the result (stage 3)
  logic        w_pre_q, sram_q2;

  always_ff @(posedge clk_i) begin
    // stage 1
    is_dma_q     <= is_dma;
    bad_op_q     <= bad_op;
    bad_field_q  <= bad_field;
    misaligned_q <= misaligned;
    lo_bad_q     <= lo_bad;
    big_q        <= big;
    s1_q         <= s1;
    s2_q         <= s2;
    // stage 2
    hi_q    <= {1'b0, s1_q} + {1'b0, s2_q};
    w_pre_q <= is_dma_q && (lo_bad_q || big_q);
    sram_q2 <= bad_sram;
    if (bad_op_q)          pre_q <= 4'(tessera_isa_pkg::ErrIllegalOpcode);
    else if (bad_field_q)  pre_q <= 4'(tessera_isa_pkg::ErrIllegalField);
    else if (misaligned_q) pre_q <= 4'(tessera_isa_pkg::ErrMisaligned);
    else                   pre_q <= 4'(tessera_isa_pkg::ErrNone);
    // stage 3 (is_dma_q is still valid: the command is stable from start_i to done_o)
    if (!rst_ni)
      res_q <= 4'(tessera_isa_pkg::ErrNone);
    else if (pre_q != 4'(tessera_isa_pkg::ErrNone))
      res_q <= pre_q;
    else if (w_pre_q || (is_dma_q && ((hi_q > {2'b0, win_end_i}) || (hi_q > 35'h1_0000_0000))))
      res_q <= 4'(tessera_isa_pkg::ErrAddrWindow);
    else if (sram_q2)
      res_q <= 4'(tessera_isa_pkg::ErrSramRange);
    else
      res_q <= 4'(tessera_isa_pkg::ErrNone);
  end

  assign result_o = res_q;

endmodule
