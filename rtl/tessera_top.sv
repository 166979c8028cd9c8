// Tessera accelerator top level (docs/architecture.md): register file, command fetch and
// dispatcher, load / compute / store units, the AXI4 read and write masters, and the on-chip
// ABUF, WBUF, PBUF and OBUF memories (ACC lives in the compute unit).
//
// Choices where docs/isa.md leaves room (see also tessera_dispatch.sv, tessera_regs.sv):
// - Every AXI4-Lite address answers OKAY; unmapped addresses read 0.
// - Reads are whole beats, so a read may touch the beat-aligned hull of the window; writes
//   strobe only the element bytes, which lie inside the window.
// - ADDR_WINDOW also fires when a transfer would run past the 32-bit address space.
// - The compute unit gets a command only after its previous one is done, the command stays on
//   cmd_i until cmd_done_o, and flush_i is held for the whole fault drain (at least 4 cycles).
module tessera_top #(
  parameter int unsigned ArrayDim   = 16,
  parameter int unsigned AbufWords  = 4096,
  parameter int unsigned WbufWords  = 4096,
  parameter int unsigned AccWords   = 1024,
  parameter int unsigned ObufWords  = 2048,
  parameter int unsigned PbufWords  = 64,
  parameter int unsigned AxiDataW   = 128,
  parameter int unsigned AxiAddrW   = 32,
  parameter int unsigned QueueDepth = 8,
  // Area options for small FPGAs (defaults: the full design). FetchDepth: commands the fetch unit
  // buffers ahead of the dispatcher (>= 1). PerfCounters = 0 leaves out the performance counters
  // (they then read 0). LutMulRows: the last rows of the PE array whose multipliers are built from
  // LUTs instead of DSP blocks (for FPGAs with fewer DSP blocks than PEs; same results).
  // OutLanes: output lanes (32x32 multiply, round, clamp) shared by the ArrayDim columns, a power
  // of two; fewer lanes take fewer DSP blocks and LUTs, and requantized pixels, POOL and ADD words
  // take ArrayDim / OutLanes (POOL, ADD: twice that) cycles at least (same results).
  parameter int unsigned FetchDepth   = 8,
  parameter int unsigned PerfCounters = 1,
  parameter int unsigned LutMulRows   = 0,
  parameter int unsigned OutLanes     = ArrayDim
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  output logic                  irq_o,
  // AXI4-Lite slave (registers)
  input  logic [11:0]           s_axil_awaddr,
  input  logic                  s_axil_awvalid,
  output logic                  s_axil_awready,
  input  logic [31:0]           s_axil_wdata,
  input  logic [3:0]            s_axil_wstrb,
  input  logic                  s_axil_wvalid,
  output logic                  s_axil_wready,
  output logic [1:0]            s_axil_bresp,
  output logic                  s_axil_bvalid,
  input  logic                  s_axil_bready,
  input  logic [11:0]           s_axil_araddr,
  input  logic                  s_axil_arvalid,
  output logic                  s_axil_arready,
  output logic [31:0]           s_axil_rdata,
  output logic [1:0]            s_axil_rresp,
  output logic                  s_axil_rvalid,
  input  logic                  s_axil_rready,
  // AXI4 master (DRAM)
  output logic [AxiAddrW-1:0]   m_axi_araddr,
  output logic [7:0]            m_axi_arlen,
  output logic [2:0]            m_axi_arsize,
  output logic [1:0]            m_axi_arburst,
  output logic                  m_axi_arvalid,
  input  logic                  m_axi_arready,
  input  logic [AxiDataW-1:0]   m_axi_rdata,
  input  logic [1:0]            m_axi_rresp,
  input  logic                  m_axi_rlast,
  input  logic                  m_axi_rvalid,
  output logic                  m_axi_rready,
  output logic [AxiAddrW-1:0]   m_axi_awaddr,
  output logic [7:0]            m_axi_awlen,
  output logic [2:0]            m_axi_awsize,
  output logic [1:0]            m_axi_awburst,
  output logic                  m_axi_awvalid,
  input  logic                  m_axi_awready,
  output logic [AxiDataW-1:0]   m_axi_wdata,
  output logic [AxiDataW/8-1:0] m_axi_wstrb,
  output logic                  m_axi_wlast,
  output logic                  m_axi_wvalid,
  input  logic                  m_axi_wready,
  input  logic [1:0]            m_axi_bresp,
  input  logic                  m_axi_bvalid,
  output logic                  m_axi_bready
);

  localparam int unsigned VecW   = 8 * ArrayDim;
  localparam int unsigned WideW  = 32 * ArrayDim;
  localparam int unsigned AbufAw = (AbufWords > 1) ? $clog2(AbufWords) : 1;
  localparam int unsigned WbufAw = (WbufWords > 1) ? $clog2(WbufWords) : 1;
  localparam int unsigned AccAw  = (AccWords > 1) ? $clog2(AccWords) : 1;
  localparam int unsigned ObufAw = (ObufWords > 1) ? $clog2(ObufWords) : 1;
  localparam int unsigned PbufAw = (PbufWords > 1) ? $clog2(PbufWords) : 1;

  // ---- registers and counters -----------------------------------------------------------------
  logic        start, busy, done, error;
  logic [3:0]  err_code, ctr_idx;
  logic [31:0] err_info, cmd_base, cmd_count, win_base, win_size;
  logic [63:0] ctr_value;

  tessera_regs #(
    .ArrayDim   (ArrayDim),
    .AbufWords  (AbufWords),
    .WbufWords  (WbufWords),
    .AccWords   (AccWords),
    .ObufWords  (ObufWords),
    .PbufWords  (PbufWords),
    .AxiDataW   (AxiDataW),
    .AxiAddrW   (AxiAddrW),
    .QueueDepth (QueueDepth),
    .OutLanes   (OutLanes)
  ) u_regs (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .s_axil_awaddr  (s_axil_awaddr),
    .s_axil_awvalid (s_axil_awvalid),
    .s_axil_awready (s_axil_awready),
    .s_axil_wdata   (s_axil_wdata),
    .s_axil_wstrb   (s_axil_wstrb),
    .s_axil_wvalid  (s_axil_wvalid),
    .s_axil_wready  (s_axil_wready),
    .s_axil_bresp   (s_axil_bresp),
    .s_axil_bvalid  (s_axil_bvalid),
    .s_axil_bready  (s_axil_bready),
    .s_axil_araddr  (s_axil_araddr),
    .s_axil_arvalid (s_axil_arvalid),
    .s_axil_arready (s_axil_arready),
    .s_axil_rdata   (s_axil_rdata),
    .s_axil_rresp   (s_axil_rresp),
    .s_axil_rvalid  (s_axil_rvalid),
    .s_axil_rready  (s_axil_rready),
    .start_o        (start),
    .cmd_base_o     (cmd_base),
    .cmd_count_o    (cmd_count),
    .win_base_o     (win_base),
    .win_size_o     (win_size),
    .busy_i         (busy),
    .done_i         (done),
    .error_i        (error),
    .err_code_i     (err_code),
    .err_info_i     (err_info),
    .ctr_idx_o      (ctr_idx),
    .ctr_value_i    (ctr_value),
    .irq_o          (irq_o)
  );

  logic       mac_active;
  logic [7:0] ld_bytes, st_bytes;
  logic [2:0] unit_busy, unit_wait, retired;

  if (PerfCounters != 0) begin : g_perf
    tessera_perf u_perf (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clear_i     (start),
      .busy_i      (busy),
      .mac_i       (mac_active),
      .rd_bytes_i  (ld_bytes),
      .wr_bytes_i  (st_bytes),
      .unit_busy_i (unit_busy),
      .unit_wait_i (unit_wait),
      .retired_i   (retired),
      .rd_idx_i    (ctr_idx),
      .rd_value_o  (ctr_value)
    );
  end else begin : g_no_perf
    logic unused_perf;
    assign ctr_value   = '0;
    assign unused_perf = ^{mac_active, ld_bytes, st_bytes, unit_busy, unit_wait, retired, ctr_idx};
  end

  // ---- fetch and dispatch ---------------------------------------------------------------------
  logic         fetch_start, fetch_stop, f_valid, f_ready, flush;
  logic [31:0]  fetch_count, fwin_base;
  logic [32:0]  fwin_end;
  logic [255:0] f_cmd;
  logic [3:0]   f_err;
  logic         fbr_valid, fbr_ready, f_r_valid, f_r_ready, fetch_busy;
  logic [31:0]  fbr_addr;
  logic [7:0]   fbr_len;
  logic         rd_busy, wr_busy;
  logic [AxiDataW-1:0] r_data;
  logic         r_err;

  tessera_fetch #(
    .DataW (AxiDataW),
    .Depth (FetchDepth)
  ) u_fetch (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .start_i     (fetch_start),
    .stop_i      (fetch_stop),
    .cmd_base_i  (cmd_base),
    .cmd_count_i (fetch_count),
    .win_base_i  (fwin_base),
    .win_end_i   (fwin_end),
    .br_valid_o  (fbr_valid),
    .br_ready_i  (fbr_ready),
    .br_addr_o   (fbr_addr),
    .br_len_o    (fbr_len),
    .r_valid_i   (f_r_valid),
    .r_ready_o   (f_r_ready),
    .r_data_i    (r_data),
    .r_err_i     (r_err),
    .cmd_valid_o (f_valid),
    .cmd_ready_i (f_ready),
    .cmd_o       (f_cmd),
    .cmd_err_o   (f_err),
    .busy_o      (fetch_busy)
  );

  logic         ld_valid, ld_ready, ld_done, ld_err;
  logic         cu_valid, cu_ready, cu_accept, cu_done;
  logic         st_valid, st_ready, st_done, st_err;
  logic [255:0] ld_cmd, cu_cmd, st_cmd;

  tessera_dispatch #(
    .ArrayDim   (ArrayDim),
    .AbufWords  (AbufWords),
    .WbufWords  (WbufWords),
    .AccWords   (AccWords),
    .ObufWords  (ObufWords),
    .PbufWords  (PbufWords),
    .QueueDepth (QueueDepth)
  ) u_dispatch (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .start_i           (start),
    .cmd_base_i        (cmd_base),
    .cmd_count_i       (cmd_count),
    .win_base_i        (win_base),
    .win_size_i        (win_size),
    .busy_o            (busy),
    .done_o            (done),
    .error_o           (error),
    .err_code_o        (err_code),
    .err_info_o        (err_info),
    .fetch_start_o     (fetch_start),
    .fetch_stop_o      (fetch_stop),
    .fetch_cmd_count_o (fetch_count),
    .win_base_o        (fwin_base),
    .win_end_o         (fwin_end),
    .f_valid_i         (f_valid),
    .f_ready_o         (f_ready),
    .f_cmd_i           (f_cmd),
    .f_err_i           (f_err),
    .axi_busy_i        (rd_busy || wr_busy || fetch_busy),
    .flush_o           (flush),
    .ld_valid_o        (ld_valid),
    .ld_ready_i        (ld_ready),
    .ld_cmd_o          (ld_cmd),
    .ld_done_i         (ld_done),
    .ld_err_i          (ld_err),
    .cu_valid_o        (cu_valid),
    .cu_ready_i        (cu_ready),
    .cu_cmd_o          (cu_cmd),
    .cu_accept_i       (cu_accept),
    .cu_done_i         (cu_done),
    .st_valid_o        (st_valid),
    .st_ready_i        (st_ready),
    .st_cmd_o          (st_cmd),
    .st_done_i         (st_done),
    .st_err_i          (st_err),
    .unit_busy_o       (unit_busy),
    .unit_wait_o       (unit_wait),
    .retired_o         (retired)
  );

  // ---- AXI read master: command fetch and load ------------------------------------------------
  logic        lbr_valid, lbr_ready, l_r_valid, l_r_ready;
  logic [31:0] lbr_addr;
  logic [7:0]  lbr_len;

  tessera_axi_rd #(
    .AddrW          (AxiAddrW),
    .DataW          (AxiDataW),
    .MaxOutstanding (128)   // one-beat bursts (short rows) still hide a 100-cycle latency
  ) u_axi_rd (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .c0_valid_i    (fbr_valid),
    .c0_ready_o    (fbr_ready),
    .c0_addr_i     (fbr_addr),
    .c0_len_i      (fbr_len),
    .c1_valid_i    (lbr_valid),
    .c1_ready_o    (lbr_ready),
    .c1_addr_i     (lbr_addr),
    .c1_len_i      (lbr_len),
    .c0_r_valid_o  (f_r_valid),
    .c0_r_ready_i  (f_r_ready),
    .c1_r_valid_o  (l_r_valid),
    .c1_r_ready_i  (l_r_ready || flush),   // a flushed load discards its beats
    .r_data_o      (r_data),
    .r_err_o       (r_err),
    .busy_o        (rd_busy),
    .m_axi_araddr  (m_axi_araddr),
    .m_axi_arlen   (m_axi_arlen),
    .m_axi_arsize  (m_axi_arsize),
    .m_axi_arburst (m_axi_arburst),
    .m_axi_arvalid (m_axi_arvalid),
    .m_axi_arready (m_axi_arready),
    .m_axi_rdata   (m_axi_rdata),
    .m_axi_rresp   (m_axi_rresp),
    .m_axi_rlast   (m_axi_rlast),
    .m_axi_rvalid  (m_axi_rvalid),
    .m_axi_rready  (m_axi_rready)
  );

  // ---- load unit and the buffers it fills -----------------------------------------------------
  logic              ld_wr_en;
  logic [1:0]        ld_wr_buf;
  logic [15:0]       ld_wr_addr;
  logic [VecW-1:0]   ld_wr_vec;
  logic [WideW-1:0]  ld_wr_wide;

  tessera_load_unit #(
    .ArrayDim (ArrayDim),
    .DataW    (AxiDataW)
  ) u_load (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush),
    .cmd_valid_i (ld_valid),
    .cmd_ready_o (ld_ready),
    .cmd_i       (ld_cmd),
    .done_o      (ld_done),
    .err_o       (ld_err),
    .br_valid_o  (lbr_valid),
    .br_ready_i  (lbr_ready),
    .br_addr_o   (lbr_addr),
    .br_len_o    (lbr_len),
    .r_valid_i   (l_r_valid),
    .r_ready_o   (l_r_ready),
    .r_data_i    (r_data),
    .r_err_i     (r_err),
    .wr_en_o     (ld_wr_en),
    .wr_buf_o    (ld_wr_buf),
    .wr_addr_o   (ld_wr_addr),
    .wr_vec_o    (ld_wr_vec),
    .wr_wide_o   (ld_wr_wide),
    .bytes_o     (ld_bytes)
  );

  logic                abuf_rd_en, wbuf_rd_en, pbuf_rd_en, obuf_wr_en, obuf_rd_en;
  logic [AbufAw-1:0]   abuf_rd_addr;
  logic [WbufAw-1:0]   wbuf_rd_addr;
  logic [PbufAw-1:0]   pbuf_rd_addr;
  logic [ObufAw-1:0]   obuf_wr_addr;
  logic [15:0]         obuf_rd_addr;
  logic [VecW-1:0]     abuf_rd_data, wbuf_rd_data, obuf_wr_data, obuf_rd_data;
  logic [WideW-1:0]    pbuf_rd_data;

  tessera_sram #(
    .Width (VecW),
    .Depth (AbufWords)
  ) u_abuf (
    .clk_i     (clk_i),
    .wr_en_i   (ld_wr_en && (ld_wr_buf == tessera_isa_pkg::LoadBufAbuf)),
    .wr_addr_i (AbufAw'(ld_wr_addr)),
    .wr_data_i (ld_wr_vec),
    .rd_en_i   (abuf_rd_en),
    .rd_addr_i (abuf_rd_addr),
    .rd_data_o (abuf_rd_data)
  );

  tessera_sram #(
    .Width (VecW),
    .Depth (WbufWords)
  ) u_wbuf (
    .clk_i     (clk_i),
    .wr_en_i   (ld_wr_en && (ld_wr_buf == tessera_isa_pkg::LoadBufWbuf)),
    .wr_addr_i (WbufAw'(ld_wr_addr)),
    .wr_data_i (ld_wr_vec),
    .rd_en_i   (wbuf_rd_en),
    .rd_addr_i (wbuf_rd_addr),
    .rd_data_o (wbuf_rd_data)
  );

  tessera_sram #(
    .Width (WideW),
    .Depth (PbufWords)
  ) u_pbuf (
    .clk_i     (clk_i),
    .wr_en_i   (ld_wr_en && (ld_wr_buf == tessera_isa_pkg::LoadBufPbuf)),
    .wr_addr_i (PbufAw'(ld_wr_addr)),
    .wr_data_i (ld_wr_wide),
    .rd_en_i   (pbuf_rd_en),
    .rd_addr_i (pbuf_rd_addr),
    .rd_data_o (pbuf_rd_data)
  );

  tessera_sram #(
    .Width (VecW),
    .Depth (ObufWords)
  ) u_obuf (
    .clk_i     (clk_i),
    .wr_en_i   (obuf_wr_en),
    .wr_addr_i (obuf_wr_addr),
    .wr_data_i (obuf_wr_data),
    .rd_en_i   (obuf_rd_en),
    .rd_addr_i (ObufAw'(obuf_rd_addr)),
    .rd_data_o (obuf_rd_data)
  );

  // Buffer addresses are 16-bit command fields; SRAM_RANGE (checked at dispatch) keeps every
  // address a unit generates below the buffer depth, so the upper bits are always zero.
  logic unused_addr_bits;
  assign unused_addr_bits = ^{ld_wr_addr, obuf_rd_addr, acc_addr};

  // ---- compute unit ---------------------------------------------------------------------------
  logic              acc_req, acc_gnt;
  logic [15:0]       acc_addr;
  logic [WideW-1:0]  acc_data;

  tessera_compute_unit #(
    .ArrayDim  (ArrayDim),
    .AbufWords (AbufWords),
    .WbufWords (WbufWords),
    .AccWords  (AccWords),
    .ObufWords (ObufWords),
    .PbufWords  (PbufWords),
    .LutMulRows (LutMulRows),
    .OutLanes   (OutLanes)
  ) u_compute (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .cmd_valid_i       (cu_valid),
    .cmd_ready_o       (cu_ready),
    .cmd_i             (cu_cmd),
    .cmd_accept_o      (cu_accept),
    .cmd_done_o        (cu_done),
    .flush_i           (flush),
    .abuf_rd_en_o      (abuf_rd_en),
    .abuf_rd_addr_o    (abuf_rd_addr),
    .abuf_rd_data_i    (abuf_rd_data),
    .wbuf_rd_en_o      (wbuf_rd_en),
    .wbuf_rd_addr_o    (wbuf_rd_addr),
    .wbuf_rd_data_i    (wbuf_rd_data),
    .pbuf_rd_en_o      (pbuf_rd_en),
    .pbuf_rd_addr_o    (pbuf_rd_addr),
    .pbuf_rd_data_i    (pbuf_rd_data),
    .obuf_wr_en_o      (obuf_wr_en),
    .obuf_wr_addr_o    (obuf_wr_addr),
    .obuf_wr_data_o    (obuf_wr_data),
    .acc_ext_rd_req_i  (acc_req),
    .acc_ext_rd_addr_i (AccAw'(acc_addr)),
    .acc_ext_rd_gnt_o  (acc_gnt),
    .acc_ext_rd_data_o (acc_data),
    .mac_active_o      (mac_active)
  );

  // ---- store unit and AXI write master --------------------------------------------------------
  logic                  sbr_valid, sbr_ready, sw_valid, sw_ready, wr_err;
  logic [31:0]           sbr_addr;
  logic [7:0]            sbr_len;
  logic [AxiDataW-1:0]   sw_data;
  logic [AxiDataW/8-1:0] sw_strb;

  tessera_store_unit #(
    .ArrayDim (ArrayDim),
    .DataW    (AxiDataW)
  ) u_store (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .flush_i        (flush),
    .cmd_valid_i    (st_valid),
    .cmd_ready_o    (st_ready),
    .cmd_i          (st_cmd),
    .done_o         (st_done),
    .err_o          (st_err),
    .obuf_rd_en_o   (obuf_rd_en),
    .obuf_rd_addr_o (obuf_rd_addr),
    .obuf_rd_data_i (obuf_rd_data),
    .acc_req_o      (acc_req),
    .acc_addr_o     (acc_addr),
    .acc_gnt_i      (acc_gnt),
    .acc_data_i     (acc_data),
    .aw_valid_o     (sbr_valid),
    .aw_ready_i     (sbr_ready),
    .aw_addr_o      (sbr_addr),
    .aw_len_o       (sbr_len),
    .w_valid_o      (sw_valid),
    .w_ready_i      (sw_ready),
    .w_data_o       (sw_data),
    .w_strb_o       (sw_strb),
    .wr_err_i       (wr_err),
    .wr_busy_i      (wr_busy),
    .bytes_o        (st_bytes)
  );

  tessera_axi_wr #(
    .AddrW          (AxiAddrW),
    .DataW          (AxiDataW),
    .MaxOutstanding (128),  // B responses: one-beat bursts too hide a 100-cycle latency
    .LenDepth       (16)
  ) u_axi_wr (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .flush_i       (flush),
    .burst_valid_i (sbr_valid),
    .burst_ready_o (sbr_ready),
    .burst_addr_i  (sbr_addr),
    .burst_len_i   (sbr_len),
    .w_valid_i     (sw_valid),
    .w_ready_o     (sw_ready),
    .w_data_i      (sw_data),
    .w_strb_i      (sw_strb),
    .err_o         (wr_err),
    .busy_o        (wr_busy),
    .m_axi_awaddr  (m_axi_awaddr),
    .m_axi_awlen   (m_axi_awlen),
    .m_axi_awsize  (m_axi_awsize),
    .m_axi_awburst (m_axi_awburst),
    .m_axi_awvalid (m_axi_awvalid),
    .m_axi_awready (m_axi_awready),
    .m_axi_wdata   (m_axi_wdata),
    .m_axi_wstrb   (m_axi_wstrb),
    .m_axi_wlast   (m_axi_wlast),
    .m_axi_wvalid  (m_axi_wvalid),
    .m_axi_wready  (m_axi_wready),
    .m_axi_bresp   (m_axi_bresp),
    .m_axi_bvalid  (m_axi_bvalid),
    .m_axi_bready  (m_axi_bready)
  );

endmodule
