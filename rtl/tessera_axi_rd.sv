// AXI4 read master shared by the command fetch (client 0) and the load unit (client 1).
// Clients hand in bursts (beat-aligned address, len); the engine issues them on AR, with the
// command fetch first (it is bounded by its prefetch buffer, so it cannot starve the load), and
// keeps the issuing client of every outstanding burst in order in a small tag FIFO: the master
// uses a single ID, so R beats return in AR order and the head tag routes them.
// Several outstanding bursts (MaxOutstanding) hide the memory latency. A client that is being
// flushed keeps its r_ready high and discards its beats, so an abandoned transfer drains.
module tessera_axi_rd #(
  parameter int unsigned AddrW          = 32,
  parameter int unsigned DataW          = 128,
  parameter int unsigned MaxOutstanding = 128
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // client bursts
  input  logic             c0_valid_i,
  output logic             c0_ready_o,
  input  logic [31:0]      c0_addr_i,
  input  logic [7:0]       c0_len_i,
  input  logic             c1_valid_i,
  output logic             c1_ready_o,
  input  logic [31:0]      c1_addr_i,
  input  logic [7:0]       c1_len_i,
  // R beats, routed to the client that issued the burst
  output logic             c0_r_valid_o,
  input  logic             c0_r_ready_i,
  output logic             c1_r_valid_o,
  input  logic             c1_r_ready_i,
  output logic [DataW-1:0] r_data_o,
  output logic             r_err_o,      // RRESP other than OKAY on this beat
  output logic             busy_o,       // an AR is pending or bursts are outstanding
  // AXI4 AR / R
  output logic [AddrW-1:0] m_axi_araddr,
  output logic [7:0]       m_axi_arlen,
  output logic [2:0]       m_axi_arsize,
  output logic [1:0]       m_axi_arburst,
  output logic             m_axi_arvalid,
  input  logic             m_axi_arready,
  input  logic [DataW-1:0] m_axi_rdata,
  input  logic [1:0]       m_axi_rresp,
  input  logic             m_axi_rlast,
  input  logic             m_axi_rvalid,
  output logic             m_axi_rready
);

  localparam int unsigned Cw = $clog2(MaxOutstanding + 1);
  localparam int unsigned RW = DataW + 2;   // {last, err, data}

  // Two-entry FIFOs on AR (out) and R (in) register the AXI side: the ready signals the engine
  // drives come from flops and nothing downstream depends combinationally on an AXI input,
  // which keeps the simulation cheap and the timing paths short, at full throughput.
  logic          load_ar, pick1, pick_valid, tag_space, tag_head, tag_valid, ar_space, ar_out_valid;
  logic [39:0]   ar_out;
  logic [Cw-1:0] tag_cnt;
  logic [1:0]    ar_cnt, r_cnt;
  logic          rq_valid, rq_ready, r_pop_last;
  logic [RW-1:0] rq_head;

  // Arbitration from a register: the fetch has priority once its request has been up for a
  // cycle (c0_valid_q), so the load unit's ready does not depend on the fetch's request logic in
  // the same cycle (fetch space check -> AR arbitration -> load burst splitter -> its row walker
  // was the ECP5 critical path, docs/fpga.md fix 43). A fetch request that just rose waits one
  // cycle if the load unit asks at the same time.
  logic c0_valid_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) c0_valid_q <= 1'b0;
    else         c0_valid_q <= c0_valid_i;
  end

  assign load_ar    = ar_space && tag_space;
  assign pick1      = c1_valid_i && !c0_valid_q;
  assign pick_valid = pick1 || c0_valid_i;   // the picked client has a request
  assign c0_ready_o = load_ar && !pick1;
  assign c1_ready_o = load_ar && pick1;

  tessera_fifo #(
    .Width (40),
    .Depth (2)
  ) u_ar (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (tag_space && pick_valid),
    .in_ready_o  (ar_space),
    .in_data_i   (pick1 ? {c1_len_i, c1_addr_i} : {c0_len_i, c0_addr_i}),
    .out_valid_o (ar_out_valid),
    .out_ready_i (m_axi_arready),
    .out_data_o  (ar_out),
    .count_o     (ar_cnt)
  );

  // Tags are pushed when a burst is committed (enters the AR FIFO) and popped on its last beat.
  // Both this FIFO and the R FIFO keep their heads in registers: the beat routing below then
  // starts from flip-flops (the tag FIFO's LUT-RAM read in front of it was on the ECP5 critical
  // path into both clients, docs/fpga.md fix 40).
  tessera_fifo #(
    .Width   (1),
    .Depth   (MaxOutstanding),
    .RegHead (1)
  ) u_tags (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (load_ar && pick_valid),
    .in_ready_o  (tag_space),
    .in_data_i   (pick1),
    .out_valid_o (tag_valid),
    .out_ready_i (r_pop_last),
    .out_data_o  (tag_head),
    .count_o     (tag_cnt)
  );

  tessera_fifo #(
    .Width   (RW),
    .Depth   (2),
    .RegHead (1)
  ) u_r (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (1'b0),
    .in_valid_i  (m_axi_rvalid),
    .in_ready_o  (m_axi_rready),
    .in_data_i   ({m_axi_rlast, (m_axi_rresp != 2'b00), m_axi_rdata}),
    .out_valid_o (rq_valid),
    .out_ready_i (rq_ready),
    .out_data_o  (rq_head),
    .count_o     (r_cnt)
  );

  assign m_axi_araddr  = AddrW'(ar_out[31:0]);
  assign m_axi_arlen   = ar_out[39:32];
  assign m_axi_arsize  = 3'($clog2(DataW / 8));
  assign m_axi_arburst = 2'b01;  // INCR
  assign m_axi_arvalid = ar_out_valid;

  // A beat with no tag cannot happen with a compliant slave; drop it so nothing hangs.
  assign rq_ready     = !tag_valid || (tag_head ? c1_r_ready_i : c0_r_ready_i);
  assign c0_r_valid_o = rq_valid && tag_valid && !tag_head;
  assign c1_r_valid_o = rq_valid && tag_valid && tag_head;
  assign r_data_o     = rq_head[DataW-1:0];
  assign r_err_o      = rq_head[DataW];
  assign r_pop_last   = rq_valid && rq_ready && rq_head[DataW+1] && tag_valid;
  assign busy_o       = ar_out_valid || tag_valid || rq_valid;

  logic unused_cnt;
  assign unused_cnt = ^{tag_cnt, ar_cnt, r_cnt};

endmodule
