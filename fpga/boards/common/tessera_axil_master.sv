// AXI4-Lite master for single 32-bit accesses. A request is held on req_i (with we_i, addr_i,
// wdata_i stable) from an idle master until done_o, a one-cycle pulse that carries rdata_o (reads)
// and err_o (response other than OKAY); req_i must be low in the cycle after done_o. Writes drive
// AW and W together with all byte strobes and wait for both handshakes, then for B.
module tessera_axil_master #(
  parameter int unsigned AddrW = 12
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             req_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] addr_i,
  input  logic [31:0]      wdata_i,
  output logic             done_o,
  output logic [31:0]      rdata_o,
  output logic             err_o,
  output logic [AddrW-1:0] m_axil_awaddr,
  output logic             m_axil_awvalid,
  input  logic             m_axil_awready,
  output logic [31:0]      m_axil_wdata,
  output logic [3:0]       m_axil_wstrb,
  output logic             m_axil_wvalid,
  input  logic             m_axil_wready,
  input  logic [1:0]       m_axil_bresp,
  input  logic             m_axil_bvalid,
  output logic             m_axil_bready,
  output logic [AddrW-1:0] m_axil_araddr,
  output logic             m_axil_arvalid,
  input  logic             m_axil_arready,
  input  logic [31:0]      m_axil_rdata,
  input  logic [1:0]       m_axil_rresp,
  input  logic             m_axil_rvalid,
  output logic             m_axil_rready
);

  localparam logic [2:0] StIdle  = 3'd0;
  localparam logic [2:0] StWrite = 3'd1;  // AW and/or W not yet accepted
  localparam logic [2:0] StBResp = 3'd2;
  localparam logic [2:0] StRead  = 3'd3;  // AR not yet accepted
  localparam logic [2:0] StRResp = 3'd4;

  logic [2:0] state_q, state_d;
  logic       aw_done_q, aw_done_d, w_done_q, w_done_d;

  assign m_axil_awaddr  = addr_i;
  assign m_axil_awvalid = (state_q == StWrite) && !aw_done_q;
  assign m_axil_wdata   = wdata_i;
  assign m_axil_wstrb   = 4'hF;
  assign m_axil_wvalid  = (state_q == StWrite) && !w_done_q;
  assign m_axil_bready  = (state_q == StBResp);
  assign m_axil_araddr  = addr_i;
  assign m_axil_arvalid = (state_q == StRead);
  assign m_axil_rready  = (state_q == StRResp);

  always_comb begin
    state_d   = state_q;
    aw_done_d = aw_done_q;
    w_done_d  = w_done_q;
    done_o    = 1'b0;
    err_o     = 1'b0;
    rdata_o   = m_axil_rdata;
    unique case (state_q)
      StIdle: begin
        aw_done_d = 1'b0;
        w_done_d  = 1'b0;
        if (req_i) state_d = we_i ? StWrite : StRead;
      end
      StWrite: begin
        if (m_axil_awvalid && m_axil_awready) aw_done_d = 1'b1;
        if (m_axil_wvalid && m_axil_wready) w_done_d = 1'b1;
        if (aw_done_d && w_done_d) state_d = StBResp;
      end
      StBResp: begin
        if (m_axil_bvalid) begin
          done_o  = 1'b1;
          err_o   = (m_axil_bresp != 2'b00);
          state_d = StIdle;
        end
      end
      StRead: begin
        if (m_axil_arready) state_d = StRResp;
      end
      default: begin  // StRResp
        if (m_axil_rvalid) begin
          done_o  = 1'b1;
          err_o   = (m_axil_rresp != 2'b00);
          state_d = StIdle;
        end
      end
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q   <= StIdle;
      aw_done_q <= 1'b0;
      w_done_q  <= 1'b0;
    end else begin
      state_q   <= state_d;
      aw_done_q <= aw_done_d;
      w_done_q  <= w_done_d;
    end
  end

endmodule
