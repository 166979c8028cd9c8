// The four 8-bit dependency-token counters of docs/isa.md (index: 0 load->compute,
// 1 compute->load, 2 compute->store, 3 store->compute). Each counter has one popping and one
// pushing unit; the issue controllers pop only counters that are non-zero. A push onto a counter
// holding 255 is reported (full_o) by the dispatcher as TOKEN_OVERFLOW and does not wrap.
module tessera_tokens (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       clear_i,    // START
  input  logic [3:0] pop_i,
  input  logic [3:0] push_i,
  output logic [3:0] avail_o,    // counter non-zero
  output logic [3:0] full_o      // counter holds 255
);

  logic [7:0] cnt_d [4];
  logic [7:0] cnt_q [4];

  for (genvar i = 0; i < 4; i++) begin : g_cnt
    assign avail_o[i] = (cnt_q[i] != 8'd0);
    assign full_o[i]  = (cnt_q[i] == 8'hff);

    // A push and a pop in the same cycle cancel; otherwise one adder adds +1 or -1 (a chained
    // increment and decrement put two carry chains behind the units' done logic, the ECP5
    // critical path).
    logic inc, dec;
    assign inc = push_i[i] && !full_o[i];
    assign dec = pop_i[i] && avail_o[i];
    always_comb begin
      cnt_d[i] = cnt_q[i];
      if (clear_i)         cnt_d[i] = 8'd0;
      else if (inc != dec) cnt_d[i] = cnt_q[i] + (dec ? 8'hff : 8'h01);
    end

    always_ff @(posedge clk_i) begin
      if (!rst_ni) cnt_q[i] <= 8'd0;
      else         cnt_q[i] <= cnt_d[i];
    end
  end

endmodule
