// Compute unit (docs/architecture.md): executes CONV, POOL and ADD. CONV runs on
// tessera_conv_unit (PE array, ACC, output pipeline); POOL and ADD on their own sub-units.
// A CONV is accepted (cmd_accept_o) once its last pixel entered the array, so the next CONV can
// start while the array drains; POOL and ADD start only when the conv unit is completely idle.
// So at most one sub-unit reads ABUF or writes OBUF in a cycle, and their ports are simply
// selected by whichever drives its enable.
module tessera_compute_unit #(
  parameter int unsigned ArrayDim  = 16,
  parameter int unsigned AbufWords = 4096,
  parameter int unsigned WbufWords = 4096,
  parameter int unsigned AccWords  = 1024,
  parameter int unsigned ObufWords = 2048,
  parameter int unsigned PbufWords = 64,
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
  output logic                    cmd_accept_o,  // the command no longer needs cmd_i
  output logic                    cmd_done_o,    // the oldest accepted command completed
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

  logic active_d, active_q;     // a command was taken and has not been accepted
  logic bad_q;                  // an opcode no sub-unit executes: finish it at once
  logic take;
  logic [3:0] opcode;
  logic conv_start, pool_start, add_start, bad_start;
  logic conv_accept, conv_done, pool_done, add_done;
  logic conv_ready, conv_busy, pool_busy, add_busy;

  assign opcode      = cmd_i[tessera_isa_pkg::CmdOpcodeLsb +: tessera_isa_pkg::CmdOpcodeW];
  assign cmd_ready_o = !active_q && ((opcode == tessera_isa_pkg::OpConv) ? conv_ready : !conv_busy);
  assign take        = cmd_valid_i && cmd_ready_o;
  assign conv_start  = take && (opcode == tessera_isa_pkg::OpConv);
  assign pool_start  = take && (opcode == tessera_isa_pkg::OpPool);
  assign add_start   = take && (opcode == tessera_isa_pkg::OpAdd);
  // The dispatcher sends only CONV, POOL and ADD here; anything else completes without effect
  // rather than hanging the queue.
  assign bad_start   = take && !conv_start && !pool_start && !add_start;

  assign cmd_accept_o = conv_accept || pool_done || add_done || bad_q;
  assign cmd_done_o   = conv_done || pool_done || add_done || bad_q;

  always_comb begin
    active_d = active_q;
    if (take) active_d = 1'b1;
    if (cmd_accept_o) active_d = 1'b0;
    if (flush_i) active_d = 1'b0;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      bad_q    <= 1'b0;
    end else begin
      active_q <= active_d;
      bad_q    <= bad_start && !flush_i;
    end
  end

  // ---------------------------------------------------------------------------------------------
  logic                   conv_abuf_en, pool_abuf_en, add_abuf_en;
  logic [AbufAw-1:0]      conv_abuf_addr, pool_abuf_addr, add_abuf_addr;
  logic                   conv_obuf_en, pool_obuf_en, add_obuf_en;
  logic [ObufAw-1:0]      conv_obuf_addr, pool_obuf_addr, add_obuf_addr;
  logic [8*ArrayDim-1:0]  conv_obuf_data, pool_obuf_data, add_obuf_data;

  tessera_conv_unit #(
    .ArrayDim  (ArrayDim),
    .AbufWords (AbufWords),
    .WbufWords (WbufWords),
    .AccWords  (AccWords),
    .ObufWords (ObufWords),
    .PbufWords (PbufWords)
  ) u_conv (
    .clk_i             (clk_i),
    .rst_ni            (rst_ni),
    .start_i           (conv_start),
    .cmd_i             (cmd_i),
    .flush_i           (flush_i),
    .ready_o           (conv_ready),
    .busy_o            (conv_busy),
    .accept_o          (conv_accept),
    .done_o            (conv_done),
    .abuf_rd_en_o      (conv_abuf_en),
    .abuf_rd_addr_o    (conv_abuf_addr),
    .abuf_rd_data_i    (abuf_rd_data_i),
    .wbuf_rd_en_o      (wbuf_rd_en_o),
    .wbuf_rd_addr_o    (wbuf_rd_addr_o),
    .wbuf_rd_data_i    (wbuf_rd_data_i),
    .pbuf_rd_en_o      (pbuf_rd_en_o),
    .pbuf_rd_addr_o    (pbuf_rd_addr_o),
    .pbuf_rd_data_i    (pbuf_rd_data_i),
    .obuf_wr_en_o      (conv_obuf_en),
    .obuf_wr_addr_o    (conv_obuf_addr),
    .obuf_wr_data_o    (conv_obuf_data),
    .acc_ext_rd_req_i  (acc_ext_rd_req_i),
    .acc_ext_rd_addr_i (acc_ext_rd_addr_i),
    .acc_ext_rd_gnt_o  (acc_ext_rd_gnt_o),
    .acc_ext_rd_data_o (acc_ext_rd_data_o),
    .mac_active_o      (mac_active_o)
  );

  tessera_pool_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw)
  ) u_pool (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (pool_start),
    .cmd_i          (cmd_i),
    .flush_i        (flush_i),
    .busy_o         (pool_busy),
    .done_o         (pool_done),
    .abuf_rd_en_o   (pool_abuf_en),
    .abuf_rd_addr_o (pool_abuf_addr),
    .abuf_rd_data_i (abuf_rd_data_i),
    .obuf_wr_en_o   (pool_obuf_en),
    .obuf_wr_addr_o (pool_obuf_addr),
    .obuf_wr_data_o (pool_obuf_data)
  );

  tessera_add_unit #(
    .ArrayDim (ArrayDim),
    .AbufAw   (AbufAw),
    .ObufAw   (ObufAw)
  ) u_add (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .start_i        (add_start),
    .cmd_i          (cmd_i),
    .flush_i        (flush_i),
    .busy_o         (add_busy),
    .done_o         (add_done),
    .abuf_rd_en_o   (add_abuf_en),
    .abuf_rd_addr_o (add_abuf_addr),
    .abuf_rd_data_i (abuf_rd_data_i),
    .obuf_wr_en_o   (add_obuf_en),
    .obuf_wr_addr_o (add_obuf_addr),
    .obuf_wr_data_o (add_obuf_data)
  );

  // Port selection by enable: at most one sub-unit runs, and an idle one drives no enable.
  always_comb begin
    abuf_rd_en_o   = conv_abuf_en || pool_abuf_en || add_abuf_en;
    abuf_rd_addr_o = pool_abuf_en ? pool_abuf_addr : add_abuf_en ? add_abuf_addr : conv_abuf_addr;
    obuf_wr_en_o   = conv_obuf_en || pool_obuf_en || add_obuf_en;
    obuf_wr_addr_o = pool_obuf_en ? pool_obuf_addr : add_obuf_en ? add_obuf_addr : conv_obuf_addr;
    obuf_wr_data_o = pool_obuf_en ? pool_obuf_data : add_obuf_en ? add_obuf_data : conv_obuf_data;
  end

  // busy_o of POOL and ADD is implied by active_q (each holds busy until its done pulse).
  logic unused_busy;
  assign unused_busy = pool_busy ^ add_busy;

`ifndef SYNTHESIS
  // Only one sub-unit may drive a port in a cycle.
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (32'(conv_abuf_en) + 32'(pool_abuf_en) + 32'(add_abuf_en) <= 1)
        else $error("tessera_compute_unit: two sub-units read ABUF in one cycle");
      assert (32'(conv_obuf_en) + 32'(pool_obuf_en) + 32'(add_obuf_en) <= 1)
        else $error("tessera_compute_unit: two sub-units write OBUF in one cycle");
    end
  end
`endif

endmodule
