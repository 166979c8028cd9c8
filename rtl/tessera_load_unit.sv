// LOAD: a 3-D strided DRAM read into ABUF, WBUF or PBUF (docs/isa.md). One row walker drives the
// read bursts; a second walker follows the returning beats and writes elements to consecutive
// SRAM words. Elements are aligned to their size E (a power of two, checked at dispatch), so each
// element is either a slot of one beat (E <= beat: picked by its byte offset, and the beat is
// released after its last element of the row) or a whole number of beats (assembled in a shift
// register). A beat shared by two rows is simply read once per row.
// The SRAM write leaves through a register stage: the element-done logic runs from the read
// engine's R handshake, and without the stage that path went on to the block RAMs' write ports
// across the die (the ECP5 4 x 4 worst path once Yosys stopped registering the writes for its
// read-during-write emulation, tessera_sram). done_o pulses with the last SRAM write, a cycle
// after its beat, and a new command is taken after that; err_o pulses on a beat with an error
// response.
module tessera_load_unit #(
  parameter int unsigned ArrayDim = 16,
  parameter int unsigned DataW    = 128
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    flush_i,
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [255:0]            cmd_i,
  output logic                    done_o,
  output logic                    err_o,
  // bursts to the read engine
  output logic                    br_valid_o,
  input  logic                    br_ready_i,
  output logic [31:0]             br_addr_o,
  output logic [7:0]              br_len_o,
  // R beats
  input  logic                    r_valid_i,
  output logic                    r_ready_o,
  input  logic [DataW-1:0]        r_data_i,
  input  logic                    r_err_i,
  // SRAM write (the top level routes it by wr_buf_o)
  output logic                    wr_en_o,
  output logic [1:0]              wr_buf_o,
  output logic [15:0]             wr_addr_o,
  output logic [8*ArrayDim-1:0]   wr_vec_o,    // ABUF / WBUF element
  output logic [32*ArrayDim-1:0]  wr_wide_o,   // PBUF element
  output logic [7:0]              bytes_o      // element bytes written this cycle (perf)
);

  localparam int unsigned BeatB = DataW / 8;
  localparam int unsigned BeatL = $clog2(BeatB);
  localparam int unsigned VecB  = ArrayDim;
  localparam int unsigned VecL  = $clog2(VecB);
  localparam int unsigned VecW  = 8 * VecB;
  localparam int unsigned WideB = 4 * ArrayDim;
  localparam int unsigned WideL = $clog2(WideB);
  localparam int unsigned WideW = 8 * WideB;

  logic        active_d, active_q, walk_d, walk_q;
  logic [1:0]  buf_d, buf_q;
  logic [15:0] sram_d, sram_q, x_d, x_q, xlen_q, ylen_q, zlen_q, xlen_m1_q;
  logic [31:0] dram_q, ys_q, zs_q;
  logic [2:0]  es_d, es_q;
  logic [6:0]  bcnt_d, bcnt_q;   // beat within a multi-beat element (E / beat <= 64)

  // ---- address side ---------------------------------------------------------------------------
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
    .burst_valid_o (br_valid_o),
    .burst_ready_i (br_ready_i),
    .burst_addr_o  (br_addr_o),
    .burst_len_o   (br_len_o)
  );

  // ---- data side ------------------------------------------------------------------------------
  logic             d_rv, d_rr, d_rl, unused_a_rl;
  logic [31:0]      d_ra;
  logic [23:0]      d_rb;
  logic             last_in_row, beat_end, elem_done, beat_take;
  logic [BeatL-1:0] elem_off;
  logic [BeatL:0]   next_off;
  // Functions of the element size (es_q) and the row length, registered with them so that the
  // element-done logic, which runs on into the dispatcher's token counters, compares registers.
  logic             elem_small_d, elem_small_q;    // an element fits in one beat
  logic [6:0]       bpe_m1_d, bpe_m1_q;            // beats per element - 1 (multi-beat elements)

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

  assign elem_small_d = (es_d <= 3'(BeatL));
  assign bpe_m1_d     = elem_small_d ? 7'd0 : 7'((32'd1 << (es_d - 3'(BeatL))) - 32'd1);
  assign elem_off    = d_ra[BeatL-1:0] + BeatL'(32'(x_q) << es_q);
  assign next_off    = {1'b0, elem_off} + (BeatL+1)'(32'd1 << es_q);
  assign beat_end    = next_off[BeatL];
  assign last_in_row = (x_q == xlen_m1_q);
  // A beat of small elements stays until its last element of this row is written.
  assign beat_take   = active_q && d_rv && (!elem_small_q || last_in_row || beat_end);
  assign r_ready_o   = beat_take;
  assign elem_done   = active_q && d_rv && r_valid_i && (elem_small_q || (bcnt_q == bpe_m1_q));
  assign d_rr        = elem_done && last_in_row;

  // Element extraction for each of the two element sizes.
  logic [VecW-1:0]  vec_elem;
  logic [WideW-1:0] wide_elem;

  if (WideB > BeatB) begin : g_asm
    // Multi-beat elements: beats shift in from the top, so after the element's last beat the
    // element's earlier beats sit in the top bits, lowest address lowest.
    logic [WideW-DataW-1:0] asm_q;
    assign wide_elem = {r_data_i, asm_q};
    always_ff @(posedge clk_i) begin
      if (active_q && d_rv && r_valid_i && !elem_small_q) asm_q <= wide_elem[WideW-1:DataW];
    end
    if (VecB > BeatB) begin : g_vec_multi
      assign vec_elem = wide_elem[WideW-1 -: VecW];
    end else begin : g_vec_slot
      logic [BeatL-1:0] slot;
      assign slot     = elem_off >> VecL;
      assign vec_elem = r_data_i[slot*VecW +: VecW];
    end
  end else begin : g_slots
    logic [BeatL-1:0] vslot, wslot;
    assign vslot     = elem_off >> VecL;
    assign wslot     = elem_off >> WideL;
    assign vec_elem  = r_data_i[vslot*VecW +: VecW];
    assign wide_elem = r_data_i[wslot*WideW +: WideW];
  end

  logic last_write, wr_en_q, done_q;
  assign last_write = elem_done && last_in_row && d_rl && !r_err_i;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_en_q <= 1'b0;
      done_q  <= 1'b0;
    end else begin
      wr_en_q <= elem_done && !r_err_i && !flush_i;
      done_q  <= last_write && !flush_i;
    end
  end

  // Loaded every cycle (no enable to fan out); wr_en_o says when they hold an element.
  always_ff @(posedge clk_i) begin
    wr_buf_o  <= buf_q;
    wr_addr_o <= sram_q;
    wr_vec_o  <= vec_elem;
    wr_wide_o <= wide_elem;
  end

  assign wr_en_o = wr_en_q;
  // es_q still belongs to the written element: the next command is taken after done_q.
  assign bytes_o = wr_en_q ? (8'd1 << es_q) : 8'd0;
  assign done_o  = done_q && !flush_i;
  assign err_o   = active_q && d_rv && r_valid_i && r_err_i;

  // ---- command control ------------------------------------------------------------------------
  // Not ready while the previous command's last write is still in the register stage, so done_o
  // comes before the next command is taken, as without the stage.
  assign cmd_ready_o = !active_q && !done_q && !flush_i;

  always_comb begin
    active_d = active_q;
    walk_d   = 1'b0;
    buf_d    = buf_q;
    sram_d   = sram_q;
    es_d     = es_q;
    x_d      = x_q;
    bcnt_d   = bcnt_q;
    if (flush_i) begin
      active_d = 1'b0;
    end else if (cmd_valid_i && cmd_ready_o) begin
      active_d = 1'b1;
      walk_d   = 1'b1;
      buf_d    = cmd_i[tessera_isa_pkg::LoadBufLsb +: tessera_isa_pkg::LoadBufW];
      sram_d   = cmd_i[tessera_isa_pkg::LoadSramAddrLsb +: tessera_isa_pkg::LoadSramAddrW];
      es_d     = (cmd_i[tessera_isa_pkg::LoadBufLsb +: tessera_isa_pkg::LoadBufW] == tessera_isa_pkg::LoadBufPbuf) ?
                 3'(WideL) : 3'(VecL);
      x_d      = '0;
      bcnt_d   = '0;
    end else begin
      if (active_q && d_rv && r_valid_i && !elem_small_q)
        bcnt_d = (bcnt_q == bpe_m1_q) ? 7'd0 : bcnt_q + 7'd1;
      if (elem_done) begin
        sram_d = sram_q + 16'd1;
        x_d    = last_in_row ? 16'd0 : x_q + 16'd1;
      end
      if (last_write) active_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      walk_q   <= 1'b0;
      buf_q    <= '0;
      sram_q   <= '0;
      es_q     <= '0;
      elem_small_q <= 1'b1;
      bpe_m1_q <= '0;
      x_q      <= '0;
      bcnt_q   <= '0;
    end else begin
      active_q <= active_d;
      walk_q   <= walk_d;
      buf_q    <= buf_d;
      sram_q   <= sram_d;
      es_q     <= es_d;
      elem_small_q <= elem_small_d;
      bpe_m1_q <= bpe_m1_d;
      x_q      <= x_d;
      bcnt_q   <= bcnt_d;
    end
  end

  // Command fields used by the walkers, captured once.
  always_ff @(posedge clk_i) begin
    if (cmd_valid_i && cmd_ready_o) begin
      dram_q <= cmd_i[tessera_isa_pkg::LoadDramAddrLsb +: tessera_isa_pkg::LoadDramAddrW];
      xlen_q <= cmd_i[tessera_isa_pkg::LoadXLenLsb +: tessera_isa_pkg::LoadXLenW];
      xlen_m1_q <= cmd_i[tessera_isa_pkg::LoadXLenLsb +: tessera_isa_pkg::LoadXLenW] - 16'd1;
      ylen_q <= cmd_i[tessera_isa_pkg::LoadYLenLsb +: tessera_isa_pkg::LoadYLenW];
      zlen_q <= cmd_i[tessera_isa_pkg::LoadZLenLsb +: tessera_isa_pkg::LoadZLenW];
      ys_q   <= cmd_i[tessera_isa_pkg::LoadYStrideLsb +: tessera_isa_pkg::LoadYStrideW];
      zs_q   <= cmd_i[tessera_isa_pkg::LoadZStrideLsb +: tessera_isa_pkg::LoadZStrideW];
    end
  end

  // Only the command fields of LOAD and the in-beat offset of a row start are needed here.
  assign unused_a_rl = a_rl ^ (^d_rb) ^ (^d_ra[31:BeatL]) ^ (^cmd_i);

endmodule
