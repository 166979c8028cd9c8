// POOL sub-unit of tessera_compute_unit: max or average pooling from ABUF to OBUF, all ArrayDim
// lanes of a word in parallel (docs/isa.md POOL, docs/quantization.md Pooling).
//
// Loop order: output pixel (oy, ox) > channel group g > window row ky > window column kx. One
// window position is visited per cycle; a valid position issues one ABUF read, a padding position
// issues none but still takes its cycle, so a command takes out_h*out_w*cg*kh*kw cycles plus
// 8 + LaneLat (start, 3 setup, 4 pipeline, the output lanes: 15 with one lane per column).
// Outputs are written in OBUF order, one word per window. With fewer output lanes than columns
// (tessera_compute_unit OutLanes) a window's last position waits until LaneGap cycles have
// passed since the previous window's, and the lanes return the word LaneLat cycles after it
// entered them.
//
// Addresses are kept incrementally, modulo 2^AbufAw: products of command fields are formed once,
// in three setup cycles, never per cycle. The start cycle only latches fields (the command
// comes from the dispatcher's queue, across the chip), and no setup cycle holds more than one
// product or one subtract (docs/fpga.md fix 55). Positions in the padding get addresses that are wrong
// (they may wrap) but are never read; every valid position has its exact address because the
// dispatcher's SRAM_RANGE check guarantees abuf_addr + in_h*in_w*cg <= ABUF depth <= 2^AbufAw.
//
// Max pooling runs through the same datapath as average pooling with mult = 1, shift = 0,
// out_zp = 0, so the saturation at the end returns the typed maximum unchanged.
//
// Readings of docs/isa.md: in_zp and out_zp are bytes of the data type (int8 when data_signed),
// like the data; mult is multiplied as signed 32-bit (the spec asks for mult >= 0, the unit does
// not check it). All arithmetic is exact: the sum fits AccW bits and sum * mult 64 bits.
//
// Pipeline (t = cycle a window's last position is issued):
//   t    issue: abuf_rd_en_o / abuf_rd_addr_o from the loop registers
//   t+1  data:  the word arrives; x and x - in_zp -> x_q, diff_q (the block RAM's clock-to-out
//               does not reach the accumulate)
//   t+2  acc:   acc_d = max(acc, x_q) or acc + diff_q -> acc_q
//   t+3  acc_q holds the window and enters the compute unit's output lanes (tessera_out_lane):
//        acc_q * mult, rshift_rne by shift, saturate(out_zp + rounded) in LaneLat stages
//   t+3+LaneLat  obuf_wr_en_o = 1 (LaneLat = OutLaneLat = 7: t+10)
//   t+4+LaneLat  done_o, if that was the command's last word
//
// Handshake: start_i is honoured only when busy_o = 0. busy_o is 1 from the cycle after start_i
// up to and including the cycle of done_o. flush_i returns the unit to idle at the next edge; no
// OBUF write happens after the flush cycle (a write already on the port in that cycle completes,
// and done_o can still show in that cycle if the command had just finished).
module tessera_pool_unit #(
  parameter int unsigned ArrayDim = 16,
  parameter int unsigned AbufAw   = 12,
  parameter int unsigned ObufAw   = 11,
  parameter int unsigned LaneLat  = tessera_isa_pkg::OutLaneLat,  // lane_x_o to lane_out_i
  parameter int unsigned LaneGap  = 1   // cycles from one window's lane entry to the next's
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  start_i,
  input  logic [255:0]          cmd_i,
  input  logic                  flush_i,
  output logic                  busy_o,
  output logic                  done_o,
  output logic                  abuf_rd_en_o,
  output logic [AbufAw-1:0]     abuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0] abuf_rd_data_i,
  output logic                  obuf_wr_en_o,
  output logic [ObufAw-1:0]     obuf_wr_addr_o,
  output logic [8*ArrayDim-1:0] obuf_wr_data_o,
  // The compute unit's shared output lanes (tessera_out_lane): lane i gets the window's sum (or
  // maximum) of byte i, valid with lane_vld_o, and returns the output byte LaneLat cycles later.
  output logic                  lane_vld_o,
  output logic [32*ArrayDim-1:0] lane_x_o,
  output logic [31:0]           lane_m_o,
  output logic [5:0]            lane_shift_o,
  output logic [8:0]            lane_zp_o,
  output logic [8:0]            lane_cmin_o,
  output logic [8:0]            lane_cmax_o,
  input  logic [8*ArrayDim-1:0] lane_out_i
);

  // Field widths come from the generated ISA package, so a spec change reaches this file.
  localparam int unsigned KW     = tessera_isa_pkg::PoolKhW;      // kh, kw
  localparam int unsigned DimW   = tessera_isa_pkg::PoolInHW;     // in_h, in_w, out_h, out_w
  localparam int unsigned CgW    = tessera_isa_pkg::PoolCgW;
  localparam int unsigned StrW   = tessera_isa_pkg::PoolStrideHW;
  localparam int unsigned PadW   = tessera_isa_pkg::PoolPadTopW;
  localparam int unsigned MultW  = tessera_isa_pkg::PoolMultW;
  localparam int unsigned ZpW    = tessera_isa_pkg::PoolInZpW;
  localparam int unsigned ShiftW = tessera_isa_pkg::PoolShiftW;
  // Window coordinates run from -pad to at most (2^DimW-1)*(2^StrW-1) + 2^KW-2 < 2^(DimW+StrW+1):
  // that many magnitude bits plus a sign bit.
  localparam int unsigned PosW   = DimW + StrW + 2;
  // Average: |x - in_zp| <= 255 over at most (2^KW-1)^2 positions stays below 2^(8+2*KW); plus a
  // sign bit. Max pooling needs only 9 bits of it.
  localparam int unsigned AccW   = 8 + 2 * KW + 1;

  typedef enum logic [2:0] {
    StIdle,    // waiting for start_i
    StSetup1,  // stride_w*cg, pad_left*cg (in_w*cg in tessera_mul18)
    StSetup2,  // stride_h*row_step, pad_top*row_step, base - pad_left*cg
    StSetup3,  // first window address; loop counters
    StRun,     // one window position per cycle
    StDrain    // last position issued; wait for the pipeline to write it
  } state_e;

  state_e state_d, state_q;

  // ---- command fields, latched in the start cycle ---------------------------------------------
  logic                 avg_d, avg_q;
  logic                 sgn_d, sgn_q;
  logic [AbufAw-1:0]    abuf_base_d, abuf_base_q;
  logic [DimW-1:0]      in_h_d, in_h_q, in_w_d, in_w_q, out_w_m1_d, out_w_m1_q;
  logic [DimW-1:0]      out_h_m1_d, out_h_m1_q;
  logic [KW-1:0]        kh_m1_d, kh_m1_q, kw_m1_d, kw_m1_q;
  logic [CgW-1:0]       cg_m1_d, cg_m1_q;
  logic [AbufAw-1:0]    cg_a_d, cg_a_q;          // cg modulo 2^AbufAw: the step between pixels
  logic [StrW-1:0]      sh_d, sh_q, sw_d, sw_q;
  logic [PadW-1:0]      pt_d, pt_q, pl_d, pl_q;
  logic [PosW-1:0]      ix_rst_d, ix_rst_q;      // -pad_left: ix of the first window column
  logic [MultW-1:0]     mult_d, mult_q;
  logic [ShiftW-1:0]    shift_d, shift_q;
  logic signed [8:0]    in_zp_d, in_zp_q, out_zp_d, out_zp_q;  // typed by data_signed

  logic [AbufAw-1:0]    row_step_d, row_step_q;  // in_w*cg: one input row
  logic [AbufAw-1:0]    ox_step_d, ox_step_q;    // stride_w*cg: next output column
  logic [AbufAw-1:0]    oy_step_d, oy_step_q;    // stride_h*in_w*cg: next output row
  logic [AbufAw-1:0]    pl_off_d, pl_off_q;      // pad_left*cg
  logic [AbufAw-1:0]    pt_off_d, pt_off_q;      // pad_top*in_w*cg
  logic [DimW+AbufAw:0] row_prod;                // in_w*cg from the start cycle's fields

  // ---- loop state ------------------------------------------------------------------------------
  // Down-counters (last iteration at 0) and the ABUF address of the current position, of the
  // current window row, of the current window (g), of the current pixel (g = 0) and of the
  // current output row (ox = 0, g = 0).
  logic [KW-1:0]        kx_d, kx_q, ky_d, ky_q;
  logic [CgW-1:0]       g_d, g_q;
  logic [DimW-1:0]      ox_d, ox_q, oy_d, oy_q;
  logic [AbufAw-1:0]    addr_d, addr_q, row_addr_d, row_addr_q, win_addr_d, win_addr_q;
  logic [AbufAw-1:0]    pix_addr_d, pix_addr_q, orow_addr_d, orow_addr_q;
  logic [PosW-1:0]      ix_d, ix_q, iy_d, iy_q;  // input coordinates of the current position
  logic [PosW-1:0]      ix0_d, ix0_q, iy0_d, iy0_q;  // ... of the current window's top-left
  logic                 first_d, first_q;        // current position is the window's first
  // Each counter's "at 0" as a register beside it, compared on the next value: the loop's
  // priority of five zero tests ran into the enables of every counter (13.1 ns on the ECP5).
  logic                 kx_z_q, ky_z_q, g_z_q, ox_z_q, oy_z_q;

  // ---- pipeline --------------------------------------------------------------------------------
  logic                 issue;                   // a window position is visited this cycle
  logic                 lane_free;               // LaneGap cycles since the last window issued
  logic                 pos_valid;               // ... and it lies inside the input
  logic                 s1_vld_q, s1_rd_q, s1_first_q, s1_last_q;
  logic                 s2_vld_q, s2_rd_q, s2_first_q, s2_last_q;
  logic                 fin_vld_q;               // acc_q holds a finished window
  logic [LaneLat-1:0]   lane_vld_q;              // [k]: output-lane stage k + 1 holds a window
  logic                 wr_q;
  logic [ObufAw-1:0]    optr_d, optr_q;          // OBUF address of the next write
  logic                 pipe_empty;

  // in_w*cg with registered operands and product, from the fields on cmd_i in the start cycle:
  // ready in StSetup2 (the product into row_step_q was 10.9 ns on the ECP5, fix 55).
  tessera_mul18 #(.AW (DimW), .BW (AbufAw), .ASigned (1'b0), .BSigned (1'b0)) u_row_mul (
    .clk_i (clk_i),
    .a_i   (cmd_i[tessera_isa_pkg::PoolInWLsb +: DimW]),
    .b_i   (cmd_i[tessera_isa_pkg::PoolCgLsb +: AbufAw]),
    .p_o   (row_prod)
  );

  // ---- control ---------------------------------------------------------------------------------
  always_comb begin
    state_d     = state_q;
    avg_d       = avg_q;
    sgn_d       = sgn_q;
    abuf_base_d = abuf_base_q;
    in_h_d      = in_h_q;
    in_w_d      = in_w_q;
    out_w_m1_d  = out_w_m1_q;
    out_h_m1_d  = out_h_m1_q;
    kh_m1_d     = kh_m1_q;
    kw_m1_d     = kw_m1_q;
    cg_m1_d     = cg_m1_q;
    cg_a_d      = cg_a_q;
    sh_d        = sh_q;
    sw_d        = sw_q;
    pt_d        = pt_q;
    pl_d        = pl_q;
    ix_rst_d    = ix_rst_q;
    mult_d      = mult_q;
    shift_d     = shift_q;
    in_zp_d     = in_zp_q;
    out_zp_d    = out_zp_q;
    row_step_d  = row_step_q;
    ox_step_d   = ox_step_q;
    oy_step_d   = oy_step_q;
    pl_off_d    = pl_off_q;
    pt_off_d    = pt_off_q;
    kx_d        = kx_q;
    ky_d        = ky_q;
    g_d         = g_q;
    ox_d        = ox_q;
    oy_d        = oy_q;
    addr_d      = addr_q;
    row_addr_d  = row_addr_q;
    win_addr_d  = win_addr_q;
    pix_addr_d  = pix_addr_q;
    orow_addr_d = orow_addr_q;
    ix_d        = ix_q;
    iy_d        = iy_q;
    ix0_d       = ix0_q;
    iy0_d       = iy0_q;
    first_d     = first_q;
    issue       = 1'b0;

    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d     = StSetup1;
          avg_d       = cmd_i[tessera_isa_pkg::PoolAvgLsb];
          sgn_d       = cmd_i[tessera_isa_pkg::PoolDataSignedLsb];
          abuf_base_d = cmd_i[tessera_isa_pkg::PoolAbufAddrLsb +: AbufAw];
          in_h_d      = cmd_i[tessera_isa_pkg::PoolInHLsb +: DimW];
          in_w_d      = cmd_i[tessera_isa_pkg::PoolInWLsb +: DimW];
          out_w_m1_d  = cmd_i[tessera_isa_pkg::PoolOutWLsb +: DimW] - DimW'(1);
          out_h_m1_d  = cmd_i[tessera_isa_pkg::PoolOutHLsb +: DimW] - DimW'(1);
          kh_m1_d     = cmd_i[tessera_isa_pkg::PoolKhLsb +: KW] - KW'(1);
          kw_m1_d     = cmd_i[tessera_isa_pkg::PoolKwLsb +: KW] - KW'(1);
          cg_m1_d     = cmd_i[tessera_isa_pkg::PoolCgLsb +: CgW] - CgW'(1);
          cg_a_d      = cmd_i[tessera_isa_pkg::PoolCgLsb +: AbufAw];
          sh_d        = cmd_i[tessera_isa_pkg::PoolStrideHLsb +: StrW];
          sw_d        = cmd_i[tessera_isa_pkg::PoolStrideWLsb +: StrW];
          pt_d        = cmd_i[tessera_isa_pkg::PoolPadTopLsb +: PadW];
          pl_d        = cmd_i[tessera_isa_pkg::PoolPadLeftLsb +: PadW];
          ix_rst_d    = PosW'(0) - PosW'(cmd_i[tessera_isa_pkg::PoolPadLeftLsb +: PadW]);
          // Max pooling borrows the average datapath as the identity: x*1 >> 0, + 0.
          if (cmd_i[tessera_isa_pkg::PoolAvgLsb]) begin
            mult_d   = cmd_i[tessera_isa_pkg::PoolMultLsb +: MultW];
            shift_d  = cmd_i[tessera_isa_pkg::PoolShiftLsb +: ShiftW];
            out_zp_d = {cmd_i[tessera_isa_pkg::PoolDataSignedLsb] &
                        cmd_i[tessera_isa_pkg::PoolOutZpLsb + ZpW - 1],
                        cmd_i[tessera_isa_pkg::PoolOutZpLsb +: ZpW]};
          end else begin
            mult_d   = MultW'(1);
            shift_d  = '0;
            out_zp_d = '0;
          end
          in_zp_d     = {cmd_i[tessera_isa_pkg::PoolDataSignedLsb] &
                         cmd_i[tessera_isa_pkg::PoolInZpLsb + ZpW - 1],
                         cmd_i[tessera_isa_pkg::PoolInZpLsb +: ZpW]};
          // The window starts at (-pad_top, -pad_left); the loop counters are loaded in the
          // last setup cycle, from registers.
          ix_d        = PosW'(0) - PosW'(cmd_i[tessera_isa_pkg::PoolPadLeftLsb +: PadW]);
          ix0_d       = ix_d;
          iy_d        = PosW'(0) - PosW'(cmd_i[tessera_isa_pkg::PoolPadTopLsb +: PadW]);
          iy0_d       = iy_d;
          first_d     = 1'b1;
        end
      end

      // Products with a 4-bit factor as shifted adds: only in_w*cg needs a multiplier.
      StSetup1: begin
        state_d    = StSetup2;
        ox_step_d  = AbufAw'(tessera_arith_pkg::mul_small(4'(sw_q), 16'(cg_a_q)));
        pl_off_d   = AbufAw'(tessera_arith_pkg::mul_small(4'(pl_q), 16'(cg_a_q)));
      end

      StSetup2: begin
        state_d    = StSetup3;
        row_step_d = AbufAw'(row_prod);
        oy_step_d  = AbufAw'(tessera_arith_pkg::mul_small(4'(sh_q), 16'(AbufAw'(row_prod))));
        pt_off_d   = AbufAw'(tessera_arith_pkg::mul_small(4'(pt_q), 16'(AbufAw'(row_prod))));
        addr_d     = abuf_base_q - pl_off_q;
      end

      // Loop counters start at their first iteration.
      StSetup3: begin
        state_d     = StRun;
        addr_d      = addr_q - pt_off_q;
        row_addr_d  = addr_d;
        win_addr_d  = addr_d;
        pix_addr_d  = addr_d;
        orow_addr_d = addr_d;
        kx_d        = kw_m1_q;
        ky_d        = kh_m1_q;
        g_d         = cg_m1_q;
        ox_d        = out_w_m1_q;
        oy_d        = out_h_m1_q;
      end

      StRun: begin
        // Only a window's last position waits for the lanes.
        issue   = lane_free || !(kx_z_q && ky_z_q);
        first_d = !issue && first_q;
        if (issue) begin
          if (!kx_z_q) begin
            // next column of the window
            kx_d   = kx_q - KW'(1);
            ix_d   = ix_q + PosW'(1);
            addr_d = addr_q + cg_a_q;
          end else if (!ky_z_q) begin
            // next row of the window
            kx_d       = kw_m1_q;
            ky_d       = ky_q - KW'(1);
            ix_d       = ix0_q;
            iy_d       = iy_q + PosW'(1);
            row_addr_d = row_addr_q + row_step_q;
            addr_d     = row_addr_d;
          end else begin
            // window finished: the next position starts a new window
            first_d = 1'b1;
            kx_d    = kw_m1_q;
            ky_d    = kh_m1_q;
            ix_d    = ix0_q;
            iy_d    = iy0_q;
            if (!g_z_q) begin
              // next channel group of the same pixel
              g_d        = g_q - CgW'(1);
              win_addr_d = win_addr_q + AbufAw'(1);
              row_addr_d = win_addr_d;
              addr_d     = win_addr_d;
            end else begin
              g_d = cg_m1_q;
              if (!ox_z_q) begin
                // next output column
                ox_d       = ox_q - DimW'(1);
                ix0_d      = ix0_q + PosW'(sw_q);
                ix_d       = ix0_d;
                pix_addr_d = pix_addr_q + ox_step_q;
                win_addr_d = pix_addr_d;
                row_addr_d = pix_addr_d;
                addr_d     = pix_addr_d;
              end else if (!oy_z_q) begin
                // next output row
                ox_d        = out_w_m1_q;
                oy_d        = oy_q - DimW'(1);
                ix0_d       = ix_rst_q;
                ix_d        = ix_rst_q;
                iy0_d       = iy0_q + PosW'(sh_q);
                iy_d        = iy0_d;
                orow_addr_d = orow_addr_q + oy_step_q;
                pix_addr_d  = orow_addr_d;
                win_addr_d  = orow_addr_d;
                row_addr_d  = orow_addr_d;
                addr_d      = orow_addr_d;
              end else begin
                state_d = StDrain;
              end
            end
          end
        end
      end

      StDrain: begin
        if (pipe_empty) state_d = StIdle;
      end

      default: state_d = StIdle;
    endcase

    if (flush_i) state_d = StIdle;
  end

  // A position is inside the input when 0 <= iy < in_h and 0 <= ix < in_w (sign bit clear).
  assign pos_valid = !iy_q[PosW-1] && (iy_q[PosW-2:0] < (PosW-1)'(in_h_q)) &&
                     !ix_q[PosW-1] && (ix_q[PosW-2:0] < (PosW-1)'(in_w_q));

  assign abuf_rd_en_o   = issue && pos_valid;
  assign abuf_rd_addr_o = addr_q;

  assign pipe_empty = !s1_vld_q && !s2_vld_q && !fin_vld_q && (lane_vld_q == '0);

  // Lane spacing: a window's last position issues LaneGap cycles after the previous one at the
  // earliest, so its acc_q reaches the lanes that much later too.
  tessera_lane_gap #(
    .Gap (LaneGap)
  ) u_lane_gap (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (flush_i),
    .take_i  (issue && kx_z_q && ky_z_q),
    .free_o  (lane_free)
  );
  assign optr_d     = (state_q == StIdle && start_i) ?
                      cmd_i[tessera_isa_pkg::PoolObufAddrLsb +: ObufAw] :
                      optr_q + ObufAw'(wr_q);

  assign busy_o         = (state_q != StIdle);
  assign done_o         = (state_q == StDrain) && pipe_empty;
  assign wr_q           = lane_vld_q[LaneLat-1];
  assign obuf_wr_en_o   = wr_q;
  assign obuf_wr_addr_o = optr_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      s1_vld_q   <= 1'b0;
      s2_vld_q   <= 1'b0;
      fin_vld_q  <= 1'b0;
      lane_vld_q <= '0;
    end else begin
      state_q    <= state_d;
      s1_vld_q   <= issue && !flush_i;
      s2_vld_q   <= s1_vld_q && !flush_i;
      fin_vld_q  <= s2_vld_q && s2_last_q && !flush_i;
      lane_vld_q <= {lane_vld_q[LaneLat-2:0], fin_vld_q} & {LaneLat{!flush_i}};
    end
  end

  // Command, loop and pipeline-tag registers: no reset, the valid bits above qualify them.
  always_ff @(posedge clk_i) begin
    avg_q       <= avg_d;
    sgn_q       <= sgn_d;
    abuf_base_q <= abuf_base_d;
    in_h_q      <= in_h_d;
    in_w_q      <= in_w_d;
    out_w_m1_q  <= out_w_m1_d;
    out_h_m1_q  <= out_h_m1_d;
    kh_m1_q     <= kh_m1_d;
    kw_m1_q     <= kw_m1_d;
    cg_m1_q     <= cg_m1_d;
    cg_a_q      <= cg_a_d;
    sh_q        <= sh_d;
    sw_q        <= sw_d;
    pt_q        <= pt_d;
    pl_q        <= pl_d;
    ix_rst_q    <= ix_rst_d;
    mult_q      <= mult_d;
    shift_q     <= shift_d;
    in_zp_q     <= in_zp_d;
    out_zp_q    <= out_zp_d;
    row_step_q  <= row_step_d;
    ox_step_q   <= ox_step_d;
    oy_step_q   <= oy_step_d;
    pl_off_q    <= pl_off_d;
    pt_off_q    <= pt_off_d;
    kx_q        <= kx_d;
    ky_q        <= ky_d;
    g_q         <= g_d;
    ox_q        <= ox_d;
    oy_q        <= oy_d;
    kx_z_q      <= (kx_d == '0);
    ky_z_q      <= (ky_d == '0);
    g_z_q       <= (g_d == '0);
    ox_z_q      <= (ox_d == '0);
    oy_z_q      <= (oy_d == '0);
    addr_q      <= addr_d;
    row_addr_q  <= row_addr_d;
    win_addr_q  <= win_addr_d;
    pix_addr_q  <= pix_addr_d;
    orow_addr_q <= orow_addr_d;
    ix_q        <= ix_d;
    iy_q        <= iy_d;
    ix0_q       <= ix0_d;
    iy0_q       <= iy0_d;
    first_q     <= first_d;
    s1_rd_q     <= pos_valid && issue;  // a waiting position adds nothing
    s1_first_q  <= first_q;
    s1_last_q   <= kx_z_q && ky_z_q;
    s2_rd_q     <= s1_rd_q;
    s2_first_q  <= s1_first_q;
    s2_last_q   <= s1_last_q;
    optr_q      <= optr_d;
  end

  // ---- lanes -----------------------------------------------------------------------------------
  // Lane registers run freely every cycle (no enables): the valid bits say when they hold a
  // window, and acc_q restarts from acc_init, the identity of the reduction (0 for a sum, the
  // type minimum for max), at each window's first position.
  logic signed [AccW-1:0] acc_init;
  assign acc_init = (avg_q || !sgn_q) ? '0 : {{(AccW-8){1'b1}}, 8'h80};
  // Saturation to the output type is a clamp to its range.
  assign lane_cmin_o    = sgn_q ? -9'sd128 : 9'sd0;
  assign lane_cmax_o    = sgn_q ? 9'sd127 : 9'sd255;
  assign lane_vld_o     = fin_vld_q;
  assign lane_m_o       = mult_q;
  assign lane_shift_o   = shift_q;
  assign lane_zp_o      = out_zp_q;
  assign obuf_wr_data_o = lane_out_i;

  for (genvar i = 0; i < ArrayDim; i++) begin : g_lane
    logic signed [8:0]       x;          // byte i, typed by data_signed
    logic signed [8:0]       x_diff;     // x - in_zp: exact in 9 bits for either type
    logic signed [8:0]       x_q, diff_q;
    logic signed [AccW-1:0]  x_ext, diff_ext, base, acc_d, acc_q;

    assign x        = {sgn_q & abuf_rd_data_i[8*i+7], abuf_rd_data_i[8*i +: 8]};
    assign x_diff   = x - in_zp_q;
    assign x_ext    = {{(AccW-9){x_q[8]}}, x_q};
    assign diff_ext = {{(AccW-9){diff_q[8]}}, diff_q};

    always_ff @(posedge clk_i) begin
      x_q    <= x;
      diff_q <= x_diff;
    end

    // For max, base is a typed byte (acc_init or an earlier x), so a 9-bit compare decides: the
    // AccW-bit compare and select was the ECP5 ArrayDim 4 critical path of POOL (11.5 ns,
    // docs/fpga.md fix 51).
    always_comb begin
      base = s2_first_q ? acc_init : acc_q;
      if (avg_q) begin
        acc_d = base + (s2_rd_q ? diff_ext : '0);
      end else begin
        acc_d = (s2_rd_q && (x_q > $signed(base[8:0]))) ? x_ext : base;  // a typed compare
      end
    end

    always_ff @(posedge clk_i) acc_q <= acc_d;

    assign lane_x_o[32*i +: 32] = {{(32-AccW){acc_q[AccW-1]}}, acc_q};
  end

  // Bits of the command this unit has no use for (opcode, dependency flags, address bits above
  // AbufAw / ObufAw, reserved bits): the dispatcher has already acted on or checked them.
  logic unused_cmd;
  assign unused_cmd = ^cmd_i;

  // in_w*cg is needed modulo 2^AbufAw only.
  logic unused_row_prod;
  assign unused_row_prod = ^row_prod[DimW+AbufAw:AbufAw];

`ifndef SYNTHESIS
  // Parameter limits (docs/architecture.md): the address fields are 16 bits wide.
  initial begin
    if (ArrayDim < 4 || ArrayDim > 32 || (ArrayDim & (ArrayDim - 1)) != 0)
      $fatal(1, "tessera_pool_unit: ArrayDim %0d is not a power of two in 4..32", ArrayDim);
    if (MultW != 32 || ShiftW != 6)
      $fatal(1, "tessera_pool_unit: the output lanes take a 32-bit multiplier and a 6-bit shift");
    if (StrW > 4 || PadW > 4)
      $fatal(1, "tessera_pool_unit: stride / padding fields wider than mul_small's 4 bits");
    if (AbufAw < 1 || AbufAw > tessera_isa_pkg::PoolAbufAddrW)
      $fatal(1, "tessera_pool_unit: AbufAw %0d not in 1..%0d", AbufAw,
             tessera_isa_pkg::PoolAbufAddrW);
    if (ObufAw < 1 || ObufAw > tessera_isa_pkg::PoolObufAddrW)
      $fatal(1, "tessera_pool_unit: ObufAw %0d not in 1..%0d", ObufAw,
             tessera_isa_pkg::PoolObufAddrW);
  end

  // The compute unit starts a command only when this unit is idle.
  always_ff @(posedge clk_i) begin
    if (rst_ni && start_i && state_q != StIdle)
      $error("tessera_pool_unit: start_i while busy");
  end
`endif

endmodule
