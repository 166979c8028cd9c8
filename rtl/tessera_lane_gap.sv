// Spacing of a sub-unit's uses of the compute unit's shared output lanes (tessera_compute_unit
// OutLanes < ArrayDim): free_o is 1 once Gap cycles have passed since the last take_i, so the
// next use may go ahead; with Gap = 1 it is always 1 and no register is built.
module tessera_lane_gap #(
  parameter int unsigned Gap = 1
) (
  input  logic clk_i,
  input  logic rst_ni,
  input  logic flush_i,
  input  logic take_i,   // a use of the lanes starts this cycle
  output logic free_o
);

  if (Gap > 1) begin : g_count
    localparam int unsigned W = $clog2(Gap);
    logic [W-1:0] wait_q;   // cycles still to wait
    always_ff @(posedge clk_i) begin
      if (!rst_ni || flush_i) begin
        wait_q <= '0;
      end else if (take_i) begin
        wait_q <= W'(Gap - 1);
      end else if (wait_q != '0) begin
        wait_q <= wait_q - W'(1);
      end
    end
    assign free_o = (wait_q == '0);
  end else begin : g_always
    assign free_o = 1'b1;
    logic unused;
    assign unused = ^{clk_i, rst_ni, flush_i, take_i};
  end

endmodule
