// CONV on the weight-stationary PE array (docs/isa.md, docs/architecture.md). Owns the array, the
// accumulator memory ACC (one 32-bit tessera_sram per output lane) and the output pipeline.
//
// Schedule. The weight tiles (ky, kx, g) are the outer loop and the output pixels the inner one:
// a tile's N WBUF words are written into the PEs' shadow weights, one row per cycle, and then its
// out_h*out_w activation vectors stream through, one per cycle. Activations and weight rows enter
// row r of the array r cycles late (the skew), so both wavefronts move down together, and each
// activation carries the index of the weight buffer it uses. Hence a tile's pixels may start the
// cycle after its weight load started, and a load may start once the last activation that used
// the same buffer two tiles earlier has passed column N-1 of row 0 (N-1 cycles after it entered):
// tiles start every max(out_h*out_w, N) cycles, the N-cycle load hidden behind the previous
// tile's pixels.
//
// Results. Column c's sum for a pixel issued in cycle I leaves the array in cycle I+N+3+c; lane c
// of ACC is read two cycles earlier (all but the first tile, or with accumulate), its data is
// registered (so the block RAM's output does not feed the 32-bit add in the same cycle), and the
// word is written in that cycle, so the lanes work skewed and no deskew of 32-bit sums is needed.
// A tile occupies at least N >= 4 cycles and the read-modify-write of a word spans 3, so the next
// tile's read of a pixel always sees the previous tile's write: there is no hazard even when a
// tile has a single pixel. On the last tile with requant the sum goes through the requantization
// (RqLat = 9 cycles: the bias stage here, then the compute unit's shared output lane) instead of
// ACC, the bytes are deskewed, and the full word is written to OBUF in cycle I+2N+11.
//
// Back-to-back commands. A command is accepted (accept_o) in the cycle its last pixel is issued,
// so the next CONV can start while the array drains; done_o follows in cycle I+2N+11 of that
// pixel, through a marker that travels with the pixels. The weight-buffer bookkeeping carries
// over from one command to the next, so a new command's weights never overwrite a buffer that
// the previous command's activations still use, and every ACC access of the new command comes
// after those of the old one in each lane. What the drain still needs are the output
// parameters, so they are split: the front end (zero points, signedness, geometry) takes its
// fields at start and the weight zero points in one PBUF read; the output side (bias,
// multiplier, shift, output zero point, clamp, OBUF pointer) is loaded only once no
// requantized pixel of an earlier command is in flight, and requantized pixels (those of the
// last tile) wait for it. A CONV whose earlier tiles take 2N+13 cycles or more thus follows the
// previous one without a gap. At most one accepted command drains while the next runs.
//
// Shared output lanes. With LaneGap = K > 1 (tessera_compute_unit OutLanes = N/K) lane j serves
// columns jK .. jK+K-1: the requantized pixels are issued K cycles apart at the earliest, so the
// column skew hands it one column per cycle, and the deskew lines pick each column's byte out of
// its lane's stream unchanged. lane_vld_o says which columns' lane_x_o hold a pixel.
module tessera_conv_unit #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64,
  parameter int unsigned LutMulRows = 0,   // PE rows with LUT multipliers (tessera_pe_array)
  parameter int unsigned LaneGap = 1,      // cycles between requantized pixels (columns per lane)
  localparam int unsigned AbufAw = $clog2(AbufWords),
  localparam int unsigned WbufAw = $clog2(WbufWords),
  localparam int unsigned AccAw  = $clog2(AccWords),
  localparam int unsigned ObufAw = $clog2(ObufWords),
  localparam int unsigned PbufAw = $clog2(PbufWords)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    start_i,   // 1-cycle pulse with a CONV command on cmd_i
  input  logic [255:0]            cmd_i,
  input  logic                    flush_i,
  output logic                    ready_o,   // start_i is taken
  output logic                    busy_o,    // a command runs or drains
  output logic                    accept_o,  // pulse: the command's last pixel is issued
  output logic                    done_o,    // pulse: a command's last SRAM write (in order)
  output logic                    abuf_rd_en_o,
  output logic [AbufAw-1:0]       abuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   abuf_rd_data_i,
  output logic                    wbuf_rd_en_o,
  output logic [WbufAw-1:0]       wbuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   wbuf_rd_data_i,
  output logic                    pbuf_rd_en_o,
  output logic [PbufAw-1:0]       pbuf_rd_addr_o,
  input  logic [32*ArrayDim-1:0]  pbuf_rd_data_i,
  output logic                    obuf_wr_en_o,
  output logic [ObufAw-1:0]       obuf_wr_addr_o,
  output logic [8*ArrayDim-1:0]   obuf_wr_data_o,
  input  logic                    acc_ext_rd_req_i,
  input  logic [AccAw-1:0]        acc_ext_rd_addr_i,
  output logic                    acc_ext_rd_gnt_o,
  output logic [32*ArrayDim-1:0]  acc_ext_rd_data_o,
  output logic                    mac_active_o,
  // The compute unit's shared output lanes (tessera_out_lane): lane_x_o[c] holds v = sum + bias
  // of column c when lane_vld_o[c], and the byte of column c comes back on lane_out_i[c]
  // tessera_isa_pkg::OutLaneLat cycles later; the lane parameters hold per command.
  output logic [ArrayDim-1:0]     lane_vld_o,
  output logic [32*ArrayDim-1:0]  lane_x_o,
  output logic [32*ArrayDim-1:0]  lane_m_o,
  output logic [6*ArrayDim-1:0]   lane_shift_o,
  output logic [8:0]              lane_zp_o,
  output logic [8:0]              lane_cmin_o,
  output logic [8:0]              lane_cmax_o,
  input  logic [8*ArrayDim-1:0]   lane_out_i
);

  localparam int unsigned N        = ArrayDim;
  localparam int unsigned RowW     = $clog2(N);
  localparam int unsigned CntW     = $clog2(N);
  // requantization: tessera_bias_sat, then the compute unit's shared output lane
  localparam int unsigned RqLat    = 2 + tessera_isa_pkg::OutLaneLat;
  // ctrl_*_q[k] holds, in cycle I+k+1, the control word of the pixel issued in cycle I.
  localparam int unsigned CtrlRd   = N + 1;        // + c: lane c reads ACC
  localparam int unsigned CtrlWr   = N + 3;        // + c: lane c adds and writes ACC / requant
  localparam int unsigned CtrlLane = CtrlWr + 2;   // + c: column c's v enters its output lane
  localparam int unsigned CtrlOb   = 2*N + RqLat + 2;  // deskewed bytes are written to OBUF
  localparam int unsigned CtrlDepth = CtrlOb + 1;
  // done_o comes the cycle after the OBUF write of the last pixel.
  localparam logic [7:0]  DrainCycles = 8'(CtrlOb + 1);
  localparam int unsigned TileW    = 24;           // kh*kw*cg < 2^24

  // StWait: the last pixel is issued but an earlier command still drains or the last weight
  // tile still loads.
  typedef enum logic [1:0] {StIdle, StSetup, StRun, StWait} state_e;
  state_e state_d, state_q;

  // ---------------------------------------------------------------------------------------------
  // Command fields and per-lane parameters
  // ---------------------------------------------------------------------------------------------
  // Front end: taken at start.
  logic              accumulate_q, requant_q, act_signed_q, wgt_signed_q;
  logic [7:0]        act_zp_q;
  logic [PbufAw-1:0] pbuf_ptr_q;
  logic [3:0]        kh_q, kw_q;
  logic [15:0]       cg_q;
  // Output side: the next command's fields wait in nxt_* until the output parameters load.
  logic              nxt_out_signed_q;
  logic [7:0]        nxt_out_zp_q, nxt_clamp_min_q, nxt_clamp_max_q;
  // Typed (signed 9-bit) when loaded, so the requant lanes see registers, not the signedness
  // flag fanned out into every lane's zero-point add and clamps.
  logic [8:0]        out_zp9_q, clamp_min9_q, clamp_max9_q;
  logic [ObufAw-1:0] nxt_obuf_addr_q, nxt_obuf_stride_q;
  logic [ObufAw-1:0] obuf_ptr_d, obuf_ptr_q, obuf_stride_q;

  logic [1:0]        setup_cnt_d, setup_cnt_q;
  // Output-parameter load: PBUF words 0, 1, 2 in three cycles, once rq_drain_q is 0.
  logic              rl_start, rl_busy_d, rl_busy_q, rl_done_d, rl_done_q;
  logic [1:0]        rl_cnt_d, rl_cnt_q;
  logic [7:0]        rq_drain_d, rq_drain_q;       // cycles until no requantized pixel is in flight
  logic              rq_hold;                      // the next pixel must wait for the parameters
  logic              rq_lane_free;                 // ... or for the shared output lanes
  logic              pb_vld_q, pb_rl_q;            // PBUF data arrives; for the parameter load
  logic [1:0]        pb_word_q;                    // PBUF word arriving this cycle
  // Commands whose last pixel is in the array (their done_o is still to come).
  logic [1:0]        tails_d, tails_q;
  logic              last_issue;
  logic [32*N-1:0]   bias_q, mult_q;
  logic [6*N-1:0]    shift_q;
  logic [8*N-1:0]    wzp_q;

  // ---------------------------------------------------------------------------------------------
  // Address generator (streamer side)
  // ---------------------------------------------------------------------------------------------
  logic              gen_ready, gen_step, gen_pad, gen_first_tile, gen_last_tile, gen_last_px;
  logic [AbufAw-1:0] gen_abuf_addr;
  logic [AccAw-1:0]  gen_acc_addr;

  tessera_conv_addr_gen #(
    .AbufAw (AbufAw),
    .AccAw  (AccAw)
  ) u_addr_gen (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .start_i      (start_i && state_q == StIdle),
    .cmd_i        (cmd_i),
    .flush_i      (flush_i),
    .ready_o      (gen_ready),
    .step_i       (gen_step),
    .abuf_addr_o  (gen_abuf_addr),
    .pad_o        (gen_pad),
    .acc_addr_o   (gen_acc_addr),
    .first_tile_o (gen_first_tile),
    .last_tile_o  (gen_last_tile),
    .last_px_o    (gen_last_px)
  );

  // ---------------------------------------------------------------------------------------------
  // Tile scheduling: weight loader and pixel streamer sharing two weight buffers
  // ---------------------------------------------------------------------------------------------
  logic              load_start, load_issue, load_buf;
  logic              lbusy_d, lbusy_q;
  logic              l1_vld_q;                     // a WBUF word arrives (weight path stage 1)
  logic [RowW-1:0]   lrow_d, lrow_q, load_row;
  logic              lbuf_d, lbuf_q, lcur_d, lcur_q;
  logic [TileW-1:0]  ltiles_d, ltiles_q;           // tiles still to load
  logic [WbufAw-1:0] wptr_d, wptr_q;
  logic [1:0]        inuse_d, inuse_q;             // buffer loaded, its pixels not all issued
  // per buffer b, bits [b*CntW +: CntW]: cycles until its last activation has left row 0
  logic [2*CntW-1:0] free_cnt_d, free_cnt_q;
  logic [1:0]        ahead_d, ahead_q;             // tiles loaded (started) but not started
  logic              mid_d, mid_q;                 // in the middle of a tile's pixels
  logic              sbuf_d, sbuf_q;               // buffer of the tile being streamed
  logic [TileW-1:0]  khkw_cg;                      // tiles of the command
  // kh * kw is registered in the first setup cycle and times cg forms ltiles in the second, one
  // multiplier per cycle (both chained were the ECP5 ArrayDim 4 critical path).
  logic [7:0]        khkw_q;

  assign khkw_cg = {16'd0, khkw_q} * {8'd0, cg_q};

  always_comb begin
    state_d     = state_q;
    setup_cnt_d = setup_cnt_q;
    lbusy_d     = lbusy_q;
    lrow_d      = lrow_q;
    lbuf_d      = lbuf_q;
    lcur_d      = lcur_q;
    ltiles_d    = ltiles_q;
    wptr_d      = wptr_q;
    inuse_d     = inuse_q;
    ahead_d     = ahead_q;
    mid_d       = mid_q;
    sbuf_d      = sbuf_q;
    obuf_ptr_d  = obuf_ptr_q;
    rl_busy_d   = rl_busy_q;
    rl_cnt_d    = rl_cnt_q;
    rl_done_d   = rl_done_q;
    for (int unsigned b = 0; b < 2; b++) begin
      if (free_cnt_q[b*CntW +: CntW] != '0) begin
        free_cnt_d[b*CntW +: CntW] = free_cnt_q[b*CntW +: CntW] - CntW'(1);
      end else begin
        free_cnt_d[b*CntW +: CntW] = '0;
      end
    end

    // Loader: a tile's N rows are read on N consecutive cycles.
    load_start = (state_q == StRun) && !lbusy_q && (ltiles_q != '0) && !inuse_q[lbuf_q] &&
                 (free_cnt_q[lbuf_q*CntW +: CntW] == '0);
    load_issue = load_start || lbusy_q;
    load_row   = load_start ? '0 : lrow_q;
    load_buf   = load_start ? lbuf_q : lcur_q;
    if (load_start) begin
      lcur_d           = lbuf_q;
      lbuf_d           = !lbuf_q;
      inuse_d[lbuf_q]  = 1'b1;
      ltiles_d         = ltiles_q - TileW'(1);
    end
    if (load_issue) begin
      wptr_d  = wptr_q + WbufAw'(1);
      lrow_d  = load_row + RowW'(1);
      lbusy_d = (load_row != RowW'(N - 1));
    end

    // Streamer: the next tile may start the cycle after its load started; requantized pixels
    // wait for the output parameters.
    rq_hold  = requant_q && gen_last_tile && (!rl_done_q || !rq_lane_free);
    gen_step = (state_q == StRun) && gen_ready && (mid_q || ahead_q != 2'd0) && !rq_hold;
    ahead_d  = ahead_q + {1'b0, load_start} - {1'b0, gen_step && !mid_q};
    if (gen_step) begin
      mid_d = !gen_last_px;
      if (gen_last_px) begin
        // The last activation of this buffer reaches column N-1 of row 0 N-1 cycles from now;
        // the loader's first row write comes 2 cycles after it starts.
        inuse_d[sbuf_q]    = 1'b0;
        free_cnt_d[sbuf_q*CntW +: CntW] = CntW'(N - 2);
        sbuf_d             = !sbuf_q;
      end
    end

    if (obuf_wr_en_o) obuf_ptr_d = obuf_ptr_q + obuf_stride_q;

    // Output parameters: once the earlier commands' requantized pixels are out (their last OBUF
    // write included), so the switch is invisible to them.
    rl_start = (state_q == StRun) && requant_q && !rl_done_q && !rl_busy_q && (rq_drain_q == '0);
    if (rl_start) begin
      rl_busy_d  = 1'b1;
      rl_done_d  = 1'b1;
      obuf_ptr_d = nxt_obuf_addr_q;
    end
    if (rl_busy_q) begin
      rl_cnt_d  = rl_cnt_q + 2'd1;
      rl_busy_d = (rl_cnt_q != 2'd2);
    end
    if (gen_step && requant_q && gen_last_tile) rq_drain_d = DrainCycles;
    else if (rq_drain_q != '0)                 rq_drain_d = rq_drain_q - 8'd1;
    else                                       rq_drain_d = '0;

    last_issue = gen_step && gen_last_px && gen_last_tile;
    tails_d    = tails_q + {1'b0, last_issue} - {1'b0, done_o};
    accept_o   = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d     = StSetup;
          setup_cnt_d = '0;
          lbusy_d     = 1'b0;
          rl_done_d   = 1'b0;
          wptr_d      = cmd_i[tessera_isa_pkg::ConvWbufAddrLsb +: WbufAw];
        end
      end
      StSetup: begin
        // One PBUF read for the weight zero points (they arrive before the first WBUF word),
        // while tessera_conv_addr_gen forms its constants.
        setup_cnt_d = setup_cnt_q + 2'd1;
        if (setup_cnt_q == 2'd1) ltiles_d = khkw_cg;
        if (setup_cnt_q == 2'd2) state_d = StRun;
      end
      StRun: begin
        // The last tile's weight rows may still be loading (they use wzp_q, wgt_signed_q).
        if (last_issue) begin
          accept_o = (tails_q == 2'd0) && !load_issue && !l1_vld_q;
          state_d  = accept_o ? StIdle : StWait;
        end
      end
      StWait: begin
        // The earlier command has drained when only this command's marker is left.
        if ((tails_q == 2'd1) && !lbusy_q && !l1_vld_q) begin
          accept_o = 1'b1;
          state_d  = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    if (flush_i) begin
      state_d    = StIdle;
      lbusy_d    = 1'b0;
      lbuf_d     = 1'b0;
      sbuf_d     = 1'b0;
      inuse_d    = '0;
      ahead_d    = '0;
      mid_d      = 1'b0;
      rl_busy_d  = 1'b0;
      rl_done_d  = 1'b0;
      rq_drain_d = '0;
      tails_d    = '0;
      accept_o   = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      setup_cnt_q <= '0;
      lbusy_q     <= 1'b0;
      lrow_q      <= '0;
      lbuf_q      <= 1'b0;
      lcur_q      <= 1'b0;
      ltiles_q    <= '0;
      wptr_q      <= '0;
      inuse_q     <= '0;
      free_cnt_q  <= '0;
      ahead_q     <= '0;
      mid_q       <= 1'b0;
      sbuf_q      <= 1'b0;
      obuf_ptr_q  <= '0;
      rl_busy_q   <= 1'b0;
      rl_cnt_q    <= '0;
      rl_done_q   <= 1'b0;
      rq_drain_q  <= '0;
      tails_q     <= '0;
    end else begin
      state_q     <= state_d;
      setup_cnt_q <= setup_cnt_d;
      lbusy_q     <= lbusy_d;
      lrow_q      <= lrow_d;
      lbuf_q      <= lbuf_d;
      lcur_q      <= lcur_d;
      ltiles_q    <= ltiles_d;
      wptr_q      <= wptr_d;
      inuse_q     <= inuse_d;
      free_cnt_q  <= free_cnt_d;
      ahead_q     <= ahead_d;
      mid_q       <= mid_d;
      sbuf_q      <= sbuf_d;
      obuf_ptr_q  <= obuf_ptr_d;
      rl_busy_q   <= rl_busy_d;
      rl_cnt_q    <= rl_start ? 2'd0 : rl_cnt_d;
      rl_done_q   <= rl_done_d;
      rq_drain_q  <= rq_drain_d;
      tails_q     <= tails_d;
    end
  end


  always_ff @(posedge clk_i) begin
    if (state_q == StIdle && start_i) begin
      accumulate_q  <= cmd_i[tessera_isa_pkg::ConvAccumulateLsb];
      requant_q     <= cmd_i[tessera_isa_pkg::ConvRequantLsb];
      act_signed_q  <= cmd_i[tessera_isa_pkg::ConvActSignedLsb];
      wgt_signed_q  <= cmd_i[tessera_isa_pkg::ConvWgtSignedLsb];
      act_zp_q      <= cmd_i[tessera_isa_pkg::ConvActZpLsb +: tessera_isa_pkg::ConvActZpW];
      pbuf_ptr_q    <= cmd_i[tessera_isa_pkg::ConvPbufAddrLsb +: PbufAw];
      nxt_out_signed_q  <= cmd_i[tessera_isa_pkg::ConvOutSignedLsb];
      nxt_out_zp_q      <= cmd_i[tessera_isa_pkg::ConvOutZpLsb +: tessera_isa_pkg::ConvOutZpW];
      nxt_clamp_min_q   <= cmd_i[tessera_isa_pkg::ConvClampMinLsb +: tessera_isa_pkg::ConvClampMinW];
      nxt_clamp_max_q   <= cmd_i[tessera_isa_pkg::ConvClampMaxLsb +: tessera_isa_pkg::ConvClampMaxW];
      nxt_obuf_addr_q   <= cmd_i[tessera_isa_pkg::ConvObufAddrLsb +: ObufAw];
      nxt_obuf_stride_q <= cmd_i[tessera_isa_pkg::ConvObufStrideLsb +: ObufAw];
      kh_q          <= cmd_i[tessera_isa_pkg::ConvKhLsb +: tessera_isa_pkg::ConvKhW];
      kw_q          <= cmd_i[tessera_isa_pkg::ConvKwLsb +: tessera_isa_pkg::ConvKwW];
      cg_q          <= cmd_i[tessera_isa_pkg::ConvCgLsb +: tessera_isa_pkg::ConvCgW];
    end
    khkw_q <= {4'd0, kh_q} * {4'd0, kw_q};
    if (rl_start) begin
      out_zp9_q     <= {nxt_out_signed_q & nxt_out_zp_q[7], nxt_out_zp_q};
      clamp_min9_q  <= {nxt_out_signed_q & nxt_clamp_min_q[7], nxt_clamp_min_q};
      clamp_max9_q  <= {nxt_out_signed_q & nxt_clamp_max_q[7], nxt_clamp_max_q};
      obuf_stride_q <= nxt_obuf_stride_q;
    end
  end

  // PBUF: word pbuf_addr + 2 (weight zero points) in the first StSetup cycle; words 0, 1, 2
  // (bias, multiplier, shift) in the three cycles of the output-parameter load.
  logic       setup_rd;
  logic [1:0] pb_rd_word;
  assign setup_rd       = (state_q == StSetup) && (setup_cnt_q == 2'd0);
  assign pb_rd_word     = setup_rd ? 2'd2 : rl_cnt_q;
  assign pbuf_rd_en_o   = setup_rd || rl_busy_q;
  assign pbuf_rd_addr_o = pbuf_ptr_q + PbufAw'(pb_rd_word);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      pb_vld_q <= 1'b0;
    end else begin
      pb_vld_q <= pbuf_rd_en_o && !flush_i;
    end
  end

  always_ff @(posedge clk_i) begin
    pb_rl_q   <= !setup_rd;
    pb_word_q <= rl_cnt_q;
    if (pb_vld_q && !pb_rl_q) begin
      for (int unsigned c = 0; c < N; c++) wzp_q[8*c +: 8] <= pbuf_rd_data_i[32*c + 8 +: 8];
    end
    if (pb_vld_q && pb_rl_q && pb_word_q == 2'd0) bias_q <= pbuf_rd_data_i;
    if (pb_vld_q && pb_rl_q && pb_word_q == 2'd1) mult_q <= pbuf_rd_data_i;
    if (pb_vld_q && pb_rl_q && pb_word_q == 2'd2) begin
      for (int unsigned c = 0; c < N; c++) shift_q[6*c +: 6] <= pbuf_rd_data_i[32*c +: 6];
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Weight path: WBUF word -> w - wzp[c] -> PE shadow weights of row load_row
  // ---------------------------------------------------------------------------------------------
  assign wbuf_rd_en_o   = load_issue;
  assign wbuf_rd_addr_o = wptr_q;

  logic            l1_buf_q;
  logic [RowW-1:0] l1_row_q;
  logic            wgt_we_q, wgt_buf_q;
  logic [RowW-1:0] wgt_row_q;
  logic [9*N-1:0]  wgt_d, wgt_q;

  always_comb begin
    for (int unsigned c = 0; c < N; c++) begin
      logic [8:0] w9, z9;
      w9 = {wgt_signed_q && wbuf_rd_data_i[8*c + 7], wbuf_rd_data_i[8*c +: 8]};
      z9 = {wgt_signed_q && wzp_q[8*c + 7], wzp_q[8*c +: 8]};
      wgt_d[9*c +: 9] = w9 - z9;  // exact: both are in [-128, 255] of the same type
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      l1_vld_q <= 1'b0;
      wgt_we_q <= 1'b0;
    end else begin
      l1_vld_q <= load_issue && !flush_i;
      wgt_we_q <= l1_vld_q && !flush_i;
    end
  end

  always_ff @(posedge clk_i) begin
    l1_row_q  <= load_row;
    l1_buf_q  <= load_buf;
    wgt_row_q <= l1_row_q;
    wgt_buf_q <= l1_buf_q;
    wgt_q     <= wgt_d;
  end

  // ---------------------------------------------------------------------------------------------
  // Activation path: ABUF word (or padding) -> a - act_zp -> row skew -> array
  // ---------------------------------------------------------------------------------------------
  logic           s1_issue_q, s1_use_q, s1_buf_q;
  logic [9*N-1:0] act_vec;
  logic [9*N-1:0] act_skewed;
  logic [N-1:0]   act_buf_skewed;

  assign abuf_rd_en_o   = gen_step && !gen_pad;
  assign abuf_rd_addr_o = gen_abuf_addr;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      s1_issue_q <= 1'b0;
      s1_use_q   <= 1'b0;
    end else begin
      s1_issue_q <= gen_step && !flush_i;
      s1_use_q   <= gen_step && !gen_pad && !flush_i;
    end
  end

  always_ff @(posedge clk_i) begin
    s1_buf_q <= sbuf_q;
  end

  assign mac_active_o = s1_issue_q;

  always_comb begin
    for (int unsigned r = 0; r < N; r++) begin
      logic [8:0] a9, z9;
      a9 = {act_signed_q && abuf_rd_data_i[8*r + 7], abuf_rd_data_i[8*r +: 8]};
      z9 = {act_signed_q && act_zp_q[7], act_zp_q};
      // Padding and idle cycles feed 0, i.e. a = act_zp.
      act_vec[9*r +: 9] = s1_use_q ? a9 - z9 : 9'd0;
    end
  end

  for (genvar r = 0; r < N; r++) begin : g_skew
    tessera_conv_delay #(
      .Width (10),
      .Depth (r + 1)
    ) u_skew (
      .clk_i (clk_i),
      .d_i   ({s1_buf_q, act_vec[9*r +: 9]}),
      .q_o   ({act_buf_skewed[r], act_skewed[9*r +: 9]})
    );
  end

  logic [32*N-1:0] psum;

  tessera_pe_array #(
    .Rows       (N),
    .Cols       (N),
    .LutMulRows (LutMulRows)
  ) u_array (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .act_i     (act_skewed),
    .act_buf_i (act_buf_skewed),
    .wgt_we_i  (wgt_we_q),
    .wgt_row_i (wgt_row_q),
    .wgt_buf_i (wgt_buf_q),
    .wgt_i     (wgt_q),
    .psum_o    (psum)
  );

  // ---------------------------------------------------------------------------------------------
  // Control pipeline: which ACC word each lane reads / writes, and what to do with the sum
  // ---------------------------------------------------------------------------------------------
  localparam int unsigned CtrlW = AccAw + 3;  // {rd, wr, rq, acc address}
  logic [CtrlDepth-1:0] ctrl_vld_q;
  logic [CtrlDepth*CtrlW-1:0] ctrl_q;  // stage k: bits [k*CtrlW +: CtrlW]
  logic [CtrlW-1:0]     ctrl_in;

  assign ctrl_in = {accumulate_q || !gen_first_tile,   // rd: add to what ACC holds
                    !(requant_q && gen_last_tile),     // wr: the sum goes back to ACC
                    requant_q && gen_last_tile,        // rq: the sum goes to OBUF
                    gen_acc_addr};

  // last_q marks the last pixel of each command; done_o when it passes the OBUF write.
  logic [CtrlDepth-1:0] last_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || flush_i) begin
      ctrl_vld_q <= '0;
      last_q     <= '0;
    end else begin
      ctrl_vld_q <= {ctrl_vld_q[CtrlDepth-2:0], gen_step};
      last_q     <= {last_q[CtrlDepth-2:0], last_issue};
    end
  end

  assign done_o = last_q[CtrlDepth-1];

  always_ff @(posedge clk_i) begin
    ctrl_q <= {ctrl_q[(CtrlDepth-1)*CtrlW-1:0], ctrl_in};
  end

  // ---------------------------------------------------------------------------------------------
  // ACC lanes, requantization and OBUF
  // ---------------------------------------------------------------------------------------------
  logic [N-1:0]   lane_rd_int;
  logic           ext_gnt;
  logic [8*N-1:0] obuf_bytes;

  for (genvar c = 0; c < N; c++) begin : g_lane
    logic             rd_en, wr_en, add_acc;
    logic [AccAw-1:0] rd_addr;
    logic [31:0]      rd_data, rd_q, sum;
    logic [CtrlW-1:0] crd, cwr;

    assign crd            = ctrl_q[(CtrlRd + c)*CtrlW +: CtrlW];
    assign cwr            = ctrl_q[(CtrlWr + c)*CtrlW +: CtrlW];
    assign lane_rd_int[c] = ctrl_vld_q[CtrlRd + c] && crd[AccAw + 2];
    assign rd_en          = lane_rd_int[c] || ext_gnt;
    assign rd_addr        = lane_rd_int[c] ? crd[AccAw-1:0] : acc_ext_rd_addr_i;
    assign add_acc        = cwr[AccAw + 2];
    assign sum            = psum[32*c +: 32] + (add_acc ? rd_q : 32'd0);
    assign wr_en          = ctrl_vld_q[CtrlWr + c] && cwr[AccAw + 1];

    tessera_sram #(
      .Width (32),
      .Depth (AccWords)
    ) u_acc (
      .clk_i     (clk_i),
      .wr_en_i   (wr_en),
      .wr_addr_i (cwr[AccAw-1:0]),
      .wr_data_i (sum),
      .rd_en_i   (rd_en),
      .rd_addr_i (rd_addr),
      .rd_data_o (rd_data)
    );

    // The lane's own reads are used a cycle later; the store unit's (ext) reads straight away.
    always_ff @(posedge clk_i) rd_q <= rd_data;

`ifndef SYNTHESIS
    // A read-modify-write spans three cycles and a tile at least four, so the lane never reads
    // the word it writes in the same cycle: ACC's collision value is undefined on FPGA block
    // RAM (tessera_sram), and only the store unit's unordered reads may meet a write.
    always_ff @(posedge clk_i) begin
      assert (!(lane_rd_int[c] && wr_en && crd[AccAw-1:0] == cwr[AccAw-1:0]))
        else $error("tessera_conv_unit: lane %0d reads ACC word %0d in the cycle it writes it", c,
                    cwr[AccAw-1:0]);
    end
`endif
    assign acc_ext_rd_data_o[32*c +: 32] = rd_data;

    // Requantization: v = saturate_int32(sum + bias) here (two stages), v * mult and the
    // rounding in the compute unit's shared output lane c (tessera_out_lane).
    tessera_bias_sat u_bias_sat (
      .clk_i  (clk_i),
      .acc_i  (sum),
      .bias_i (bias_q[32*c +: 32]),
      .v_o    (lane_x_o[32*c +: 32])
    );

    // Lane c's byte is ready N-1-c cycles before lane N-1's.
    tessera_conv_delay #(
      .Width (8),
      .Depth (N - 1 - c)
    ) u_deskew (
      .clk_i (clk_i),
      .d_i   (lane_out_i[8*c +: 8]),
      .q_o   (obuf_bytes[8*c +: 8])
    );
  end

  // Column c's v is a pixel's when that stage holds one with rq set (bit AccAw of its word).
  for (genvar c = 0; c < N; c++) begin : g_lane_vld
    assign lane_vld_o[c] = ctrl_vld_q[CtrlLane + c] && ctrl_q[(CtrlLane + c)*CtrlW + AccAw];
  end

  // Requantized pixels LaneGap cycles apart, so that the columns sharing an output lane take it
  // one after another.
  tessera_lane_gap #(
    .Gap (LaneGap)
  ) u_lane_gap (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .flush_i (flush_i),
    .take_i  (gen_step && requant_q && gen_last_tile),
    .free_o  (rq_lane_free)
  );

  // The store unit reads ACC only in cycles in which no lane needs its read port.
  assign ext_gnt          = acc_ext_rd_req_i && (lane_rd_int == '0);
  assign acc_ext_rd_gnt_o = ext_gnt;

  logic [CtrlW-1:0] cob;
  assign cob            = ctrl_q[CtrlOb*CtrlW +: CtrlW];
  assign obuf_wr_en_o   = ctrl_vld_q[CtrlOb] && cob[AccAw];
  assign obuf_wr_addr_o = obuf_ptr_q;
  assign obuf_wr_data_o = obuf_bytes;

  assign lane_m_o     = mult_q;
  assign lane_shift_o = shift_q;
  assign lane_zp_o    = out_zp9_q;
  assign lane_cmin_o  = clamp_min9_q;
  assign lane_cmax_o  = clamp_max9_q;

  assign ready_o = (state_q == StIdle);
  assign busy_o  = (state_q != StIdle) || (tails_q != '0);

  logic unused_bits;
  assign unused_bits = ^{cmd_i, cob[AccAw+2:AccAw+1], cob[AccAw-1:0]};

`ifndef SYNTHESIS
  initial begin
    assert (N >= 4 && N <= 32 && (N & (N - 1)) == 0)
      else $error("tessera_conv_unit: ArrayDim must be a power of two in 4..32");
    assert (AbufWords >= 2 && AbufWords <= 65536 && WbufWords >= 2 && WbufWords <= 65536 &&
            AccWords >= 2 && AccWords <= 65536 && ObufWords >= 2 && ObufWords <= 65536 &&
            PbufWords >= 4 && PbufWords <= 65536)
      else $error("tessera_conv_unit: buffer depths must be in 2..65536 (PBUF 4..65536)");
  end
`endif

endmodule
