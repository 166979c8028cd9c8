// AXI4 slave backed by on-chip block RAM, with a second, simple port for a board's host bridge
// (tessera_uart_bridge). The RAM holds Bytes bytes at [Base, Base + Bytes); Bytes is a power of
// two and Base a multiple of it. One tessera_sram per byte lane (registered read, no reset), so
// Yosys maps it to block RAM (ECP5: DP16KD) and byte strobes need no read-modify-write.
//
// AXI: one read and one write burst at a time (AR / AW accepted when the previous burst has
// ended), INCR and FIXED bursts (WRAP is treated as INCR), any arlen / awlen, narrow transfers on
// their byte lanes. Reads stream one beat per cycle. A beat whose address lies outside the RAM
// reads 0 with DECERR, or is not written and makes the write's response DECERR; in-range beats
// are OKAY. The write burst ends at wlast.
//
// Bridge port: ram_req_i held (with we, addr, wdata stable) until ram_done_o, a one-cycle pulse
// with ram_rdata_o; req must be low in the cycle after done. Addresses are byte offsets of
// 32-bit words inside the RAM. The bridge port uses the memory's read or write port only
// between AXI bursts (and has priority over a new burst), so it waits at most one burst.
module tessera_axi_ram #(
  parameter int unsigned DataW = 32,
  parameter int unsigned AddrW = 32,
  parameter int unsigned Bytes = 65536,
  parameter logic [31:0] Base  = 32'h1000_0000,
  localparam int unsigned Lanes = DataW / 8,
  localparam int unsigned Lsb   = $clog2(Lanes),
  localparam int unsigned Words = Bytes / Lanes,
  localparam int unsigned Aw    = $clog2(Words),
  localparam int unsigned ByteAw = $clog2(Bytes)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // AXI4 slave
  input  logic [AddrW-1:0]  s_axi_araddr,
  input  logic [7:0]        s_axi_arlen,
  input  logic [2:0]        s_axi_arsize,
  input  logic [1:0]        s_axi_arburst,
  input  logic              s_axi_arvalid,
  output logic              s_axi_arready,
  output logic [DataW-1:0]  s_axi_rdata,
  output logic [1:0]        s_axi_rresp,
  output logic              s_axi_rlast,
  output logic              s_axi_rvalid,
  input  logic              s_axi_rready,
  input  logic [AddrW-1:0]  s_axi_awaddr,
  input  logic [7:0]        s_axi_awlen,
  input  logic [2:0]        s_axi_awsize,
  input  logic [1:0]        s_axi_awburst,
  input  logic              s_axi_awvalid,
  output logic              s_axi_awready,
  input  logic [DataW-1:0]  s_axi_wdata,
  input  logic [Lanes-1:0]  s_axi_wstrb,
  input  logic              s_axi_wlast,
  input  logic              s_axi_wvalid,
  output logic              s_axi_wready,
  output logic [1:0]        s_axi_bresp,
  output logic              s_axi_bvalid,
  input  logic              s_axi_bready,
  // bridge port
  input  logic              ram_req_i,
  input  logic              ram_we_i,
  input  logic [ByteAw-1:0] ram_addr_i,
  input  logic [31:0]       ram_wdata_i,
  output logic              ram_done_o,
  output logic [31:0]       ram_rdata_o
);

  localparam logic [1:0] BurstFixed = 2'b00;
  localparam logic [1:0] RespOkay   = 2'b00;
  localparam logic [1:0] RespDecErr = 2'b11;
  localparam int unsigned Slots = DataW / 32;  // 32-bit words per beat (bridge port)
  localparam logic [AddrW-1:0] BaseA = AddrW'(Base);

  // ---- memory: one 8-bit tessera_sram per lane --------------------------------------------------
  logic             mem_we, mem_re;
  logic [Lanes-1:0] mem_strb;
  logic [Aw-1:0]    mem_waddr, mem_raddr;
  logic [DataW-1:0] mem_wdata, mem_rdata;

  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    tessera_sram #(.Width(8), .Depth(Words)) u_lane (
      .clk_i     (clk_i),
      .wr_en_i   (mem_we && mem_strb[l]),
      .wr_addr_i (mem_waddr),
      .wr_data_i (mem_wdata[8*l +: 8]),
      .rd_en_i   (mem_re),
      .rd_addr_i (mem_raddr),
      .rd_data_o (mem_rdata[8*l +: 8])
    );
  end

  function automatic logic in_ram(input logic [AddrW-1:0] a);
    in_ram = (((a ^ BaseA) >> ByteAw) == '0);
  endfunction

  function automatic logic [AddrW-1:0] next_addr(input logic [AddrW-1:0] a, input logic [2:0] size,
                                                 input logic [1:0] burst);
    next_addr = (burst == BurstFixed) ? a : a + (AddrW'(1) << size);
  endfunction

  // ---- bridge port ------------------------------------------------------------------------------
  logic br_busy_q;   // a bridge access was started last cycle; done now
  logic br_rd_go, br_wr_go;
  logic [31:0] br_slot;  // which 32-bit word of a beat the bridge addresses

  assign br_slot     = (Slots > 1) ? (32'(ram_addr_i) >> 2) % Slots : 32'd0;
  assign ram_done_o  = br_busy_q;
  assign ram_rdata_o = 32'(mem_rdata >> (32 * br_slot));

  // ---- read channel -----------------------------------------------------------------------------
  logic             rd_busy_q;          // a burst is active
  logic [AddrW-1:0] rd_addr_q;          // address of the next beat to fetch
  logic [2:0]       rd_size_q;
  logic [1:0]       rd_burst_q;
  logic [8:0]       rd_left_q;          // beats still to fetch
  logic             rd_valid_q, rd_err_q, rd_last_q;
  logic             rd_fetch;

  assign br_rd_go      = ram_req_i && !ram_we_i && !br_busy_q && !rd_busy_q;
  assign s_axi_arready = !rd_busy_q && !br_rd_go;
  assign rd_fetch      = rd_busy_q && (rd_left_q != 9'd0) && (!rd_valid_q || s_axi_rready);

  assign s_axi_rvalid = rd_valid_q;
  assign s_axi_rdata  = rd_err_q ? '0 : mem_rdata;
  assign s_axi_rresp  = rd_err_q ? RespDecErr : RespOkay;
  assign s_axi_rlast  = rd_last_q;

  assign mem_re    = br_rd_go || (rd_fetch && in_ram(rd_addr_q));
  assign mem_raddr = br_rd_go ? ram_addr_i[ByteAw-1:Lsb] : rd_addr_q[ByteAw-1:Lsb];

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      rd_busy_q  <= 1'b0;
      rd_addr_q  <= '0;
      rd_size_q  <= '0;
      rd_burst_q <= '0;
      rd_left_q  <= '0;
      rd_valid_q <= 1'b0;
      rd_err_q   <= 1'b0;
      rd_last_q  <= 1'b0;
    end else if (!rd_busy_q) begin
      if (s_axi_arvalid && s_axi_arready) begin
        rd_busy_q  <= 1'b1;
        rd_addr_q  <= s_axi_araddr;
        rd_size_q  <= s_axi_arsize;
        rd_burst_q <= s_axi_arburst;
        rd_left_q  <= {1'b0, s_axi_arlen} + 9'd1;
      end
    end else if (rd_fetch) begin
      rd_valid_q <= 1'b1;
      rd_err_q   <= !in_ram(rd_addr_q);
      rd_last_q  <= (rd_left_q == 9'd1);
      rd_left_q  <= rd_left_q - 9'd1;
      rd_addr_q  <= next_addr(rd_addr_q, rd_size_q, rd_burst_q);
    end else if (rd_valid_q && s_axi_rready) begin
      rd_valid_q <= 1'b0;
      if (rd_last_q) rd_busy_q <= 1'b0;
    end
  end

  // ---- write channel ----------------------------------------------------------------------------
  logic             wr_busy_q;          // AW accepted, taking W beats
  logic             wr_resp_q;          // B pending
  logic [AddrW-1:0] wr_addr_q;
  logic [2:0]       wr_size_q;
  logic [1:0]       wr_burst_q;
  logic             wr_err_q;
  logic             wr_beat;

  assign br_wr_go      = ram_req_i && ram_we_i && !br_busy_q && !wr_busy_q && !wr_resp_q;
  assign s_axi_awready = !wr_busy_q && !wr_resp_q && !br_wr_go;
  assign s_axi_wready  = wr_busy_q;
  assign s_axi_bvalid  = wr_resp_q;
  assign s_axi_bresp   = wr_err_q ? RespDecErr : RespOkay;
  assign wr_beat       = wr_busy_q && s_axi_wvalid;

  always_comb begin
    if (br_wr_go) begin
      mem_we    = 1'b1;
      mem_waddr = ram_addr_i[ByteAw-1:Lsb];
      mem_wdata = {Slots{ram_wdata_i}};
      mem_strb  = Lanes'(4'hF) << (4 * br_slot);
    end else begin
      mem_we    = wr_beat && in_ram(wr_addr_q);
      mem_waddr = wr_addr_q[ByteAw-1:Lsb];
      mem_wdata = s_axi_wdata;
      mem_strb  = s_axi_wstrb;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_busy_q  <= 1'b0;
      wr_resp_q  <= 1'b0;
      wr_addr_q  <= '0;
      wr_size_q  <= '0;
      wr_burst_q <= '0;
      wr_err_q   <= 1'b0;
    end else if (wr_resp_q) begin
      if (s_axi_bready) begin
        wr_resp_q <= 1'b0;
        wr_err_q  <= 1'b0;
      end
    end else if (!wr_busy_q) begin
      if (s_axi_awvalid && s_axi_awready) begin
        wr_busy_q  <= 1'b1;
        wr_addr_q  <= s_axi_awaddr;
        wr_size_q  <= s_axi_awsize;
        wr_burst_q <= s_axi_awburst;
      end
    end else if (wr_beat) begin
      if (!in_ram(wr_addr_q)) wr_err_q <= 1'b1;
      wr_addr_q <= next_addr(wr_addr_q, wr_size_q, wr_burst_q);
      if (s_axi_wlast) begin
        wr_busy_q <= 1'b0;
        wr_resp_q <= 1'b1;
      end
    end
  end

  // The write burst ends at wlast; awlen is not needed.
  logic unused_awlen;
  assign unused_awlen = ^s_axi_awlen;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) br_busy_q <= 1'b0;
    else         br_busy_q <= br_rd_go || br_wr_go;
  end

endmodule
