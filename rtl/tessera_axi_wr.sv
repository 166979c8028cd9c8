// AXI4 write master for the store unit. Bursts (beat-aligned address, len) enter the AW FIFO;
// each accepted burst's length goes into a FIFO that the W side follows to place WLAST, so the
// client only supplies beats in order (W may precede its AW on the bus, as AXI4 allows). B responses are counted; bready is always high.
// flush_i (fault): no new bursts; bursts whose AW was already accepted still get their W beats,
// sent with wstrb = 0 so nothing is written, and busy_o stays high until every B is back.
module tessera_axi_wr #(
  parameter int unsigned AddrW          = 32,
  parameter int unsigned DataW          = 128,
  parameter int unsigned MaxOutstanding = 128, // bursts awaiting their B response
  parameter int unsigned LenDepth       = 16   // bursts whose W beats are not all sent
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               flush_i,
  input  logic               burst_valid_i,
  output logic               burst_ready_o,
  input  logic [31:0]        burst_addr_i,
  input  logic [7:0]         burst_len_i,
  input  logic               w_valid_i,
  output logic               w_ready_o,
  input  logic [DataW-1:0]   w_data_i,
  input  logic [DataW/8-1:0] w_strb_i,
  output logic               err_o,      // a BRESP other than OKAY (pulse)
  output logic               busy_o,
  output logic [AddrW-1:0]   m_axi_awaddr,
  output logic [7:0]         m_axi_awlen,
  output logic [2:0]         m_axi_awsize,
  output logic [1:0]         m_axi_awburst,
  output logic               m_axi_awvalid,
  input  logic               m_axi_awready,
  output logic [DataW-1:0]   m_axi_wdata,
  output logic [DataW/8-1:0] m_axi_wstrb,
  output logic               m_axi_wlast,
  output logic               m_axi_wvalid,
  input  logic               m_axi_wready,
  input  logic [1:0]         m_axi_bresp,
  input  logic               m_axi_bvalid,
  output logic               m_axi_bready
);

  localparam int unsigned Cw = $clog2(MaxOutstanding + 1);
  localparam int unsigned SW = DataW / 8;
  localparam int unsigned WW = DataW + SW + 1;  // {last, strb, data}

  // Two-entry FIFOs on AW and W and a register on B keep every AXI input out of the engine's
  // combinational logic (cheap simulation, short timing paths) at full throughput.
  logic          load_aw, aw_space, aw_out_valid, len_space, len_valid, load_w, w_space;
  logic          w_out_valid, w_src_valid, len_pop, b_valid_q, b_err_q;
  logic [39:0]   aw_out;
  logic [WW-1:0] w_in, w_out;
  logic [7:0]    beat_d, beat_q, len_head;
  logic [Cw-1:0] bout_d, bout_q;
  logic [1:0]    aw_cnt, w_cnt;
  logic [$clog2(LenDepth+1)-1:0] len_cnt;

  assign load_aw       = aw_space && len_space && (bout_q != Cw'(MaxOutstanding)) && !flush_i;
  assign burst_ready_o = load_aw;

  tessera_fifo #(
    .Width (40),
    .Depth (2)
  ) u_aw (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (load_aw && burst_valid_i),
    .in_ready_o  (aw_space),
    .in_data_i   ({burst_len_i, burst_addr_i}),
    .out_valid_o (aw_out_valid),
    .out_ready_i (m_axi_awready),
    .out_data_o  (aw_out),
    .count_o     (aw_cnt)
  );

  // Lengths of bursts whose AW is committed and whose W beats are not all sent.
  tessera_fifo #(
    .Width (8),
    .Depth (LenDepth)
  ) u_lens (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (load_aw && burst_valid_i),
    .in_ready_o  (len_space),
    .in_data_i   (burst_len_i),
    .out_valid_o (len_valid),
    .out_ready_i (len_pop),
    .out_data_o  (len_head),
    .count_o     (len_cnt)
  );

  // Beats come from the client, or are blank fill while flushing.
  assign w_src_valid = flush_i || w_valid_i;
  assign load_w      = w_space && len_valid && w_src_valid;
  assign w_ready_o   = w_space && len_valid && !flush_i;
  assign len_pop     = load_w && (beat_q == len_head);
  assign beat_d      = load_w ? (len_pop ? 8'd0 : beat_q + 8'd1) : beat_q;
  assign w_in        = flush_i ? {len_pop, {(SW + DataW){1'b0}}} : {len_pop, w_strb_i, w_data_i};

  tessera_fifo #(
    .Width (WW),
    .Depth (2)
  ) u_w (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (load_w),
    .in_ready_o  (w_space),
    .in_data_i   (w_in),
    .out_valid_o (w_out_valid),
    .out_ready_i (m_axi_wready),
    .out_data_o  (w_out),
    .count_o     (w_cnt)
  );

  always_comb begin
    bout_d = bout_q;
    if ((load_aw && burst_valid_i) && !b_valid_q)      bout_d = bout_q + Cw'(1);
    else if (!(load_aw && burst_valid_i) && b_valid_q) bout_d = bout_q - Cw'(1);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      beat_q    <= '0;
      bout_q    <= '0;
      b_valid_q <= 1'b0;
      b_err_q   <= 1'b0;
    end else begin
      beat_q    <= beat_d;
      bout_q    <= bout_d;
      b_valid_q <= m_axi_bvalid;
      b_err_q   <= (m_axi_bresp != 2'b00);
    end
  end

  assign m_axi_awaddr  = AddrW'(aw_out[31:0]);
  assign m_axi_awlen   = aw_out[39:32];
  assign m_axi_awsize  = 3'($clog2(DataW / 8));
  assign m_axi_awburst = 2'b01;  // INCR
  assign m_axi_awvalid = aw_out_valid;
  assign m_axi_wdata   = w_out[DataW-1:0];
  assign m_axi_wstrb   = w_out[DataW +: SW];
  assign m_axi_wlast   = w_out[WW-1];
  assign m_axi_wvalid  = w_out_valid;
  assign m_axi_bready  = 1'b1;
  assign err_o         = b_valid_q && b_err_q && !flush_i;
  assign busy_o        = aw_out_valid || w_out_valid || len_valid || b_valid_q || (bout_q != '0);

  logic unused_cnt;
  assign unused_cnt = ^{len_cnt, aw_cnt, w_cnt};

endmodule
