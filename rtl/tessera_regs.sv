// AXI4-Lite register file (docs/isa_reference.md). Every address answers OKAY; unmapped
// addresses read 0 and ignore writes (so a driver probing for optional registers cannot fault
// the bus). AW and W are captured independently, in either order or together; a write takes
// effect once both are held and the previous B response has been accepted. Responses are held
// until the master is ready. Reading a counter's LO word latches its HI word, which a read of
// HI returns (HI read without a preceding LO read returns the last latched value).
module tessera_regs #(
  parameter int unsigned ArrayDim   = 16,
  parameter int unsigned AbufWords  = 4096,
  parameter int unsigned WbufWords  = 4096,
  parameter int unsigned AccWords   = 1024,
  parameter int unsigned ObufWords  = 2048,
  parameter int unsigned PbufWords  = 64,
  parameter int unsigned AxiDataW   = 128,
  parameter int unsigned AxiAddrW   = 32,
  parameter int unsigned QueueDepth = 8,
  parameter int unsigned OutLanes   = ArrayDim
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [11:0] s_axil_awaddr,
  input  logic        s_axil_awvalid,
  output logic        s_axil_awready,
  input  logic [31:0] s_axil_wdata,
  input  logic [3:0]  s_axil_wstrb,
  input  logic        s_axil_wvalid,
  output logic        s_axil_wready,
  output logic [1:0]  s_axil_bresp,
  output logic        s_axil_bvalid,
  input  logic        s_axil_bready,
  input  logic [11:0] s_axil_araddr,
  input  logic        s_axil_arvalid,
  output logic        s_axil_arready,
  output logic [31:0] s_axil_rdata,
  output logic [1:0]  s_axil_rresp,
  output logic        s_axil_rvalid,
  input  logic        s_axil_rready,
  // core interface
  output logic        start_o,        // pulse: CTRL.START written while idle
  output logic [31:0] cmd_base_o,
  output logic [31:0] cmd_count_o,
  output logic [31:0] win_base_o,
  output logic [31:0] win_size_o,
  input  logic        busy_i,
  input  logic        done_i,         // pulse
  input  logic        error_i,        // pulse
  input  logic [3:0]  err_code_i,
  input  logic [31:0] err_info_i,
  output logic [3:0]  ctr_idx_o,      // counter read port
  input  logic [63:0] ctr_value_i,
  output logic        irq_o
);

  localparam int unsigned NumCtr = tessera_isa_pkg::NumCounters;
  // Register bit positions come from tessera_isa_pkg (rtl/spec/tessera_isa.toml).
  localparam int unsigned StartBit     = tessera_isa_pkg::CtrlStartBit;
  localparam int unsigned BusyBit      = tessera_isa_pkg::StatusBusyBit;
  localparam int unsigned DoneBit      = tessera_isa_pkg::StatusDoneBit;
  localparam int unsigned ErrBit       = tessera_isa_pkg::StatusErrorBit;
  localparam int unsigned IrqEnDoneBit = tessera_isa_pkg::IrqEnableDoneBit;
  localparam int unsigned IrqEnErrBit  = tessera_isa_pkg::IrqEnableErrorBit;
  localparam int unsigned IrqStDoneBit = tessera_isa_pkg::IrqStatusDoneBit;
  localparam int unsigned IrqStErrBit  = tessera_isa_pkg::IrqStatusErrorBit;
  localparam logic [31:0] HwArray = 32'((OutLanes << tessera_isa_pkg::HwArrayOutLanesLsb) |
                                        (ArrayDim << tessera_isa_pkg::HwArrayColsLsb) |
                                        (ArrayDim << tessera_isa_pkg::HwArrayRowsLsb));
  localparam logic [31:0] HwAxi   = 32'((QueueDepth << tessera_isa_pkg::HwAxiQueueDepthLsb) |
                                        (AxiAddrW << tessera_isa_pkg::HwAxiAddrBitsLsb) |
                                        ((AxiDataW / 8) << tessera_isa_pkg::HwAxiDataBytesLsb));

  logic        aw_have_d, aw_have_q, w_have_d, w_have_q, b_valid_d, b_valid_q;
  logic [11:0] aw_addr_d, aw_addr_q;
  logic [31:0] w_data_d, w_data_q;
  logic [3:0]  w_strb_d, w_strb_q;
  logic        r_valid_d, r_valid_q;
  logic [31:0] r_data_d, r_data_q;
  logic        done_d, done_q, err_d, err_q;
  // IRQ_ENABLE and IRQ_STATUS bits: interrupt enables and pending interrupts for DONE and ERROR.
  logic        irq_en_done_d, irq_en_done_q, irq_en_err_d, irq_en_err_q;
  logic        irq_st_done_d, irq_st_done_q, irq_st_err_d, irq_st_err_q;
  logic [31:0] cmd_base_d, cmd_base_q, cmd_count_d, cmd_count_q;
  logic [31:0] win_base_d, win_base_q, win_size_d, win_size_q;
  logic [31:0] hi_q [NumCtr];
  logic        do_write, do_read, wr_ctr_lo;
  logic [31:0] wmask, rd_val;
  logic        rd_is_ctr, rd_ctr_hi;
  logic [3:0]  rd_ctr_idx;

  assign s_axil_awready = !aw_have_q;
  assign s_axil_wready  = !w_have_q;
  assign s_axil_bvalid  = b_valid_q;
  assign s_axil_bresp   = 2'b00;
  assign s_axil_arready = !r_valid_q;
  assign s_axil_rvalid  = r_valid_q;
  assign s_axil_rdata   = r_data_q;
  assign s_axil_rresp   = 2'b00;

  assign do_write = aw_have_q && w_have_q && !b_valid_q;
  assign do_read  = s_axil_arvalid && s_axil_arready;
  assign wmask    = {{8{w_strb_q[3]}}, {8{w_strb_q[2]}}, {8{w_strb_q[1]}}, {8{w_strb_q[0]}}};
  assign start_o  = do_write && (aw_addr_q[11:2] == tessera_isa_pkg::RegCtrl[11:2]) &&
                    wmask[StartBit] && w_data_q[StartBit] && !busy_i;

  // Counter reads: LO at base + 8*i, HI at base + 8*i + 4.
  logic [11:0] ctr_off;
  assign ctr_off    = s_axil_araddr - tessera_isa_pkg::RegCyclesLo;
  assign rd_is_ctr  = (s_axil_araddr >= tessera_isa_pkg::RegCyclesLo) &&
                      (32'(ctr_off[11:3]) < NumCtr);
  assign rd_ctr_idx = ctr_off[6:3];
  assign rd_ctr_hi  = ctr_off[2];
  assign ctr_idx_o  = rd_ctr_idx;
  assign wr_ctr_lo  = do_read && rd_is_ctr && !rd_ctr_hi;
  logic unused_ctr_off;
  assign unused_ctr_off = ^ctr_off[1:0];  // registers are word aligned

  always_comb begin
    rd_val = 32'd0;
    unique case ({s_axil_araddr[11:2], 2'b00})
      tessera_isa_pkg::RegId:         rd_val = tessera_isa_pkg::IdValue;
      tessera_isa_pkg::RegVersion:    rd_val = tessera_isa_pkg::VersionValue;
      tessera_isa_pkg::RegCtrl:       rd_val = 32'd0;
      tessera_isa_pkg::RegStatus: begin
        rd_val[BusyBit] = busy_i;
        rd_val[DoneBit] = done_q;
        rd_val[ErrBit]  = err_q;
      end
      tessera_isa_pkg::RegErrCode:    rd_val = {28'd0, err_code_i};
      tessera_isa_pkg::RegErrInfo:    rd_val = err_info_i;
      tessera_isa_pkg::RegIrqEnable: begin
        rd_val[IrqEnDoneBit] = irq_en_done_q;
        rd_val[IrqEnErrBit]  = irq_en_err_q;
      end
      tessera_isa_pkg::RegIrqStatus: begin
        rd_val[IrqStDoneBit] = irq_st_done_q;
        rd_val[IrqStErrBit]  = irq_st_err_q;
      end
      tessera_isa_pkg::RegCmdBase:    rd_val = cmd_base_q;
      tessera_isa_pkg::RegCmdCount:   rd_val = cmd_count_q;
      tessera_isa_pkg::RegWindowBase: rd_val = win_base_q;
      tessera_isa_pkg::RegWindowSize: rd_val = win_size_q;
      tessera_isa_pkg::RegHwArray:    rd_val = HwArray;
      tessera_isa_pkg::RegHwAbufWords: rd_val = 32'(AbufWords);
      tessera_isa_pkg::RegHwWbufWords: rd_val = 32'(WbufWords);
      tessera_isa_pkg::RegHwAccWords:  rd_val = 32'(AccWords);
      tessera_isa_pkg::RegHwObufWords: rd_val = 32'(ObufWords);
      tessera_isa_pkg::RegHwPbufWords: rd_val = 32'(PbufWords);
      tessera_isa_pkg::RegHwAxi:       rd_val = HwAxi;
      default: begin
        if (rd_is_ctr) rd_val = rd_ctr_hi ? hi_q[rd_ctr_idx] : ctr_value_i[31:0];
      end
    endcase
  end

  always_comb begin
    aw_have_d   = aw_have_q;
    aw_addr_d   = aw_addr_q;
    w_have_d    = w_have_q;
    w_data_d    = w_data_q;
    w_strb_d    = w_strb_q;
    b_valid_d   = b_valid_q;
    r_valid_d   = r_valid_q;
    r_data_d    = r_data_q;
    done_d      = done_q;
    err_d       = err_q;
    irq_en_done_d = irq_en_done_q;
    irq_en_err_d  = irq_en_err_q;
    irq_st_done_d = irq_st_done_q;
    irq_st_err_d  = irq_st_err_q;
    cmd_base_d  = cmd_base_q;
    cmd_count_d = cmd_count_q;
    win_base_d  = win_base_q;
    win_size_d  = win_size_q;

    if (s_axil_awvalid && s_axil_awready) begin
      aw_have_d = 1'b1;
      aw_addr_d = s_axil_awaddr;
    end
    if (s_axil_wvalid && s_axil_wready) begin
      w_have_d = 1'b1;
      w_data_d = s_axil_wdata;
      w_strb_d = s_axil_wstrb;
    end
    if (b_valid_q && s_axil_bready) b_valid_d = 1'b0;

    if (do_write) begin
      aw_have_d = 1'b0;
      w_have_d  = 1'b0;
      b_valid_d = 1'b1;
      unique case ({aw_addr_q[11:2], 2'b00})
        tessera_isa_pkg::RegIrqEnable: begin
          if (wmask[IrqEnDoneBit]) irq_en_done_d = w_data_q[IrqEnDoneBit];
          if (wmask[IrqEnErrBit])  irq_en_err_d  = w_data_q[IrqEnErrBit];
        end
        tessera_isa_pkg::RegIrqStatus: begin  // write 1 to clear
          if (wmask[IrqStDoneBit] && w_data_q[IrqStDoneBit]) irq_st_done_d = 1'b0;
          if (wmask[IrqStErrBit] && w_data_q[IrqStErrBit])   irq_st_err_d  = 1'b0;
        end
        tessera_isa_pkg::RegCmdBase:    cmd_base_d  = (cmd_base_q & ~wmask) | (w_data_q & wmask);
        tessera_isa_pkg::RegCmdCount:   cmd_count_d = (cmd_count_q & ~wmask) | (w_data_q & wmask);
        tessera_isa_pkg::RegWindowBase: win_base_d  = (win_base_q & ~wmask) | (w_data_q & wmask);
        tessera_isa_pkg::RegWindowSize: win_size_d  = (win_size_q & ~wmask) | (w_data_q & wmask);
        default: ;
      endcase
    end

    if (start_o) begin
      done_d = 1'b0;
      err_d  = 1'b0;
    end
    // Events win over a simultaneous w1c of the same bit.
    if (done_i) begin
      done_d        = 1'b1;
      irq_st_done_d = 1'b1;
    end
    if (error_i) begin
      err_d        = 1'b1;
      irq_st_err_d = 1'b1;
    end

    if (r_valid_q && s_axil_rready) r_valid_d = 1'b0;
    if (do_read) begin
      r_valid_d = 1'b1;
      r_data_d  = rd_val;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      aw_have_q   <= 1'b0;
      aw_addr_q   <= '0;
      w_have_q    <= 1'b0;
      w_data_q    <= '0;
      w_strb_q    <= '0;
      b_valid_q   <= 1'b0;
      r_valid_q   <= 1'b0;
      r_data_q    <= '0;
      done_q      <= 1'b0;
      err_q       <= 1'b0;
      irq_en_done_q <= 1'b0;
      irq_en_err_q  <= 1'b0;
      irq_st_done_q <= 1'b0;
      irq_st_err_q  <= 1'b0;
      cmd_base_q  <= '0;
      cmd_count_q <= '0;
      win_base_q  <= '0;
      win_size_q  <= '0;
    end else begin
      aw_have_q   <= aw_have_d;
      aw_addr_q   <= aw_addr_d;
      w_have_q    <= w_have_d;
      w_data_q    <= w_data_d;
      w_strb_q    <= w_strb_d;
      b_valid_q   <= b_valid_d;
      r_valid_q   <= r_valid_d;
      r_data_q    <= r_data_d;
      done_q      <= done_d;
      err_q       <= err_d;
      irq_en_done_q <= irq_en_done_d;
      irq_en_err_q  <= irq_en_err_d;
      irq_st_done_q <= irq_st_done_d;
      irq_st_err_q  <= irq_st_err_d;
      cmd_base_q  <= cmd_base_d;
      cmd_count_q <= cmd_count_d;
      win_base_q  <= win_base_d;
      win_size_q  <= win_size_d;
    end
  end

  for (genvar i = 0; i < NumCtr; i++) begin : g_hi
    always_ff @(posedge clk_i) begin
      if (!rst_ni)                                    hi_q[i] <= '0;
      else if (wr_ctr_lo && (rd_ctr_idx == 4'(i)))    hi_q[i] <= ctr_value_i[63:32];
    end
  end

  assign cmd_base_o  = cmd_base_q;
  assign cmd_count_o = cmd_count_q;
  assign win_base_o  = win_base_q;
  assign win_size_o  = win_size_q;
  assign irq_o       = (irq_st_done_q && irq_en_done_q) || (irq_st_err_q && irq_en_err_q);

endmodule
