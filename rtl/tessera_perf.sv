// Performance counters (docs/isa_reference.md): eleven 64-bit counters cleared by START, read
// through one combinational port so no wide bus leaves the module. The events are registered
// before they are added, so the units' control logic that produces them (a command's last
// cycle, a queue pop) and the 64-bit carry chains are separate register stages; a counter thus
// shows an event one cycle after it happened. Events of the START cycle are dropped, as the
// clear in that cycle dropped them before.
module tessera_perf (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        clear_i,       // START
  input  logic        busy_i,        // between START and DONE / ERROR
  input  logic        mac_i,         // an activation vector entered the PE array
  input  logic [7:0]  rd_bytes_i,    // LOAD element bytes written to SRAM this cycle
  input  logic [7:0]  wr_bytes_i,    // STORE element bytes packed into beats this cycle
  input  logic [2:0]  unit_busy_i,   // {store, compute, load} executing a command
  input  logic [2:0]  unit_wait_i,   // {store, compute, load} holding a command, waiting for a token
  input  logic [2:0]  retired_i,     // commands retired this cycle
  input  logic [3:0]  rd_idx_i,
  output logic [63:0] rd_value_o
);

  localparam int unsigned N = tessera_isa_pkg::NumCounters;

  logic [63:0] ctr_q [N];
  logic [7:0]  inc [N];
  logic        busy_q, mac_q;
  logic [7:0]  rd_bytes_q, wr_bytes_q;
  logic [2:0]  unit_busy_q, unit_wait_q, retired_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni || clear_i) begin
      busy_q      <= 1'b0;
      mac_q       <= 1'b0;
      rd_bytes_q  <= '0;
      wr_bytes_q  <= '0;
      unit_busy_q <= '0;
      unit_wait_q <= '0;
      retired_q   <= '0;
    end else begin
      busy_q      <= busy_i;
      mac_q       <= mac_i;
      rd_bytes_q  <= rd_bytes_i;
      wr_bytes_q  <= wr_bytes_i;
      unit_busy_q <= unit_busy_i;
      unit_wait_q <= unit_wait_i;
      retired_q   <= retired_i;
    end
  end

  always_comb begin
    for (int i = 0; i < N; i++) inc[i] = 8'd0;
    inc[tessera_isa_pkg::CtrCycles]      = {7'd0, busy_q};
    inc[tessera_isa_pkg::CtrMacActive]   = {7'd0, mac_q};
    inc[tessera_isa_pkg::CtrDmaRdBytes]  = rd_bytes_q;
    inc[tessera_isa_pkg::CtrDmaWrBytes]  = wr_bytes_q;
    inc[tessera_isa_pkg::CtrLoadBusy]    = {7'd0, unit_busy_q[0]};
    inc[tessera_isa_pkg::CtrLoadWait]    = {7'd0, unit_wait_q[0]};
    inc[tessera_isa_pkg::CtrComputeBusy] = {7'd0, unit_busy_q[1]};
    inc[tessera_isa_pkg::CtrComputeWait] = {7'd0, unit_wait_q[1]};
    inc[tessera_isa_pkg::CtrStoreBusy]   = {7'd0, unit_busy_q[2]};
    inc[tessera_isa_pkg::CtrStoreWait]   = {7'd0, unit_wait_q[2]};
    inc[tessera_isa_pkg::CtrCmdsRetired] = {5'd0, retired_q};
  end

  for (genvar i = 0; i < N; i++) begin : g_ctr
    always_ff @(posedge clk_i) begin
      if (!rst_ni || clear_i) ctr_q[i] <= '0;
      else if (inc[i] != 8'd0) ctr_q[i] <= ctr_q[i] + {56'd0, inc[i]};
    end
  end

  assign rd_value_o = (32'(rd_idx_i) < N) ? ctr_q[rd_idx_i] : 64'd0;

endmodule
