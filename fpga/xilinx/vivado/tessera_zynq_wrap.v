// Verilog-2001 shell around tessera_top for a Vivado block design (not run in CI; build.tcl).
// Vivado's module reference does not take a SystemVerilog top, so this file is the referenced
// module; its port names follow the AMBA / Vivado convention so the block design infers an
// AXI4-Lite slave (s_axil, on M_AXI_GP0), an AXI4 master (m_axi, into S_AXI_HP0), the clock, the
// active-low reset and the interrupt. Parameters mirror tessera_top's (docs/architecture.md).
module tessera_zynq_wrap #(
  parameter ArrayDim   = 8,
  parameter AbufWords  = 4096,
  parameter WbufWords  = 4096,
  parameter AccWords   = 1024,
  parameter ObufWords  = 2048,
  parameter PbufWords  = 64,
  parameter AxiDataW   = 64,   // S_AXI_HP0 is 64 bits wide
  parameter QueueDepth = 8
) (
  (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 clk CLK" *)
  (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axil:m_axi, ASSOCIATED_RESET rst_n" *)
  input  wire                  clk,
  (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 rst_n RST" *)
  (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
  input  wire                  rst_n,
  (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 irq INTERRUPT" *)
  (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
  output wire                  irq,

  input  wire [11:0]           s_axil_awaddr,
  input  wire [2:0]            s_axil_awprot,   // ignored
  input  wire                  s_axil_awvalid,
  output wire                  s_axil_awready,
  input  wire [31:0]           s_axil_wdata,
  input  wire [3:0]            s_axil_wstrb,
  input  wire                  s_axil_wvalid,
  output wire                  s_axil_wready,
  output wire [1:0]            s_axil_bresp,
  output wire                  s_axil_bvalid,
  input  wire                  s_axil_bready,
  input  wire [11:0]           s_axil_araddr,
  input  wire [2:0]            s_axil_arprot,   // ignored
  input  wire                  s_axil_arvalid,
  output wire                  s_axil_arready,
  output wire [31:0]           s_axil_rdata,
  output wire [1:0]            s_axil_rresp,
  output wire                  s_axil_rvalid,
  input  wire                  s_axil_rready,

  output wire [31:0]           m_axi_araddr,
  output wire [7:0]            m_axi_arlen,
  output wire [2:0]            m_axi_arsize,
  output wire [1:0]            m_axi_arburst,
  output wire [3:0]            m_axi_arcache,   // 4'b0011: normal, non-cacheable, bufferable
  output wire [2:0]            m_axi_arprot,
  output wire                  m_axi_arvalid,
  input  wire                  m_axi_arready,
  input  wire [AxiDataW-1:0]   m_axi_rdata,
  input  wire [1:0]            m_axi_rresp,
  input  wire                  m_axi_rlast,
  input  wire                  m_axi_rvalid,
  output wire                  m_axi_rready,
  output wire [31:0]           m_axi_awaddr,
  output wire [7:0]            m_axi_awlen,
  output wire [2:0]            m_axi_awsize,
  output wire [1:0]            m_axi_awburst,
  output wire [3:0]            m_axi_awcache,
  output wire [2:0]            m_axi_awprot,
  output wire                  m_axi_awvalid,
  input  wire                  m_axi_awready,
  output wire [AxiDataW-1:0]   m_axi_wdata,
  output wire [AxiDataW/8-1:0] m_axi_wstrb,
  output wire                  m_axi_wlast,
  output wire                  m_axi_wvalid,
  input  wire                  m_axi_wready,
  input  wire [1:0]            m_axi_bresp,
  input  wire                  m_axi_bvalid,
  output wire                  m_axi_bready
);

  assign m_axi_arcache = 4'b0011;
  assign m_axi_awcache = 4'b0011;
  assign m_axi_arprot  = 3'b000;
  assign m_axi_awprot  = 3'b000;

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
  ) u_top (
    .clk_i          (clk),
    .rst_ni         (rst_n),
    .irq_o          (irq),
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
    .m_axi_araddr   (m_axi_araddr),
    .m_axi_arlen    (m_axi_arlen),
    .m_axi_arsize   (m_axi_arsize),
    .m_axi_arburst  (m_axi_arburst),
    .m_axi_arvalid  (m_axi_arvalid),
    .m_axi_arready  (m_axi_arready),
    .m_axi_rdata    (m_axi_rdata),
    .m_axi_rresp    (m_axi_rresp),
    .m_axi_rlast    (m_axi_rlast),
    .m_axi_rvalid   (m_axi_rvalid),
    .m_axi_rready   (m_axi_rready),
    .m_axi_awaddr   (m_axi_awaddr),
    .m_axi_awlen    (m_axi_awlen),
    .m_axi_awsize   (m_axi_awsize),
    .m_axi_awburst  (m_axi_awburst),
    .m_axi_awvalid  (m_axi_awvalid),
    .m_axi_awready  (m_axi_awready),
    .m_axi_wdata    (m_axi_wdata),
    .m_axi_wstrb    (m_axi_wstrb),
    .m_axi_wlast    (m_axi_wlast),
    .m_axi_wvalid   (m_axi_wvalid),
    .m_axi_wready   (m_axi_wready),
    .m_axi_bresp    (m_axi_bresp),
    .m_axi_bvalid   (m_axi_bvalid),
    .m_axi_bready   (m_axi_bready)
  );

endmodule
