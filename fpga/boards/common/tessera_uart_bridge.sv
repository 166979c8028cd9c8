// UART-to-bus bridge for boards without a CPU (fpga/boards/ulx3s/README.md has the protocol).
// A PC sends framed commands over a UART (8N1, ClksPerBit clocks per bit); all multi-byte
// fields are little-endian; every frame ends with one status byte from the board:
//
//   'W' addr[4] data[4]                 write one 32-bit word         -> status
//   'R' addr[4]                         read one 32-bit word          -> data[4] status
//   'w' addr[4] count[2] data[4*count]  write count words at addr, addr+4, ...  -> status
//   'r' addr[4] count[2]                read count words               -> data[4*count] status
//
// status: 'K' (0x4B) every access was OKAY; 'E' (0x45) at least one was not (an address outside
// both regions, or a register access answered with an error; reads of such words return 0).
// Addresses are byte addresses of 32-bit words (bits [1:0] are ignored):
//   [0, RegBytes)                   the accelerator's AXI4-Lite registers (tessera_axil_master)
//   [RamBase, RamBase + RamBytes)   the board RAM (ram_* port of tessera_axi_ram)
// Other bytes are ignored. A frame not completed within TimeoutCycles of its previous byte is
// dropped, so a PC can always resynchronize by pausing. There is no flow control: each word's
// access finishes well within one byte time.
module tessera_uart_bridge #(
  parameter int unsigned ClksPerBit    = 217,
  parameter int unsigned TimeoutCycles = 2500000,
  parameter int unsigned RegBytes      = 4096,
  parameter logic [31:0] RamBase       = 32'h1000_0000,
  parameter int unsigned RamBytes      = 65536,
  localparam int unsigned RegAw = $clog2(RegBytes),
  localparam int unsigned RamAw = $clog2(RamBytes),
  localparam int unsigned ToW   = $clog2(TimeoutCycles + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             rx_i,
  output logic             tx_o,
  output logic             rx_byte_o,   // pulse per received byte (activity LED)
  // AXI4-Lite master to the accelerator's register slave
  output logic [RegAw-1:0] m_axil_awaddr,
  output logic             m_axil_awvalid,
  input  logic             m_axil_awready,
  output logic [31:0]      m_axil_wdata,
  output logic [3:0]       m_axil_wstrb,
  output logic             m_axil_wvalid,
  input  logic             m_axil_wready,
  input  logic [1:0]       m_axil_bresp,
  input  logic             m_axil_bvalid,
  output logic             m_axil_bready,
  output logic [RegAw-1:0] m_axil_araddr,
  output logic             m_axil_arvalid,
  input  logic             m_axil_arready,
  input  logic [31:0]      m_axil_rdata,
  input  logic [1:0]       m_axil_rresp,
  input  logic             m_axil_rvalid,
  output logic             m_axil_rready,
  // board RAM port: req held until done (one-cycle pulse, with rdata for reads)
  output logic             ram_req_o,
  output logic             ram_we_o,
  output logic [RamAw-1:0] ram_addr_o,  // byte offset in the RAM, a multiple of 4
  output logic [31:0]      ram_wdata_o,
  input  logic             ram_done_i,
  input  logic [31:0]      ram_rdata_i
);

  localparam logic [7:0] CmdWrite  = 8'h57;  // 'W'
  localparam logic [7:0] CmdRead   = 8'h52;  // 'R'
  localparam logic [7:0] CmdWriteN = 8'h77;  // 'w'
  localparam logic [7:0] CmdReadN  = 8'h72;  // 'r'
  localparam logic [7:0] StatusOk  = 8'h4B;  // 'K'
  localparam logic [7:0] StatusErr = 8'h45;  // 'E'

  localparam logic [2:0] StIdle   = 3'd0;  // waiting for a command byte
  localparam logic [2:0] StHdr    = 3'd1;  // address (and count) bytes
  localparam logic [2:0] StData   = 3'd2;  // 4 data bytes of a write
  localparam logic [2:0] StBus    = 3'd3;  // start the access of the current word
  localparam logic [2:0] StWait   = 3'd4;  // waiting for the register slave or the RAM
  localparam logic [2:0] StSend   = 3'd5;  // 4 data bytes of a read
  localparam logic [2:0] StStatus = 3'd6;  // status byte

  // ---- UART ---------------------------------------------------------------------------------
  logic [7:0] rx_data, tx_data;
  logic       rx_valid, tx_valid, tx_ready;

  tessera_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .rx_i    (rx_i),
    .data_o  (rx_data),
    .valid_o (rx_valid)
  );

  tessera_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .data_i  (tx_data),
    .valid_i (tx_valid),
    .ready_o (tx_ready),
    .tx_o    (tx_o)
  );

  assign rx_byte_o = rx_valid;

  // ---- frame state ----------------------------------------------------------------------------
  logic [2:0]     state_q, state_d;
  logic           we_q, we_d;          // write frame
  logic           burst_q, burst_d;    // frame has a count field
  logic           err_q, err_d;        // sticky: some access of this frame failed
  logic           to_reg_q, to_reg_d;  // current access goes to the register slave
  logic [2:0]     idx_q, idx_d;        // byte index within the header / data word
  logic [31:0]    addr_q, addr_d;
  logic [15:0]    count_q, count_d;    // words left, including the current one
  logic [31:0]    data_q, data_d;
  logic [ToW-1:0] idle_q, idle_d;      // cycles since the last byte of an open frame

  logic        axil_req, axil_done, axil_err;
  logic [31:0] axil_rdata;
  logic        in_regs, in_ram;

  assign in_regs = (addr_q < 32'(RegBytes));
  assign in_ram  = (addr_q[31:RamAw] == RamBase[31:RamAw]);

  assign axil_req    = (state_q == StWait) && to_reg_q;
  assign ram_req_o   = (state_q == StWait) && !to_reg_q;
  assign ram_we_o    = we_q;
  assign ram_addr_o  = {addr_q[RamAw-1:2], 2'b00};
  assign ram_wdata_o = data_q;

  assign tx_valid = (state_q == StSend) || (state_q == StStatus);
  assign tx_data  = (state_q == StSend) ? data_q[7:0] : (err_q ? StatusErr : StatusOk);

  always_comb begin
    state_d  = state_q;
    we_d     = we_q;
    burst_d  = burst_q;
    err_d    = err_q;
    to_reg_d = to_reg_q;
    idx_d    = idx_q;
    addr_d   = addr_q;
    count_d  = count_q;
    data_d   = data_q;
    idle_d   = '0;
    unique case (state_q)
      StIdle: begin
        if (rx_valid) begin
          we_d    = (rx_data == CmdWrite) || (rx_data == CmdWriteN);
          burst_d = (rx_data == CmdWriteN) || (rx_data == CmdReadN);
          err_d   = 1'b0;
          idx_d   = '0;
          count_d = 16'd1;
          if (rx_data == CmdWrite || rx_data == CmdRead || rx_data == CmdWriteN ||
              rx_data == CmdReadN) begin
            state_d = StHdr;
          end
        end
      end
      StHdr, StData: begin
        idle_d = idle_q + 1'b1;
        if (rx_valid) begin
          idle_d = '0;
          idx_d  = idx_q + 3'd1;
          if (state_q == StData) begin
            data_d = {rx_data, data_q[31:8]};
            if (idx_q == 3'd3) state_d = StBus;
          end else if (idx_q < 3'd4) begin
            addr_d = {rx_data, addr_q[31:8]};
          end else begin
            count_d = {rx_data, count_q[15:8]};
          end
          if (state_q == StHdr && idx_q == (burst_q ? 3'd5 : 3'd3)) begin
            idx_d = '0;
            if (count_d == 16'd0) state_d = StStatus;
            else                  state_d = we_q ? StData : StBus;
          end
        end else if (idle_q == ToW'(TimeoutCycles)) begin
          state_d = StIdle;  // abandoned frame: no reply
        end
      end
      StBus: begin
        to_reg_d = in_regs;
        if (in_regs || in_ram) begin
          state_d = StWait;
        end else begin
          // unmapped: no access; a read returns 0, and the frame's status becomes 'E'
          err_d = 1'b1;
          idx_d = '0;
          if (we_q) begin
            addr_d  = addr_q + 32'd4;
            count_d = count_q - 16'd1;
            state_d = (count_q == 16'd1) ? StStatus : StData;
          end else begin
            data_d  = '0;
            state_d = StSend;
          end
        end
      end
      StWait: begin
        if (to_reg_q ? axil_done : ram_done_i) begin
          if (to_reg_q) err_d = err_q | axil_err;
          if (!we_q) data_d = to_reg_q ? (axil_err ? 32'd0 : axil_rdata) : ram_rdata_i;
          idx_d = '0;
          if (we_q) begin
            addr_d  = addr_q + 32'd4;
            count_d = count_q - 16'd1;
            state_d = (count_q == 16'd1) ? StStatus : StData;
          end else begin
            state_d = StSend;
          end
        end
      end
      StSend: begin
        if (tx_ready) begin
          data_d = {8'h00, data_q[31:8]};
          idx_d  = idx_q + 3'd1;
          if (idx_q == 3'd3) begin
            addr_d  = addr_q + 32'd4;
            count_d = count_q - 16'd1;
            state_d = (count_q == 16'd1) ? StStatus : StBus;
          end
        end
      end
      default: begin  // StStatus
        if (tx_ready) state_d = StIdle;
      end
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      we_q     <= 1'b0;
      burst_q  <= 1'b0;
      err_q    <= 1'b0;
      to_reg_q <= 1'b0;
      idx_q    <= '0;
      addr_q   <= '0;
      count_q  <= '0;
      data_q   <= '0;
      idle_q   <= '0;
    end else begin
      state_q  <= state_d;
      we_q     <= we_d;
      burst_q  <= burst_d;
      err_q    <= err_d;
      to_reg_q <= to_reg_d;
      idx_q    <= idx_d;
      addr_q   <= addr_d;
      count_q  <= count_d;
      data_q   <= data_d;
      idle_q   <= idle_d;
    end
  end

  // ---- register access ----------------------------------------------------------------------
  tessera_axil_master #(.AddrW(RegAw)) u_axil (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_i          (axil_req),
    .we_i           (we_q),
    .addr_i         ({addr_q[RegAw-1:2], 2'b00}),
    .wdata_i        (data_q),
    .done_o         (axil_done),
    .rdata_o        (axil_rdata),
    .err_o          (axil_err),
    .m_axil_awaddr  (m_axil_awaddr),
    .m_axil_awvalid (m_axil_awvalid),
    .m_axil_awready (m_axil_awready),
    .m_axil_wdata   (m_axil_wdata),
    .m_axil_wstrb   (m_axil_wstrb),
    .m_axil_wvalid  (m_axil_wvalid),
    .m_axil_wready  (m_axil_wready),
    .m_axil_bresp   (m_axil_bresp),
    .m_axil_bvalid  (m_axil_bvalid),
    .m_axil_bready  (m_axil_bready),
    .m_axil_araddr  (m_axil_araddr),
    .m_axil_arvalid (m_axil_arvalid),
    .m_axil_arready (m_axil_arready),
    .m_axil_rdata   (m_axil_rdata),
    .m_axil_rresp   (m_axil_rresp),
    .m_axil_rvalid  (m_axil_rvalid),
    .m_axil_rready  (m_axil_rready)
  );

endmodule
