// STORE: OBUF or ACC words to a 3-D strided DRAM region (docs/isa.md). A reader fetches the
// source words in order into a elem_small element FIFO (OBUF has one cycle of read latency; ACC is
// read through the compute unit's request/grant port, data the cycle after the grant). A packer
// follows the rows with its own walker and builds full-width beats: elem_small elements (E <= beat)
// go into their byte slot with the matching wstrb bits, and a beat leaves after its last element
// of the row; large elements are sent as E / beat whole beats. A third walker feeds the AW
// bursts. done_o pulses when every element is sent and every B response is back.
module tessera_store_unit #(
  parameter int unsigned ArrayDim = 16,
  parameter int unsigned DataW    = 128
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   flush_i,
  input  logic                   cmd_valid_i,
  output logic                   cmd_ready_o,
  input  logic [255:0]           cmd_i,
  output logic                   done_o,
  output logic                   err_o,
  // sources
  output logic                   obuf_rd_en_o,
  output logic [15:0]            obuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]  obuf_rd_data_i,
  output logic                   acc_req_o,
  output logic [15:0]            acc_addr_o,
  input  logic                   acc_gnt_i,
  input  logic [32*ArrayDim-1:0] acc_data_i,
  // write engine
  output logic                   aw_valid_o,
  input  logic                   aw_ready_i,
  output logic [31:0]            aw_addr_o,
  output logic [7:0]             aw_len_o,
  output logic                   w_valid_o,
  input  logic                   w_ready_i,
  output logic [DataW-1:0]       w_data_o,
  output logic [DataW/8-1:0]     w_strb_o,
  input  logic                   wr_err_i,
  input  logic                   wr_busy_i,
  output logic [7:0]             bytes_o       // element bytes packed this cycle (perf)
);

  localparam int unsigned BeatB = DataW / 8;
  localparam int unsigned BeatL = $clog2(BeatB);
  localparam int unsigned VecB  = ArrayDim;
  localparam int unsigned VecL  = $clog2(VecB);
  localparam int unsigned VecW  = 8 * VecB;
  localparam int unsigned WideB = 4 * ArrayDim;
  localparam int unsigned WideL = $clog2(WideB);
  localparam int unsigned WideW = 8 * WideB;
  localparam int unsigned EDepth = 4;

  logic        active_d, active_q, walk_d, walk_q, is_acc_d, is_acc_q;
  logic        packed_d, packed_q;          // every element handed to the packer's beats
  logic [15:0] rd_ptr_d, rd_ptr_q, x_d, x_q, xlen_q, ylen_q, zlen_q, xlen_m1_q, ylen_m1_q;
  // The reader's own x/y/z walk (x*y*z reads, no multiplier); rd_more_q until the last read.
  // Each dimension counts the reads left after the current one down to zero, with that zero
  // test as a register (r*_z_q), so a read decides its wraps from flip-flops: an increment, a
  // compare against the length and the next dimension's increment and compare in one cycle
  // were on the ECP5 critical path (13.2 ns, docs/fpga.md fix 38).
  logic        rd_more_d, rd_more_q;
  logic [15:0] rx_d, rx_q, ry_d, ry_q, rz_d, rz_q;
  logic        rx_z_d, rx_z_q, ry_z_d, ry_z_q, rz_z_d, rz_z_q;
  logic [15:0] cmd_xlen, cmd_ylen, cmd_zlen;
  logic [31:0] dram_q, ys_q, zs_q;
  logic [2:0]  es_d, es_q;
  logic [6:0]  bcnt_d, bcnt_q;

  // ---- reader ---------------------------------------------------------------------------------
  logic             pend_q, issue, want, e_valid, e_pop, e_ready;
  logic [WideW-1:0] e_head, e_in;
  logic [2:0]       e_cnt;

  // Space for one more read: elements buffered plus the read in flight below EDepth, added in
  // the FIFO count's own width (a 32-bit add and compare here was the start of the ECP5 critical
  // path into the ACC read grant and the reader's enables, docs/fpga.md fix 44).
  assign want           = active_q && rd_more_q && (({1'b0, e_cnt} + 4'(pend_q)) < 4'(EDepth));
  assign obuf_rd_en_o   = want && !is_acc_q;
  assign obuf_rd_addr_o = rd_ptr_q;
  assign acc_req_o      = want && is_acc_q;
  assign acc_addr_o     = rd_ptr_q;
  assign issue          = obuf_rd_en_o || (acc_req_o && acc_gnt_i);
  assign e_in           = is_acc_q ? acc_data_i : WideW'(obuf_rd_data_i);

  always_ff @(posedge clk_i) begin
    if (!rst_ni) pend_q <= 1'b0;
    else         pend_q <= issue && !flush_i;
  end

  tessera_fifo #(
    .Width (WideW),
    .Depth (EDepth)
  ) u_elems (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (flush_i),
    .in_valid_i  (pend_q),
    .in_ready_o  (e_ready),
    .in_data_i   (e_in),
    .out_valid_o (e_valid),
    .out_ready_i (e_pop),
    .out_data_o  (e_head),
    .count_o     (e_cnt)
  );

  // ---- AW side --------------------------------------------------------------------------------
  logic        a_rv, a_rr, a_rl;
  logic [31:0] a_ra;
  logic [23:0] a_rb;

  tessera_axi_rows u_arows (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush_i),
    .start_i     (walk_q),
    .dram_addr_i (dram_q),
    .x_len_i     (xlen_q),
    .y_len_i     (ylen_q),
    .z_len_i     (zlen_q),
    .y_stride_i  (ys_q),
    .z_stride_i  (zs_q),
    .es_log2_i   (es_q),
    .row_valid_o (a_rv),
    .row_ready_i (a_rr),
    .row_addr_o  (a_ra),
    .row_bytes_o (a_rb),
    .row_last_o  (a_rl)
  );

  tessera_axi_burst #(
    .DataW (DataW)
  ) u_burst (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .flush_i       (flush_i),
    .row_valid_i   (a_rv),
    .row_ready_o   (a_rr),
    .row_addr_i    (a_ra),
    .row_bytes_i   (a_rb),
    .burst_valid_o (aw_valid_o),
    .burst_ready_i (aw_ready_i),
    .burst_addr_o  (aw_addr_o),
    .burst_len_o   (aw_len_o)
  );

  // ---- packer ---------------------------------------------------------------------------------
  logic               d_rv, d_rr, d_rl;
  logic [31:0]        d_ra;
  logic [23:0]        d_rb;
  logic               elem_small, last_in_row, beat_end, elem_done;
  logic [BeatL-1:0]   elem_off;
  logic [BeatL:0]     next_off;
  logic [6:0]         bpe_m1;
  logic               full_d, full_q;
  logic [DataW-1:0]   bdata_d, bdata_q, big_data;
  logic [DataW/8-1:0] bstrb_d, bstrb_q;

  tessera_axi_rows u_drows (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush_i),
    .start_i     (walk_q),
    .dram_addr_i (dram_q),
    .x_len_i     (xlen_q),
    .y_len_i     (ylen_q),
    .z_len_i     (zlen_q),
    .y_stride_i  (ys_q),
    .z_stride_i  (zs_q),
    .es_log2_i   (es_q),
    .row_valid_o (d_rv),
    .row_ready_i (d_rr),
    .row_addr_o  (d_ra),
    .row_bytes_o (d_rb),
    .row_last_o  (d_rl)
  );

  // The element size is one of two, so everything derived from it is a select between two
  // constants (or two fixed shifts) by is_acc_q: derived from es_q, Yosys built barrel shifters
  // and a subtract into the chain element offset -> beat end -> pop -> row walker enables
  // (14.1 ns on the ECP5, docs/fpga.md fix 49).
  localparam logic       VecSmall  = VecL <= BeatL;
  localparam logic       WideSmall = WideL <= BeatL;
  localparam logic [6:0] VecBpeM1  = VecSmall ? 7'd0 : 7'((32'd1 << (VecL - BeatL)) - 32'd1);
  localparam logic [6:0] WideBpeM1 = WideSmall ? 7'd0 : 7'((32'd1 << (WideL - BeatL)) - 32'd1);

  assign elem_small  = is_acc_q ? WideSmall : VecSmall;
  assign elem_off    = d_ra[BeatL-1:0] + (is_acc_q ? BeatL'(32'(x_q) << WideL) :
                                                     BeatL'(32'(x_q) << VecL));
  assign next_off    = {1'b0, elem_off} + (is_acc_q ? (BeatL+1)'(32'd1 << WideL) :
                                                      (BeatL+1)'(32'd1 << VecL));
  assign beat_end    = next_off[BeatL];
  assign last_in_row = (x_q == xlen_m1_q);
  assign bpe_m1      = is_acc_q ? WideBpeM1 : VecBpeM1;

  // A popped elem_small element starts a fresh beat if the held one leaves this cycle.
  logic [DataW-1:0]   base_data, vplace_data, wplace_data;
  logic [DataW/8-1:0] base_strb, vplace_strb, wplace_strb;

  assign base_data = full_q ? '0 : bdata_q;
  assign base_strb = full_q ? '0 : bstrb_q;

  if (VecB <= BeatB) begin : g_vplace
    logic [BeatL-1:0] slot;
    assign slot = elem_off >> VecL;
    always_comb begin
      vplace_data = base_data;
      vplace_strb = base_strb;
      vplace_data[slot*VecW +: VecW] = e_head[VecW-1:0];
      // Sized on purpose: Yosys 0.23 fills a variable part-select with '1 as one bit (1'b1), so
      // only byte 0 of the slot was enabled (found by tests/fpga/netlist_top_test.cpp).
      vplace_strb[slot*VecB +: VecB] = {VecB{1'b1}};
    end
  end else begin : g_no_vplace
    assign vplace_data = base_data;
    assign vplace_strb = base_strb;
  end

  if (WideB <= BeatB) begin : g_wplace
    logic [BeatL-1:0] slot;
    assign slot = elem_off >> WideL;
    always_comb begin
      wplace_data = base_data;
      wplace_strb = base_strb;
      wplace_data[slot*WideW +: WideW] = e_head;
      wplace_strb[slot*WideB +: WideB] = {WideB{1'b1}};  // sized: see g_vplace
    end
  end else begin : g_no_wplace
    assign wplace_data = base_data;
    assign wplace_strb = base_strb;
  end

  // Small elements: pop when the beat register is free or its beat leaves this cycle.
  // Large elements: beats go straight from the FIFO head.
  always_comb begin
    e_pop     = 1'b0;
    elem_done = 1'b0;
    full_d    = full_q;
    bdata_d   = bdata_q;
    bstrb_d   = bstrb_q;
    if (full_q && w_ready_i) begin
      full_d  = 1'b0;
      bdata_d = '0;
      bstrb_d = '0;
    end
    if (active_q && d_rv && e_valid) begin
      if (elem_small) begin
        if (!full_q || w_ready_i) begin
          e_pop     = 1'b1;
          elem_done = 1'b1;
          full_d    = last_in_row || beat_end;
          bdata_d   = is_acc_q ? wplace_data : vplace_data;
          bstrb_d   = is_acc_q ? wplace_strb : vplace_strb;
        end
      end else if (w_ready_i) begin
        if (bcnt_q == bpe_m1) begin
          e_pop     = 1'b1;
          elem_done = 1'b1;
        end
      end
    end
    if (flush_i) begin
      full_d  = 1'b0;
      bdata_d = '0;
      bstrb_d = '0;
    end
  end

  if (WideB > BeatB) begin : g_big
    assign big_data = e_head[bcnt_q*DataW +: DataW];
  end else begin : g_no_big
    assign big_data = '0;
  end

  assign w_valid_o = elem_small ? full_q : (active_q && d_rv && e_valid);
  assign w_data_o  = elem_small ? bdata_q : big_data;
  assign w_strb_o  = elem_small ? bstrb_q : '1;
  assign d_rr      = elem_done && last_in_row;
  assign bytes_o   = !elem_done ? 8'd0 : is_acc_q ? 8'(WideB) : 8'(VecB);
  assign err_o     = active_q && wr_err_i;
  assign done_o    = active_q && packed_q && !full_q && !wr_busy_i && !flush_i;

  // ---- command control ------------------------------------------------------------------------
  assign cmd_ready_o = !active_q && !flush_i;
  assign cmd_xlen    = cmd_i[tessera_isa_pkg::StoreXLenLsb +: tessera_isa_pkg::StoreXLenW];
  assign cmd_ylen    = cmd_i[tessera_isa_pkg::StoreYLenLsb +: tessera_isa_pkg::StoreYLenW];
  assign cmd_zlen    = cmd_i[tessera_isa_pkg::StoreZLenLsb +: tessera_isa_pkg::StoreZLenW];

  always_comb begin
    active_d  = active_q;
    walk_d    = 1'b0;
    is_acc_d  = is_acc_q;
    packed_d  = packed_q;
    rd_ptr_d  = rd_ptr_q;
    rd_more_d = rd_more_q;
    rx_d      = rx_q;
    ry_d      = ry_q;
    rz_d      = rz_q;
    rx_z_d    = rx_z_q;
    ry_z_d    = ry_z_q;
    rz_z_d    = rz_z_q;
    es_d      = es_q;
    x_d       = x_q;
    bcnt_d    = bcnt_q;
    if (flush_i) begin
      active_d  = 1'b0;
      rd_more_d = 1'b0;
    end else if (cmd_valid_i && cmd_ready_o) begin
      active_d  = 1'b1;
      walk_d    = 1'b1;
      packed_d  = 1'b0;
      is_acc_d  = (cmd_i[tessera_isa_pkg::StoreBufLsb +: tessera_isa_pkg::StoreBufW] ==
                   tessera_isa_pkg::StoreBufAcc);
      es_d      = is_acc_d ? 3'(WideL) : 3'(VecL);
      rd_ptr_d  = cmd_i[tessera_isa_pkg::StoreSramAddrLsb +: tessera_isa_pkg::StoreSramAddrW];
      // x*y*z reads (every length is >= 1: ILLEGAL_FIELD otherwise)
      rd_more_d = 1'b1;
      rx_d      = cmd_xlen - 16'd1;
      ry_d      = cmd_ylen - 16'd1;
      rz_d      = cmd_zlen - 16'd1;
      rx_z_d    = (cmd_xlen == 16'd1);
      ry_z_d    = (cmd_ylen == 16'd1);
      rz_z_d    = (cmd_zlen == 16'd1);
      x_d       = '0;
      bcnt_d    = '0;
    end else begin
      if (issue) begin
        rd_ptr_d = rd_ptr_q + 16'd1;
        if (!rx_z_q) begin
          rx_d   = rx_q - 16'd1;
          rx_z_d = (rx_q == 16'd1);
        end else begin
          rx_d   = xlen_m1_q;
          rx_z_d = (xlen_m1_q == 16'd0);
          if (!ry_z_q) begin
            ry_d   = ry_q - 16'd1;
            ry_z_d = (ry_q == 16'd1);
          end else begin
            ry_d   = ylen_m1_q;
            ry_z_d = (ylen_m1_q == 16'd0);
            if (rz_z_q) begin
              rd_more_d = 1'b0;
            end else begin
              rz_d   = rz_q - 16'd1;
              rz_z_d = (rz_q == 16'd1);
            end
          end
        end
      end
      if (active_q && !elem_small && d_rv && e_valid && w_ready_i)
        bcnt_d = (bcnt_q == bpe_m1) ? 7'd0 : bcnt_q + 7'd1;
      if (elem_done) begin
        x_d = last_in_row ? 16'd0 : x_q + 16'd1;
        if (last_in_row && d_rl) packed_d = 1'b1;
      end
      if (done_o) active_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q  <= 1'b0;
      walk_q    <= 1'b0;
      is_acc_q  <= 1'b0;
      packed_q  <= 1'b0;
      rd_ptr_q  <= '0;
      rd_more_q <= 1'b0;
      rx_q      <= '0;
      ry_q      <= '0;
      rz_q      <= '0;
      rx_z_q    <= 1'b0;
      ry_z_q    <= 1'b0;
      rz_z_q    <= 1'b0;
      es_q      <= '0;
      x_q       <= '0;
      bcnt_q    <= '0;
      full_q    <= 1'b0;
      bdata_q   <= '0;
      bstrb_q   <= '0;
    end else begin
      active_q  <= active_d;
      walk_q    <= walk_d;
      is_acc_q  <= is_acc_d;
      packed_q  <= packed_d;
      rd_ptr_q  <= rd_ptr_d;
      rd_more_q <= rd_more_d;
      rx_q      <= rx_d;
      ry_q      <= ry_d;
      rz_q      <= rz_d;
      rx_z_q    <= rx_z_d;
      ry_z_q    <= ry_z_d;
      rz_z_q    <= rz_z_d;
      es_q      <= es_d;
      x_q       <= x_d;
      bcnt_q    <= bcnt_d;
      full_q    <= full_d;
      bdata_q   <= bdata_d;
      bstrb_q   <= bstrb_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (cmd_valid_i && cmd_ready_o) begin
      dram_q <= cmd_i[tessera_isa_pkg::StoreDramAddrLsb +: tessera_isa_pkg::StoreDramAddrW];
      xlen_q    <= cmd_xlen;
      ylen_q    <= cmd_ylen;
      zlen_q    <= cmd_zlen;
      // Lengths minus one held in registers, so the reader's reloads and the packer's end-of-row
      // compare take no 16-bit subtract in their cycle (docs/fpga.md fix 38).
      xlen_m1_q <= cmd_xlen - 16'd1;
      ylen_m1_q <= cmd_ylen - 16'd1;
      ys_q   <= cmd_i[tessera_isa_pkg::StoreYStrideLsb +: tessera_isa_pkg::StoreYStrideW];
      zs_q   <= cmd_i[tessera_isa_pkg::StoreZStrideLsb +: tessera_isa_pkg::StoreZStrideW];
    end
  end

  logic unused;
  // Space in the element FIFO is reserved before each read, so e_ready is always high; only the
  // STORE fields and the in-beat offset of a row start are needed here.
  assign unused = a_rl ^ (^d_rb) ^ e_ready ^ (^d_ra[31:BeatL]) ^ (^cmd_i);

endmodule
