// Test stand-in for tessera_compute_unit (same ports), so the system blocks can be tested without
// the real PE array. It moves words between buffers so every DMA path can be checked end to end:
//   POOL: OBUF[obuf_addr + i] = ABUF[abuf_addr + i], i < cg
//   ADD:  OBUF[obuf_addr + i] = WBUF[a_addr + i],    i < len
//   CONV: ACC [acc_addr + i]  = PBUF[pbuf_addr + i], i < cg
// ACC is readable through the acc_ext_rd port (granted whenever no copy into ACC is running).
module tessera_compute_unit #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64,
  parameter int unsigned LutMulRows = 0,   // unused: there is no PE array here
  parameter int unsigned OutLanes = ArrayDim,  // unused: there are no output lanes here
  localparam int unsigned AbufAw = $clog2(AbufWords),
  localparam int unsigned WbufAw = $clog2(WbufWords),
  localparam int unsigned AccAw  = $clog2(AccWords),
  localparam int unsigned ObufAw = $clog2(ObufWords),
  localparam int unsigned PbufAw = $clog2(PbufWords)
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    cmd_valid_i,
  output logic                    cmd_ready_o,
  input  logic [255:0]            cmd_i,
  output logic                    cmd_accept_o,
  output logic                    cmd_done_o,
  input  logic                    flush_i,
  output logic                    abuf_rd_en_o,
  output logic [AbufAw-1:0]       abuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   abuf_rd_data_i,
  output logic                    wbuf_rd_en_o,
  output logic [WbufAw-1:0]       wbuf_rd_addr_o,
  input  logic [8*ArrayDim-1:0]   wbuf_rd_data_i,
  output logic                    pbuf_rd_en_o,
  output logic [PbufAw-1:0]       pbuf_rd_addr_o,
  input  logic [32*ArrayDim-1:0]  pbuf_rd_data_i,
  output logic                    obuf_wr_en_o,
  output logic [ObufAw-1:0]       obuf_wr_addr_o,
  output logic [8*ArrayDim-1:0]   obuf_wr_data_o,
  input  logic                    acc_ext_rd_req_i,
  input  logic [AccAw-1:0]        acc_ext_rd_addr_i,
  output logic                    acc_ext_rd_gnt_o,
  output logic [32*ArrayDim-1:0]  acc_ext_rd_data_o,
  output logic                    mac_active_o
);

  logic [32*ArrayDim-1:0] acc [AccWords];
  logic        busy_q, wr_q;
  logic [1:0]  kind_q;            // 0 POOL, 1 ADD, 2 CONV
  logic [15:0] src_q, dst_q, wdst_q, left_q;
  logic [3:0]  op;

  assign op           = cmd_i[3:0];
  assign cmd_ready_o  = !busy_q && !wr_q;
  assign abuf_rd_en_o   = busy_q && (kind_q == 2'd0) && (left_q != 0);
  assign wbuf_rd_en_o   = busy_q && (kind_q == 2'd1) && (left_q != 0);
  assign pbuf_rd_en_o   = busy_q && (kind_q == 2'd2) && (left_q != 0);
  assign abuf_rd_addr_o = AbufAw'(src_q);
  assign wbuf_rd_addr_o = WbufAw'(src_q);
  assign pbuf_rd_addr_o = PbufAw'(src_q);
  assign obuf_wr_en_o   = wr_q && (kind_q != 2'd2);
  assign obuf_wr_addr_o = ObufAw'(wdst_q);
  assign obuf_wr_data_o = (kind_q == 2'd0) ? abuf_rd_data_i : wbuf_rd_data_i;
  assign mac_active_o   = wr_q;
  assign cmd_done_o     = busy_q && (left_q == 0) && !wr_q;
  assign cmd_accept_o   = cmd_done_o;  // finishes every command before taking the next
  assign acc_ext_rd_gnt_o = acc_ext_rd_req_i && !(busy_q && kind_q == 2'd2);

  always_ff @(posedge clk_i) begin
    if (acc_ext_rd_gnt_o) acc_ext_rd_data_o <= acc[acc_ext_rd_addr_i];
    if (wr_q && kind_q == 2'd2 && !flush_i) acc[AccAw'(wdst_q)] <= pbuf_rd_data_i;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni || flush_i) begin
      busy_q <= 1'b0;
      wr_q   <= 1'b0;
      kind_q <= 2'd0;
      src_q  <= '0;
      dst_q  <= '0;
      wdst_q <= '0;
      left_q <= '0;
    end else begin
      wr_q   <= busy_q && (left_q != 0);
      wdst_q <= dst_q;
      if (busy_q && left_q != 0) begin
        src_q  <= src_q + 16'd1;
        dst_q  <= dst_q + 16'd1;
        left_q <= left_q - 16'd1;
      end
      if (cmd_done_o) busy_q <= 1'b0;
      if (cmd_valid_i && cmd_ready_o) begin
        busy_q <= 1'b1;
        if (op == 4'(tessera_isa_pkg::OpPool)) begin
          kind_q <= 2'd0;
          src_q  <= cmd_i[tessera_isa_pkg::PoolAbufAddrLsb +: 16];
          dst_q  <= cmd_i[tessera_isa_pkg::PoolObufAddrLsb +: 16];
          left_q <= cmd_i[tessera_isa_pkg::PoolCgLsb +: 16];
        end else if (op == 4'(tessera_isa_pkg::OpAdd)) begin
          kind_q <= 2'd1;
          src_q  <= cmd_i[tessera_isa_pkg::AddAAddrLsb +: 16];
          dst_q  <= cmd_i[tessera_isa_pkg::AddObufAddrLsb +: 16];
          left_q <= cmd_i[tessera_isa_pkg::AddLenLsb +: 16];
        end else begin
          kind_q <= 2'd2;
          src_q  <= cmd_i[tessera_isa_pkg::ConvPbufAddrLsb +: 16];
          dst_q  <= cmd_i[tessera_isa_pkg::ConvAccAddrLsb +: 16];
          left_q <= cmd_i[tessera_isa_pkg::ConvCgLsb +: 16];
        end
      end
    end
  end

endmodule
