// Tessera on the Radiona ULX3S (Lattice ECP5 LFE5U-85F, 25 MHz oscillator, FTDI FT231X USB-UART).
// No CPU on the board: a PC drives the accelerator through tessera_uart_bridge (protocol and
// memory map in README.md). tessera_top keeps both of its AXI interfaces: its AXI4-Lite slave
// is driven by the bridge's AXI4-Lite master, its AXI4 DMA master by tessera_axi_ram, an on-chip
// RAM the bridge also reads and writes.
//
//   PC --USB-UART--> tessera_uart_bridge --AXI4-Lite--> tessera_top --AXI4--> tessera_axi_ram
//                                 \--------------------- RAM port -----------------/
//
// Port names are the ULX3S's own (ulx3s.lpf, from emard/ulx3s doc/constraints/ulx3s_v20.lpf).
// Reset: at configuration (power-on counter) and while FIRE1 (btn[1]) is pressed.
// LEDs: 0 = accelerator interrupt (IRQ_STATUS & IRQ_ENABLE), 1 = DMA activity, 2 = UART receive
// activity, 7 = heartbeat (about 1.5 Hz at 25 MHz); the others are off.
module ulx3s_top #(
  parameter int unsigned ClksPerBit    = 217,       // 25 MHz / 115200 baud
  parameter int unsigned TimeoutCycles = 2500000,   // 0.1 s: an unfinished frame is dropped
  parameter logic [31:0] RamBase       = 32'h1000_0000,
  parameter int unsigned RamBytes      = 65536,
  parameter int unsigned LedStretchW   = 20,        // activity LEDs stay on 2^20 cycles (42 ms)
  // tessera_top (fpga/ecp5/params.env)
  parameter int unsigned ArrayDim      = 4,
  parameter int unsigned AbufWords     = 1024,
  parameter int unsigned WbufWords     = 1024,
  parameter int unsigned AccWords      = 1024,
  parameter int unsigned ObufWords     = 1024,
  parameter int unsigned PbufWords     = 16,
  parameter int unsigned AxiDataW      = 32,
  parameter int unsigned QueueDepth    = 2
) (
  input  logic       clk_25mhz,
  input  logic       ftdi_txd,    // FTDI transmits, FPGA receives
  output logic       ftdi_rxd,    // FPGA transmits, FTDI receives
  input  logic [6:0] btn,         // btn[0] active low, btn[6:1] active high
  output logic [7:0] led,
  output logic       wifi_gpio0   // held high: keeps the ESP32 from resetting the board
);

  localparam int unsigned RamAw = $clog2(RamBytes);

  logic clk;
  assign clk = clk_25mhz;
  assign wifi_gpio0 = 1'b1;

  // ---- reset: 16 cycles after configuration and while FIRE1 is held ------------------------------
  logic [3:0] por_q = 4'd0;
  logic       rst_n_q = 1'b0;
  always_ff @(posedge clk) begin
    if (btn[1])             por_q <= 4'd0;
    else if (por_q != 4'hF) por_q <= por_q + 4'd1;
    rst_n_q <= (por_q == 4'hF);
  end

  // ---- AXI4-Lite: bridge -> registers -----------------------------------------------------------
  logic [11:0] axil_awaddr, axil_araddr;
  logic        axil_awvalid, axil_awready, axil_wvalid, axil_wready, axil_bvalid, axil_bready;
  logic        axil_arvalid, axil_arready, axil_rvalid, axil_rready;
  logic [31:0] axil_wdata, axil_rdata;
  logic [3:0]  axil_wstrb;
  logic [1:0]  axil_bresp, axil_rresp;

  // ---- AXI4: accelerator -> RAM -------------------------------------------------------------------
  logic [31:0]           axi_araddr, axi_awaddr;
  logic [7:0]            axi_arlen, axi_awlen;
  logic [2:0]            axi_arsize, axi_awsize;
  logic [1:0]            axi_arburst, axi_awburst, axi_rresp, axi_bresp;
  logic                  axi_arvalid, axi_arready, axi_rlast, axi_rvalid, axi_rready;
  logic                  axi_awvalid, axi_awready, axi_wlast, axi_wvalid, axi_wready;
  logic                  axi_bvalid, axi_bready;
  logic [AxiDataW-1:0]   axi_rdata, axi_wdata;
  logic [AxiDataW/8-1:0] axi_wstrb;

  // ---- bridge RAM port ----------------------------------------------------------------------------
  logic             ram_req, ram_we, ram_done;
  logic [RamAw-1:0] ram_addr;
  logic [31:0]      ram_wdata, ram_rdata;

  logic irq, rx_byte;

  tessera_uart_bridge #(
    .ClksPerBit    (ClksPerBit),
    .TimeoutCycles (TimeoutCycles),
    .RegBytes      (4096),
    .RamBase       (RamBase),
    .RamBytes      (RamBytes)
  ) u_bridge (
    .clk_i          (clk),
    .rst_ni         (rst_n_q),
    .rx_i           (ftdi_txd),
    .tx_o           (ftdi_rxd),
    .rx_byte_o      (rx_byte),
    .m_axil_awaddr  (axil_awaddr),
    .m_axil_awvalid (axil_awvalid),
    .m_axil_awready (axil_awready),
    .m_axil_wdata   (axil_wdata),
    .m_axil_wstrb   (axil_wstrb),
    .m_axil_wvalid  (axil_wvalid),
    .m_axil_wready  (axil_wready),
    .m_axil_bresp   (axil_bresp),
    .m_axil_bvalid  (axil_bvalid),
    .m_axil_bready  (axil_bready),
    .m_axil_araddr  (axil_araddr),
    .m_axil_arvalid (axil_arvalid),
    .m_axil_arready (axil_arready),
    .m_axil_rdata   (axil_rdata),
    .m_axil_rresp   (axil_rresp),
    .m_axil_rvalid  (axil_rvalid),
    .m_axil_rready  (axil_rready),
    .ram_req_o      (ram_req),
    .ram_we_o       (ram_we),
    .ram_addr_o     (ram_addr),
    .ram_wdata_o    (ram_wdata),
    .ram_done_i     (ram_done),
    .ram_rdata_i    (ram_rdata)
  );

  tessera_top #(
    .ArrayDim   (ArrayDim),
    .AbufWords  (AbufWords),
    .WbufWords  (WbufWords),
    .AccWords   (AccWords),
    .ObufWords  (ObufWords),
    .PbufWords  (PbufWords),
    .AxiDataW   (AxiDataW),
    .AxiAddrW   (32),
    .QueueDepth (QueueDepth)
  ) u_tessera (
    .clk_i          (clk),
    .rst_ni         (rst_n_q),
    .irq_o          (irq),
    .s_axil_awaddr  (axil_awaddr),
    .s_axil_awvalid (axil_awvalid),
    .s_axil_awready (axil_awready),
    .s_axil_wdata   (axil_wdata),
    .s_axil_wstrb   (axil_wstrb),
    .s_axil_wvalid  (axil_wvalid),
    .s_axil_wready  (axil_wready),
    .s_axil_bresp   (axil_bresp),
    .s_axil_bvalid  (axil_bvalid),
    .s_axil_bready  (axil_bready),
    .s_axil_araddr  (axil_araddr),
    .s_axil_arvalid (axil_arvalid),
    .s_axil_arready (axil_arready),
    .s_axil_rdata   (axil_rdata),
    .s_axil_rresp   (axil_rresp),
    .s_axil_rvalid  (axil_rvalid),
    .s_axil_rready  (axil_rready),
    .m_axi_araddr   (axi_araddr),
    .m_axi_arlen    (axi_arlen),
    .m_axi_arsize   (axi_arsize),
    .m_axi_arburst  (axi_arburst),
    .m_axi_arvalid  (axi_arvalid),
    .m_axi_arready  (axi_arready),
    .m_axi_rdata    (axi_rdata),
    .m_axi_rresp    (axi_rresp),
    .m_axi_rlast    (axi_rlast),
    .m_axi_rvalid   (axi_rvalid),
    .m_axi_rready   (axi_rready),
    .m_axi_awaddr   (axi_awaddr),
    .m_axi_awlen    (axi_awlen),
    .m_axi_awsize   (axi_awsize),
    .m_axi_awburst  (axi_awburst),
    .m_axi_awvalid  (axi_awvalid),
    .m_axi_awready  (axi_awready),
    .m_axi_wdata    (axi_wdata),
    .m_axi_wstrb    (axi_wstrb),
    .m_axi_wlast    (axi_wlast),
    .m_axi_wvalid   (axi_wvalid),
    .m_axi_wready   (axi_wready),
    .m_axi_bresp    (axi_bresp),
    .m_axi_bvalid   (axi_bvalid),
    .m_axi_bready   (axi_bready)
  );

  tessera_axi_ram #(
    .DataW (AxiDataW),
    .AddrW (32),
    .Bytes (RamBytes),
    .Base  (RamBase)
  ) u_ram (
    .clk_i         (clk),
    .rst_ni        (rst_n_q),
    .s_axi_araddr  (axi_araddr),
    .s_axi_arlen   (axi_arlen),
    .s_axi_arsize  (axi_arsize),
    .s_axi_arburst (axi_arburst),
    .s_axi_arvalid (axi_arvalid),
    .s_axi_arready (axi_arready),
    .s_axi_rdata   (axi_rdata),
    .s_axi_rresp   (axi_rresp),
    .s_axi_rlast   (axi_rlast),
    .s_axi_rvalid  (axi_rvalid),
    .s_axi_rready  (axi_rready),
    .s_axi_awaddr  (axi_awaddr),
    .s_axi_awlen   (axi_awlen),
    .s_axi_awsize  (axi_awsize),
    .s_axi_awburst (axi_awburst),
    .s_axi_awvalid (axi_awvalid),
    .s_axi_awready (axi_awready),
    .s_axi_wdata   (axi_wdata),
    .s_axi_wstrb   (axi_wstrb),
    .s_axi_wlast   (axi_wlast),
    .s_axi_wvalid  (axi_wvalid),
    .s_axi_wready  (axi_wready),
    .s_axi_bresp   (axi_bresp),
    .s_axi_bvalid  (axi_bvalid),
    .s_axi_bready  (axi_bready),
    .ram_req_i     (ram_req),
    .ram_we_i      (ram_we),
    .ram_addr_i    (ram_addr),
    .ram_wdata_i   (ram_wdata),
    .ram_done_o    (ram_done),
    .ram_rdata_o   (ram_rdata)
  );

  // ---- LEDs ---------------------------------------------------------------------------------------
  logic [LedStretchW-1:0] dma_led_q, uart_led_q;
  logic [24:0]            beat_q;
  logic                   irq_q;
  always_ff @(posedge clk) begin
    if (!rst_n_q) begin
      dma_led_q  <= '0;
      uart_led_q <= '0;
      beat_q     <= '0;
      irq_q      <= 1'b0;
    end else begin
      if (axi_arvalid || axi_awvalid) dma_led_q <= '1;
      else if (dma_led_q != '0)       dma_led_q <= dma_led_q - 1'b1;
      if (rx_byte)                    uart_led_q <= '1;
      else if (uart_led_q != '0)      uart_led_q <= uart_led_q - 1'b1;
      beat_q <= beat_q + 1'b1;
      irq_q  <= irq;
    end
  end

  assign led = {beat_q[24], 4'b0000, uart_led_q != '0, dma_led_q != '0, irq_q};

  logic unused_btn;
  assign unused_btn = ^{btn[6:2], btn[0]};

endmodule
