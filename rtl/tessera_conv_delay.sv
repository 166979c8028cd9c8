// Fixed delay line of Depth register stages (Depth = 0: a wire). Used for the row skew of the
// activations and the column deskew of the requantized outputs, whose depths differ per lane.
// The stages have no reset: the callers only use data whose valid bit travels through a reset
// control pipeline.
module tessera_conv_delay #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 1
) (
  input  logic             clk_i,
  input  logic [Width-1:0] d_i,
  output logic [Width-1:0] q_o
);

  if (Depth == 0) begin : g_wire
    assign q_o = d_i;
    logic unused_clk;  // the wire form has no register
    assign unused_clk = clk_i;
  end else begin : g_regs
    logic [Width-1:0] stage_q [Depth];
    always_ff @(posedge clk_i) begin
      stage_q[0] <= d_i;
      for (int unsigned i = 1; i < Depth; i++) begin
        stage_q[i] <= stage_q[i-1];
      end
    end
    assign q_o = stage_q[Depth-1];
  end

endmodule
