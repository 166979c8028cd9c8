// Performance counters (docs/isa_reference.md): eleven 64-bit counters cleared by START, read
// through one combinational port so no wide bus leaves the module.
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

  always_comb begin
    for (int i = 0; i < N; i++) inc[i] = 8'd0;
    inc[tessera_isa_pkg::CtrCycles]      = {7'd0, busy_i};
    inc[tessera_isa_pkg::CtrMacActive]   = {7'd0, mac_i};
    inc[tessera_isa_pkg::CtrDmaRdBytes]  = rd_bytes_i;
    inc[tessera_isa_pkg::CtrDmaWrBytes]  = wr_bytes_i;
    inc[tessera_isa_pkg::CtrLoadBusy]    = {7'd0, unit_busy_i[0]};
    inc[tessera_isa_pkg::CtrLoadWait]    = {7'd0, unit_wait_i[0]};
    inc[tessera_isa_pkg::CtrComputeBusy] = {7'd0, unit_busy_i[1]};
    inc[tessera_isa_pkg::CtrComputeWait] = {7'd0, unit_wait_i[1]};
    inc[tessera_isa_pkg::CtrStoreBusy]   = {7'd0, unit_busy_i[2]};
    inc[tessera_isa_pkg::CtrStoreWait]   = {7'd0, unit_wait_i[2]};
    inc[tessera_isa_pkg::CtrCmdsRetired] = {5'd0, retired_i};
  end

  for (genvar i = 0; i < N; i++) begin : g_ctr
    always_ff @(posedge clk_i) begin
      if (!rst_ni || clear_i) ctr_q[i] <= '0;
      else if (inc[i] != 8'd0) ctr_q[i] <= ctr_q[i] + {56'd0, inc[i]};
    end
  end

  assign rd_value_o = (32'(rd_idx_i) < N) ? ctr_q[rd_idx_i] : 64'd0;

endmodule
