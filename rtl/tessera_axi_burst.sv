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

  // Two register stages, each one carry chain deep from flip-flops (the combined walker -> burst
  // size -> next address path, through the AXI arbitration into the row walkers, was 13.7 ns on
  // the ECP5): the range stage takes a range and registers its first beat, its beat count and
  // its distance to the next 4 KB boundary; the burst stage sizes a burst from those and offers
  // it. A one-burst range moves on in the cycle the previous range's final burst is taken, so
  // one-beat rows still go at one per cycle; a range of several bursts spends one sizing cycle
  // after each burst but its last.
  logic        r_valid_q;         // range stage
  logic [31:0] r_addr_q;          // beat aligned
  logic [24:0] r_beats_q;
  logic [12:0] r_to4k_q;
  logic [31:0] cur_d, cur_q;      // burst stage: beat-aligned address of the next burst
  logic [24:0] left_d, left_q;    // beats still to request in this range
  logic [12:0] to4k_d, to4k_q;    // beats from cur_q to the next 4 KB boundary, 1..BeatsPer4k
  logic [8:0]  n_q;               // beats of the offered burst, 1..256
  logic [7:0]  len_q;             // ... minus 1 (AxLEN), formed while sizing: no decrement on the
                                  // way to the AR / AW FIFO
  logic        cut4k_q;           // the offered burst, unless final, ends at a 4 KB boundary
  logic        final_q;           // the offered burst is the range's last
  logic        size_d, size_q;    // cur/left/to4k hold the rest of a range, to be sized
  logic        valid_d, valid_q;  // a sized burst is offered
  logic        fire, move, sized;
  logic [24:0] s_left;
  logic [12:0] s_to4k;
  logic        s_final, s_cut4k;
  logic [8:0]  s_n;
  logic [7:0]  s_len;

  assign fire  = valid_q && burst_ready_i;
  assign move  = r_valid_q && !size_q && (!valid_q || (fire && final_q));
  assign sized = size_q || move;

  // Size a burst: n = min(left, 256, to4k), the three compares side by side; the range comes
  // from the burst stage's own registers (rest of a range) or from the range stage.
  assign s_left  = size_q ? left_q : r_beats_q;
  assign s_to4k  = size_q ? to4k_q : r_to4k_q;
  assign s_final = (s_left <= 25'd256) && (s_left <= 25'(s_to4k));
  assign s_cut4k = (s_to4k <= 13'd256);
  assign s_n     = s_final ? 9'(s_left) : (s_cut4k ? 9'(s_to4k) : 9'd256);
  assign s_len   = s_final ? 8'(s_left - 25'd1) : (s_cut4k ? 8'(s_to4k - 13'd1) : 8'd255);

  assign row_ready_o   = !flush_i && (!r_valid_q || move);
  assign burst_valid_o = valid_q;
  assign burst_addr_o  = cur_q;
  assign burst_len_o   = len_q;

  always_comb begin
    cur_d   = cur_q;
    left_d  = left_q;
    to4k_d  = to4k_q;
    size_d  = 1'b0;
    valid_d = valid_q;
    if (fire) begin
      cur_d   = cur_q + (32'(n_q) << BeatL);
      left_d  = left_q - 25'(n_q);
      to4k_d  = cut4k_q ? 13'(BeatsPer4k) : to4k_q - 13'd256;
      valid_d = 1'b0;
      size_d  = !final_q;
    end
    if (move) begin
      cur_d  = r_addr_q;
      left_d = r_beats_q;
      to4k_d = r_to4k_q;
    end
    if (sized) valid_d = 1'b1;
    if (flush_i) begin
      size_d  = 1'b0;
      valid_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      r_valid_q <= 1'b0;
      size_q    <= 1'b0;
      valid_q   <= 1'b0;
    end else begin
      r_valid_q <= !flush_i && (row_valid_i && row_ready_o || (r_valid_q && !move));
      size_q    <= size_d;
      valid_q   <= valid_d;
    end
  end

  // Qualified by the valid bits: no reset. The range's beats are
  // ceil((byte offset in the first beat + bytes) / beat bytes).
  always_ff @(posedge clk_i) begin
    if (row_valid_i && row_ready_o) begin
      r_addr_q  <= {row_addr_i[31:BeatL], {BeatL{1'b0}}};
      r_beats_q <= 25'(({1'b0, row_bytes_i} + 25'(row_addr_i[BeatL-1:0]) +
                        25'((1 << BeatL) - 1)) >> BeatL);
      r_to4k_q  <= 13'(BeatsPer4k) - 13'(row_addr_i[11:BeatL]);
    end
    cur_q  <= cur_d;
    left_q <= left_d;
    to4k_q <= to4k_d;
    if (sized) begin
      n_q     <= s_n;
      len_q   <= s_len;
      cut4k_q <= s_cut4k;
      final_q <= s_final;
    end
  end

endmodule
