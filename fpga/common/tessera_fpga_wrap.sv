// Pin-limited wrapper used only for place-and-route estimates (nextpnr): the ~200 AXI ports of
// tessera_top do not fit a small package (iCE40UP5K SG48 has 39 I/Os). Every top-level input is
// driven from a serial shift register loaded through one pin (so no input is a constant Yosys
// could propagate), every output is registered and XOR-reduced into one pin (so no logic is
// dead). The wrapper adds about InW + OutW flip-flops and OutW/3 LUTs to the design; the numbers
// scripts/fpga.sh reports for tessera_top itself come from the unwrapped synthesis.
module tessera_fpga_wrap #(
  parameter int unsigned ArrayDim   = 4,
  parameter int unsigned AbufWords  = 512,
  parameter int unsigned WbufWords  = 512,
  parameter int unsigned AccWords   = 256,
  parameter int unsigned ObufWords  = 512,
  parameter int unsigned PbufWords  = 16,
  parameter int unsigned AxiDataW   = 32,
  parameter int unsigned AxiAddrW   = 32,
  parameter int unsigned QueueDepth = 2,
  parameter int unsigned FetchDepth   = 8,   // area options of tessera_top (its defaults)
  parameter int unsigned PerfCounters = 1,
  parameter int unsigned LutMulRows   = 0,
  parameter int unsigned OutLanes     = ArrayDim
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic sin_i,
  output logic sout_o,
  output logic irq_o
);

  // inputs: awaddr 12, awvalid, wdata 32, wstrb 4, wvalid, bready, araddr 12, arvalid, rready,
  // arready, rdata, rresp 2, rlast, rvalid, awready, wready, bresp 2, bvalid
  localparam int unsigned InW  = 12 + 1 + 32 + 4 + 1 + 1 + 12 + 1 + 1 +
                                 1 + AxiDataW + 2 + 1 + 1 + 1 + 1 + 2 + 1;
  // outputs: awready, wready, bresp 2, bvalid, arready, rdata 32, rresp 2, rvalid,
  // araddr, arlen 8, arsize 3, arburst 2, arvalid, rready, awaddr, awlen 8, awsize 3, awburst 2,
  // awvalid, wdata, wstrb, wlast, wvalid, bready
  localparam int unsigned OutW = 1 + 1 + 2 + 1 + 1 + 32 + 2 + 1 +
                                 AxiAddrW + 8 + 3 + 2 + 1 + 1 +
                                 AxiAddrW + 8 + 3 + 2 + 1 + AxiDataW + AxiDataW / 8 + 1 + 1 + 1;

  // tessera_top resets synchronously; the reset pin is asynchronous to clk_i, so it goes through
  // a two-register synchronizer as on a board (fpga/boards/ulx3s registers its reset too). This
  // also makes the reset's fan-out to every flip-flop a timed path instead of an unconstrained
  // one from the pin.
  logic [1:0]      rst_sync_q;
  logic [InW-1:0]  in_q;
  logic [OutW-1:0] out_d, out_q;
  logic            irq;

  always_ff @(posedge clk_i) begin
    rst_sync_q <= {rst_sync_q[0], rst_ni};
    in_q   <= {in_q[InW-2:0], sin_i};
    out_q  <= out_d;
    sout_o <= ^out_q;
    irq_o  <= irq;
  end

  tessera_top #(
    .ArrayDim   (ArrayDim),
    .AbufWords  (AbufWords),
    .WbufWords  (WbufWords),
    .AccWords   (AccWords),
    .ObufWords  (ObufWords),
    .PbufWords  (PbufWords),
    .AxiDataW   (AxiDataW),
    .AxiAddrW   (AxiAddrW),
    .QueueDepth (QueueDepth),
    .FetchDepth   (FetchDepth),
    .PerfCounters (PerfCounters),
    .LutMulRows   (LutMulRows),
    .OutLanes     (OutLanes)
  ) u_top (
    .clk_i          (clk_i),
    .rst_ni         (rst_sync_q[1]),
    .irq_o          (irq),
    .s_axil_awaddr  (in_q[11:0]),
    .s_axil_awvalid (in_q[12]),
    .s_axil_wdata   (in_q[44:13]),
    .s_axil_wstrb   (in_q[48:45]),
    .s_axil_wvalid  (in_q[49]),
    .s_axil_bready  (in_q[50]),
    .s_axil_araddr  (in_q[62:51]),
    .s_axil_arvalid (in_q[63]),
    .s_axil_rready  (in_q[64]),
    .m_axi_arready  (in_q[65]),
    .m_axi_rdata    (in_q[66 +: AxiDataW]),
    .m_axi_rresp    (in_q[66 + AxiDataW +: 2]),
    .m_axi_rlast    (in_q[68 + AxiDataW]),
    .m_axi_rvalid   (in_q[69 + AxiDataW]),
    .m_axi_awready  (in_q[70 + AxiDataW]),
    .m_axi_wready   (in_q[71 + AxiDataW]),
    .m_axi_bresp    (in_q[72 + AxiDataW +: 2]),
    .m_axi_bvalid   (in_q[74 + AxiDataW]),
    .s_axil_awready (out_d[0]),
    .s_axil_wready  (out_d[1]),
    .s_axil_bresp   (out_d[3:2]),
    .s_axil_bvalid  (out_d[4]),
    .s_axil_arready (out_d[5]),
    .s_axil_rdata   (out_d[37:6]),
    .s_axil_rresp   (out_d[39:38]),
    .s_axil_rvalid  (out_d[40]),
    .m_axi_araddr   (out_d[41 +: AxiAddrW]),
    .m_axi_arlen    (out_d[41 + AxiAddrW +: 8]),
    .m_axi_arsize   (out_d[49 + AxiAddrW +: 3]),
    .m_axi_arburst  (out_d[52 + AxiAddrW +: 2]),
    .m_axi_arvalid  (out_d[54 + AxiAddrW]),
    .m_axi_rready   (out_d[55 + AxiAddrW]),
    .m_axi_awaddr   (out_d[56 + AxiAddrW +: AxiAddrW]),
    .m_axi_awlen    (out_d[56 + 2 * AxiAddrW +: 8]),
    .m_axi_awsize   (out_d[64 + 2 * AxiAddrW +: 3]),
    .m_axi_awburst  (out_d[67 + 2 * AxiAddrW +: 2]),
    .m_axi_awvalid  (out_d[69 + 2 * AxiAddrW]),
    .m_axi_wdata    (out_d[70 + 2 * AxiAddrW +: AxiDataW]),
    .m_axi_wstrb    (out_d[70 + 2 * AxiAddrW + AxiDataW +: AxiDataW / 8]),
    .m_axi_wlast    (out_d[70 + 2 * AxiAddrW + AxiDataW + AxiDataW / 8]),
    .m_axi_wvalid   (out_d[71 + 2 * AxiAddrW + AxiDataW + AxiDataW / 8]),
    .m_axi_bready   (out_d[72 + 2 * AxiAddrW + AxiDataW + AxiDataW / 8])
  );

endmodule
