// Splits one contiguous byte range into AXI4 INCR bursts of full-width beats: at most 256 beats,
// never crossing a 4 KB boundary. The range is widened to whole beats (the data paths use byte
// offsets on reads and wstrb on writes for the partial first and last beats).
module tessera_axi_burst #(
  parameter int unsigned DataW = 128,
  localparam int unsigned BeatL = $clog2(DataW / 8)   // log2(bytes per beat)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        flush_i,
  input  logic        row_valid_i,
  output logic        row_ready_o,
  input  logic [31:0] row_addr_i,
  input  logic [23:0] row_bytes_i,   // >= 1
  output logic        burst_valid_o,
  input  logic        burst_ready_i,
  output logic [31:0] burst_addr_o,  // beat aligned
  output logic [7:0]  burst_len_o    // beats - 1
);

  localparam int unsigned BeatsPer4k = 4096 >> BeatL;

  logic [31:0] cur_d, cur_q;      // beat-aligned address of the next burst
  logic [24:0] left_d, left_q;    // beats still to request in this range
  logic [32:0] last_byte;
  logic [24:0] row_beats;
  logic [12:0] to_4k;
  logic [24:0] n_beats;
  logic        left_le_max, left_le_4k, to_4k_le_max;
  logic        fire, final_burst;

  // Beats of the incoming range: (last beat index) - (first beat index) + 1.
  assign last_byte = {1'b0, row_addr_i} + 33'(row_bytes_i) - 33'd1;
  assign row_beats = 25'((last_byte >> BeatL) - (33'(row_addr_i) >> BeatL) + 33'd1);

  // n_beats = min(left_q, 256, to_4k). The three compares run side by side (not chained through
  // a running minimum), and the final burst is the one where left_q is the minimum: this path
  // feeds row_ready_o and through it the row walker (an ECP5 critical path, 18.2 ns).
  assign to_4k        = 13'(BeatsPer4k) - 13'(cur_q[11:BeatL]);
  assign left_le_max  = left_q <= 25'd256;
  assign left_le_4k   = left_q <= 25'(to_4k);
  assign to_4k_le_max = to_4k <= 13'd256;
  assign final_burst  = left_le_max && left_le_4k;
  assign n_beats      = final_burst ? left_q : (to_4k_le_max ? 25'(to_4k) : 25'd256);

  assign burst_valid_o = (left_q != '0);
  assign burst_addr_o  = cur_q;
  assign burst_len_o   = 8'(n_beats - 25'd1);
  assign fire          = burst_valid_o && burst_ready_i;
  // A new range may follow in the cycle the previous one issues its final burst.
  assign row_ready_o   = !flush_i && (!burst_valid_o || (fire && final_burst));

  always_comb begin
    cur_d  = cur_q;
    left_d = left_q;
    if (flush_i) begin
      left_d = '0;
    end else begin
      if (fire) begin
        cur_d  = cur_q + (32'(n_beats) << BeatL);
        left_d = left_q - n_beats;
      end
      if (row_valid_i && row_ready_o) begin
        cur_d  = {row_addr_i[31:BeatL], {BeatL{1'b0}}};
        left_d = row_beats;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      cur_q  <= '0;
      left_q <= '0;
    end else begin
      cur_q  <= cur_d;
      left_q <= left_d;
    end
  end

endmodule
