// Static checks of docs/isa.md (Faults 1-5), in the stated order. The products the range checks
// need are computed one per cycle on a single 32x32 multiplier (six steps after start_i), so a
// command takes a few cycles to check and the logic stays small; result_o is valid with done_o.
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
  input  logic [31:0]  win_size_i,
  output logic         done_o,     // level: result_o is valid
  output logic [3:0]   result_o    // an err_e value, ErrNone when the command is legal
);

  localparam int unsigned VecL  = $clog2(ArrayDim);      // log2 of ArrayDim-byte elements
  localparam int unsigned WideL = $clog2(4 * ArrayDim);  // log2 of 4*ArrayDim-byte elements
  localparam int unsigned Steps = 6;

  logic [2:0]  step_d, step_q;
  logic [63:0] prod_d [Steps];
  logic [63:0] prod_q [Steps];
  logic [31:0] mul_a, mul_b;
  logic [63:0] mul_p;
  logic [3:0]  op;

  assign op     = cmd_i[3:0];
  assign done_o = (step_q == 3'(Steps));

  // ---- operands of step k ---------------------------------------------------------------------
  logic [31:0] l_x, l_y, l_z, l_ys, l_zs, l_dram, l_sram, l_buf;
  logic [31:0] c_inh, c_inw, c_kh, c_kw, c_outh, c_outw, c_sh, c_sw, c_cg, c_os, c_dh, c_dw;
  logic [31:0] c_abuf, c_wbuf, c_pbuf, c_acc, c_obuf, c_rq;
  logic [31:0] p_inh, p_inw, p_kh, p_kw, p_outh, p_outw, p_sh, p_sw, p_cg, p_abuf, p_obuf;
  logic [31:0] a_a, a_b, a_o, a_len;

  always_comb begin
    // LOAD and STORE share their layout except for the buffer encodings.
    l_buf  = 32'(cmd_i[tessera_isa_pkg::LoadBufLsb +: tessera_isa_pkg::LoadBufW]);
    l_sram = 32'(cmd_i[tessera_isa_pkg::LoadSramAddrLsb +: tessera_isa_pkg::LoadSramAddrW]);
    l_dram = 32'(cmd_i[tessera_isa_pkg::LoadDramAddrLsb +: tessera_isa_pkg::LoadDramAddrW]);
    l_x    = 32'(cmd_i[tessera_isa_pkg::LoadXLenLsb +: tessera_isa_pkg::LoadXLenW]);
    l_y    = 32'(cmd_i[tessera_isa_pkg::LoadYLenLsb +: tessera_isa_pkg::LoadYLenW]);
    l_z    = 32'(cmd_i[tessera_isa_pkg::LoadZLenLsb +: tessera_isa_pkg::LoadZLenW]);
    l_ys   = 32'(cmd_i[tessera_isa_pkg::LoadYStrideLsb +: tessera_isa_pkg::LoadYStrideW]);
    l_zs   = 32'(cmd_i[tessera_isa_pkg::LoadZStrideLsb +: tessera_isa_pkg::LoadZStrideW]);
    if (op == tessera_isa_pkg::OpStore) begin
      l_buf  = 32'(cmd_i[tessera_isa_pkg::StoreBufLsb +: tessera_isa_pkg::StoreBufW]);
      l_sram = 32'(cmd_i[tessera_isa_pkg::StoreSramAddrLsb +: tessera_isa_pkg::StoreSramAddrW]);
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
    c_abuf = 32'(cmd_i[tessera_isa_pkg::ConvAbufAddrLsb +: tessera_isa_pkg::ConvAbufAddrW]);
    c_wbuf = 32'(cmd_i[tessera_isa_pkg::ConvWbufAddrLsb +: tessera_isa_pkg::ConvWbufAddrW]);
    c_pbuf = 32'(cmd_i[tessera_isa_pkg::ConvPbufAddrLsb +: tessera_isa_pkg::ConvPbufAddrW]);
    c_acc  = 32'(cmd_i[tessera_isa_pkg::ConvAccAddrLsb +: tessera_isa_pkg::ConvAccAddrW]);
    c_obuf = 32'(cmd_i[tessera_isa_pkg::ConvObufAddrLsb +: tessera_isa_pkg::ConvObufAddrW]);
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
    p_abuf = 32'(cmd_i[tessera_isa_pkg::PoolAbufAddrLsb +: tessera_isa_pkg::PoolAbufAddrW]);
    p_obuf = 32'(cmd_i[tessera_isa_pkg::PoolObufAddrLsb +: tessera_isa_pkg::PoolObufAddrW]);
    a_a    = 32'(cmd_i[tessera_isa_pkg::AddAAddrLsb +: tessera_isa_pkg::AddAAddrW]);
    a_b    = 32'(cmd_i[tessera_isa_pkg::AddBAddrLsb +: tessera_isa_pkg::AddBAddrW]);
    a_o    = 32'(cmd_i[tessera_isa_pkg::AddObufAddrLsb +: tessera_isa_pkg::AddObufAddrW]);
    a_len  = 32'(cmd_i[tessera_isa_pkg::AddLenLsb +: tessera_isa_pkg::AddLenW]);
  end

  // Products: LOAD/STORE  p0 = x*y, p1 = p0*z, p2 = (z-1)*z_stride, p3 = (y-1)*y_stride;
  //           CONV        p0 = in_h*in_w, p1 = p0*cg, p2 = kh*kw, p3 = p2*cg, p4 = out_h*out_w,
  //                       p5 = (p4-1)*obuf_stride;
  //           POOL        p0 = in_h*in_w, p1 = p0*cg, p2 = out_h*out_w, p3 = p2*cg.
  // Every factor is at most 32 bits (p0 of LOAD/STORE and CONV/POOL p0, p2, p4 are <= 32 bits).
  always_comb begin
    mul_a = '0;
    mul_b = '0;
    unique case (op)
      tessera_isa_pkg::OpLoad, tessera_isa_pkg::OpStore: begin
        unique case (step_q)
          3'd0: begin mul_a = l_x;                  mul_b = l_y;  end
          3'd1: begin mul_a = prod_q[0][31:0];      mul_b = l_z;  end
          3'd2: begin mul_a = l_z - 32'd1;          mul_b = l_zs; end
          3'd3: begin mul_a = l_y - 32'd1;          mul_b = l_ys; end
          default: ;
        endcase
      end
      tessera_isa_pkg::OpConv: begin
        unique case (step_q)
          3'd0: begin mul_a = c_inh;                mul_b = c_inw; end
          3'd1: begin mul_a = prod_q[0][31:0];      mul_b = c_cg;  end
          3'd2: begin mul_a = c_kh;                 mul_b = c_kw;  end
          3'd3: begin mul_a = prod_q[2][31:0];      mul_b = c_cg;  end
          3'd4: begin mul_a = c_outh;               mul_b = c_outw; end
          3'd5: begin mul_a = prod_q[4][31:0] - 32'd1; mul_b = c_os; end
          default: ;
        endcase
      end
      tessera_isa_pkg::OpPool: begin
        unique case (step_q)
          3'd0: begin mul_a = p_inh;                mul_b = p_inw;  end
          3'd1: begin mul_a = prod_q[0][31:0];      mul_b = p_cg;   end
          3'd2: begin mul_a = p_outh;               mul_b = p_outw; end
          3'd3: begin mul_a = prod_q[2][31:0];      mul_b = p_cg;   end
          default: ;
        endcase
      end
      default: ;
    endcase
    mul_p = {32'd0, mul_a} * {32'd0, mul_b};
  end

  always_comb begin
    step_d = step_q;
    for (int k = 0; k < Steps; k++) prod_d[k] = prod_q[k];
    if (start_i) begin
      step_d = '0;
    end else if (step_q != 3'(Steps)) begin
      prod_d[step_q] = mul_p;
      step_d         = step_q + 3'd1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      step_q <= 3'(Steps);
      for (int k = 0; k < Steps; k++) prod_q[k] <= '0;
    end else begin
      step_q <= step_d;
      for (int k = 0; k < Steps; k++) prod_q[k] <= prod_d[k];
    end
  end

  // ---- the checks, in order -------------------------------------------------------------------
  logic        is_ld, is_st, is_dma, bad_op, bad_field, misaligned, bad_window, bad_sram;
  logic [3:0]  flags;
  logic [2:0]  es;
  logic [31:0] emask;
  logic [63:0] lo_end, hi_end, n_elems, depth;

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
    es = 3'(VecL);
    if ((is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufPbuf))) ||
        (is_st && (l_buf == 32'(tessera_isa_pkg::StoreBufAcc)))) es = 3'(WideL);
    emask      = (32'd1 << es) - 32'd1;
    misaligned = is_dma && (((l_dram | l_ys | l_zs) & emask) != 32'd0);

    // 4. the touched bytes [dram, dram + p2 + p3 + x*E) inside the window (and the 32-bit bus)
    lo_end     = {32'd0, l_dram};
    hi_end     = {32'd0, l_dram} + prod_q[2] + prod_q[3] + ({32'd0, l_x} << es);
    bad_window = is_dma && ((lo_end < {32'd0, win_base_i}) ||
                            (hi_end > ({32'd0, win_base_i} + {32'd0, win_size_i})) ||
                            (hi_end > 64'h1_0000_0000));

    // 5. on-chip ranges
    n_elems = prod_q[1];
    depth   = 64'(AbufWords);
    if (is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufWbuf))) depth = 64'(WbufWords);
    if (is_ld && (l_buf == 32'(tessera_isa_pkg::LoadBufPbuf))) depth = 64'(PbufWords);
    if (is_st) depth = (l_buf == 32'(tessera_isa_pkg::StoreBufAcc)) ? 64'(AccWords) : 64'(ObufWords);
    bad_sram = 1'b0;
    unique case (op)
      tessera_isa_pkg::OpLoad, tessera_isa_pkg::OpStore:
        bad_sram = ({32'd0, l_sram} + n_elems) > depth;
      tessera_isa_pkg::OpConv:
        bad_sram = (({32'd0, c_abuf} + prod_q[1]) > 64'(AbufWords)) ||
                   (({32'd0, c_wbuf} + (prod_q[3] << VecL)) > 64'(WbufWords)) ||
                   (({32'd0, c_pbuf} + 64'd3) > 64'(PbufWords)) ||
                   (({32'd0, c_acc} + prod_q[4]) > 64'(AccWords)) ||
                   ((c_rq != 0) && (({32'd0, c_obuf} + prod_q[5] + 64'd1) > 64'(ObufWords)));
      tessera_isa_pkg::OpPool:
        bad_sram = (({32'd0, p_abuf} + prod_q[1]) > 64'(AbufWords)) ||
                   (({32'd0, p_obuf} + prod_q[3]) > 64'(ObufWords));
      tessera_isa_pkg::OpAdd:
        bad_sram = (({32'd0, a_a} + {32'd0, a_len}) > 64'(AbufWords)) ||
                   (({32'd0, a_b} + {32'd0, a_len}) > 64'(AbufWords)) ||
                   (({32'd0, a_o} + {32'd0, a_len}) > 64'(ObufWords));
      default: ;
    endcase

    if (bad_op)          result_o = 4'(tessera_isa_pkg::ErrIllegalOpcode);
    else if (bad_field)  result_o = 4'(tessera_isa_pkg::ErrIllegalField);
    else if (misaligned) result_o = 4'(tessera_isa_pkg::ErrMisaligned);
    else if (bad_window) result_o = 4'(tessera_isa_pkg::ErrAddrWindow);
    else if (bad_sram)   result_o = 4'(tessera_isa_pkg::ErrSramRange);
    else                 result_o = 4'(tessera_isa_pkg::ErrNone);
  end

endmodule
