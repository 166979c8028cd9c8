// Command fetch: reads commands 0 .. CMD_COUNT-1 (32 bytes each) from CMD_BASE through the read
// engine, one burst per command, up to Depth commands ahead of the dispatcher. Buffer space is
// reserved when a read is issued, so returning beats are always accepted.
// Faults are delivered in order with the command they belong to (ERR_INFO = its index): a command
// whose fetch lies outside the window is not read; once all earlier reads are back an entry
// carrying ADDR_WINDOW takes its place and fetching stops. A read error marks its entry AXI_RESP.
// A command stream that ends in FINISH before such an entry is reached never reports it.
module tessera_fetch #(
  parameter int unsigned DataW = 128,
  parameter int unsigned Depth = 8
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         start_i,      // begin fetching (cmd_base, cmd_count sampled now)
  input  logic         stop_i,       // stop issuing, discard data and buffered commands
  input  logic [31:0]  cmd_base_i,
  input  logic [31:0]  cmd_count_i,
  input  logic [31:0]  win_base_i,
  input  logic [32:0]  win_end_i,    // win_base + win_size
                                     // (the window is sampled the cycle after start_i)
  // bursts to the read engine
  output logic         br_valid_o,
  input  logic         br_ready_i,
  output logic [31:0]  br_addr_o,
  output logic [7:0]   br_len_o,
  // R beats from the read engine
  input  logic         r_valid_i,
  output logic         r_ready_o,
  input  logic [DataW-1:0] r_data_i,
  input  logic         r_err_i,
  // commands to the dispatcher, in order
  output logic         cmd_valid_o,
  input  logic         cmd_ready_i,
  output logic [255:0] cmd_o,
  output logic [3:0]   cmd_err_o,    // ErrNone, ErrAxiResp or ErrAddrWindow
  output logic         busy_o        // reads in flight
);

  localparam int unsigned BeatB    = DataW / 8;
  localparam int unsigned BeatL    = $clog2(BeatB);
  localparam int unsigned CmdBeats = (BeatB >= 32) ? 1 : 32 / BeatB;
  localparam int unsigned Cw       = $clog2(Depth + 1);
  localparam int unsigned Bw       = $clog2(CmdBeats + 1);

  localparam logic [3:0] ErrNoneW       = 4'(tessera_isa_pkg::ErrNone);
  localparam logic [3:0] ErrAxiRespW    = 4'(tessera_isa_pkg::ErrAxiResp);
  localparam logic [3:0] ErrAddrWindowW = 4'(tessera_isa_pkg::ErrAddrWindow);


  logic          active_d, active_q;
  logic          chk_d, chk_q;                 // this cycle checks the window: nothing issues
  logic          win_fault_d, win_fault_q;     // the next command lies outside the window
  logic          win_sent_d, win_sent_q;
  logic [31:0]   left_d, left_q;               // commands still to issue
  logic [39:0]   iss_addr_d, iss_addr_q;       // byte address of the next command to issue
  logic [32:0]   first_end_q;                  // cmd_base + 32: the first command's end
  logic [40:0]   next_end_d, next_end_q;       // end of the command after the next one
  logic [32:0]   lim_m32_q;                    // the window's end (at most 2^32) minus 32, >= 0
  logic          ok_d, ok_q;                   // the next command lies inside the window
  logic          okn_d, okn_q;                 // ... and so does the one after it
  logic [31:0]   rx_addr_d, rx_addr_q;         // byte address of the command being received
  logic [Cw-1:0] infl_d, infl_q;               // issued, not yet received
  logic [Bw-1:0] rx_beat_d, rx_beat_q;
  logic          rx_err_d, rx_err_q;
  logic [32:0]   win_lim;
  logic          can_issue, br_fire, rx_fire, rx_done;
  logic [255:0]  rx_cmd;
  logic          fifo_push, fifo_ready;
  logic [259:0]  fifo_in, fifo_out;
  logic [Cw-1:0] fifo_cnt;
  logic          pop;
  logic [Cw:0]   used_d, used_q;   // fifo_cnt + infl_q
  logic          room_d, room_q;   // used_q < Depth

  // R beats are registered on arrival (r_ready_o is constant, so nothing flows back): command
  // assembly, the window-fault entry and the FIFO write start from flip-flops. The read engine's
  // tag FIFO head -> beat routing -> FIFO write data was the ECP5 ArrayDim 4 critical path
  // (14.5 ns, docs/fpga.md fix 36). A beat still in this register keeps its read in flight
  // (infl_q), so busy_o covers it.
  logic             rb_valid_q, rb_err_q;
  logic [DataW-1:0] rb_data_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) rb_valid_q <= 1'b0;
    else         rb_valid_q <= r_valid_i;
  end

  always_ff @(posedge clk_i) begin
    rb_data_q <= r_data_i;
    rb_err_q  <= r_err_i;
  end

  // The window check is registered: ok_q says whether the next command fits, okn_q whether the
  // one after it does. Addresses only grow within a run, so the lower bound matters for the first
  // command only, and an issue moves okn_q into ok_q while okn_q compares the command two ahead
  // against the window's end minus 32. The compares thus start and end at flip-flops; evaluated
  // live in front of the read request, the window compare -> read request -> reads in flight ->
  // room_q was the ECP5 ArrayDim 4 critical path (13.7 ns at speed 6, docs/fpga.md fix 45). The
  // check costs one cycle per run, right after start_i, when the dispatcher's copy of the window
  // registers has just been loaded.
  assign win_lim   = win_end_i[32] ? 33'h1_0000_0000 : win_end_i;
  assign can_issue = active_q && !chk_q && !stop_i && (left_q != '0) && !win_fault_q && room_q;

  always_ff @(posedge clk_i) begin
    if (start_i) first_end_q <= {1'b0, cmd_base_i} + 33'd32;
    if (chk_q)   lim_m32_q   <= (win_lim < 33'd32) ? '0 : win_lim - 33'd32;
  end

  assign br_valid_o = can_issue && ok_q;
  assign br_addr_o  = {iss_addr_q[31:BeatL], {BeatL{1'b0}}};
  assign br_len_o   = 8'(CmdBeats - 1);
  assign br_fire    = br_valid_o && br_ready_i;

  // Beats are always accepted: space was reserved at issue time, or they are being discarded.
  assign r_ready_o = 1'b1;
  assign rx_fire   = rb_valid_q;
  assign rx_done   = rx_fire && (rx_beat_q == Bw'(CmdBeats - 1));

  // Command assembly: several beats per command, one beat, or a slot of a wide beat.
  if (BeatB < 32) begin : g_multi_beat
    // Earlier beats of the command, shifted down as each new beat arrives on top.
    logic [255-DataW:0] asm_q;
    assign rx_cmd = {rb_data_q, asm_q};
    always_ff @(posedge clk_i) begin
      if (rx_fire) asm_q <= rx_cmd[255:DataW];
    end
  end else if (BeatB == 32) begin : g_one_beat
    assign rx_cmd = rb_data_q;
  end else begin : g_slot
    logic [BeatL-6:0] slot;
    assign slot   = rx_addr_q[BeatL-1:5];
    assign rx_cmd = rb_data_q[slot*256 +: 256];
  end

  always_comb begin
    active_d    = active_q;
    chk_d       = 1'b0;
    ok_d        = ok_q;
    okn_d       = okn_q;
    win_fault_d = win_fault_q;
    win_sent_d  = win_sent_q;
    left_d      = left_q;
    iss_addr_d  = iss_addr_q;
    next_end_d  = next_end_q;
    rx_addr_d   = rx_addr_q;
    infl_d      = infl_q;
    rx_beat_d   = rx_beat_q;
    rx_err_d    = rx_err_q;
    if (start_i) begin
      active_d    = 1'b1;
      chk_d       = 1'b1;
      ok_d        = 1'b0;
      okn_d       = 1'b0;
      win_fault_d = 1'b0;
      win_sent_d  = 1'b0;
      left_d      = cmd_count_i;
      iss_addr_d  = {8'd0, cmd_base_i};
      next_end_d  = {9'd0, cmd_base_i} + 41'd64;
      rx_addr_d   = cmd_base_i;
      rx_beat_d   = '0;
      rx_err_d    = 1'b0;
    end else begin
      if (stop_i) active_d = 1'b0;
      if (chk_q) begin
        ok_d  = ({1'b0, win_base_i} <= {1'b0, iss_addr_q[31:0]}) && (first_end_q <= win_lim);
        okn_d = ok_d && (next_end_q <= {8'd0, win_lim});
      end
      if (br_fire) begin
        left_d     = left_q - 32'd1;
        iss_addr_d = iss_addr_q + 40'd32;
        next_end_d = next_end_q + 41'd32;
        ok_d       = okn_q;
        okn_d      = (next_end_q <= {8'd0, lim_m32_q});
      end else if (can_issue && !ok_q) begin
        win_fault_d = 1'b1;
      end
      if (rx_fire) begin
        rx_beat_d = rx_done ? '0 : rx_beat_q + Bw'(1);
        rx_err_d  = rx_done ? 1'b0 : (rx_err_q || rb_err_q);
        if (rx_done) rx_addr_d = rx_addr_q + 32'd32;
      end
      if (fifo_push && !rx_done) win_sent_d = 1'b1;
    end
    if (br_fire && !rx_done)      infl_d = infl_q + Cw'(1);
    else if (!br_fire && rx_done) infl_d = infl_q - Cw'(1);
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q    <= 1'b0;
      chk_q       <= 1'b0;
      ok_q        <= 1'b0;
      okn_q       <= 1'b0;
      win_fault_q <= 1'b0;
      win_sent_q  <= 1'b0;
      left_q      <= '0;
      iss_addr_q  <= '0;
      next_end_q  <= '0;
      rx_addr_q   <= '0;
      infl_q      <= '0;
      rx_beat_q   <= '0;
      rx_err_q    <= 1'b0;
    end else begin
      active_q    <= active_d;
      chk_q       <= chk_d;
      ok_q        <= ok_d;
      okn_q       <= okn_d;
      win_fault_q <= win_fault_d;
      win_sent_q  <= win_sent_d;
      left_q      <= left_d;
      iss_addr_q  <= iss_addr_d;
      next_end_q  <= next_end_d;
      rx_addr_q   <= rx_addr_d;
      infl_q      <= infl_d;
      rx_beat_q   <= rx_beat_d;
      rx_err_q    <= rx_err_d;
    end
  end

  // Received commands, then (once every earlier read is back) the window-fault marker.
  always_comb begin
    fifo_push = 1'b0;
    fifo_in   = {ErrNoneW, rx_cmd};
    if (active_q && !stop_i) begin
      if (rx_done) begin
        fifo_push = 1'b1;
        fifo_in   = {(rx_err_q || rb_err_q) ? ErrAxiRespW : ErrNoneW, rx_cmd};
      end else if (win_fault_q && !win_sent_q && (infl_q == '0) && fifo_ready) begin
        fifo_push = 1'b1;
        fifo_in   = {ErrAddrWindowW, 256'd0};
      end
    end
  end

  // Room for one more read (buffered commands plus reads in flight below Depth) as a register,
  // from a register of that sum: the add and compare ran in front of the read request, through
  // the read engine's arbitration into the load unit's burst splitter (the ECP5 critical path
  // after fix 36, 12.6 ns; docs/fpga.md fix 42), and then behind the read request and the
  // dispatcher's take (11.8 ns, fix 53). A received command moves from in flight to buffered,
  // so the sum changes only with an issue (+1), a take (-1), a window-fault entry (+1), a beat
  // discarded after a stop (-1) and a clear (the FIFO empties; the reads in flight stay). Every
  // candidate is added and compared from registers, and the late signals (issue, take, clear)
  // only select among them.
  logic [Cw:0] used_rx, infl_rx;   // used_q and infl_q after this cycle's receive, before issue/take
  logic        push_nc;             // the FIFO takes an entry, if this cycle does not clear it

  assign pop     = cmd_valid_o && cmd_ready_i;
  assign push_nc = active_q && fifo_ready &&
                   (rx_done || (win_fault_q && !win_sent_q && (infl_q == '0)));
  assign used_rx = used_q + (Cw + 1)'(push_nc) - (Cw + 1)'(rx_done);
  assign infl_rx = {1'b0, infl_q} - (Cw + 1)'(rx_done);

  always_comb begin
    if (start_i || stop_i) begin
      used_d = br_fire ? infl_rx + (Cw + 1)'(1) : infl_rx;
      room_d = br_fire ? (infl_rx < (Cw + 1)'(Depth - 1)) : (infl_rx < (Cw + 1)'(Depth));
    end else if (br_fire == pop) begin
      used_d = used_rx;
      room_d = (used_rx < (Cw + 1)'(Depth));
    end else if (br_fire) begin
      used_d = used_rx + (Cw + 1)'(1);
      room_d = (used_rx < (Cw + 1)'(Depth - 1));
    end else begin
      used_d = used_rx - (Cw + 1)'(1);
      room_d = (used_rx <= (Cw + 1)'(Depth));
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      used_q <= '0;
      room_q <= 1'b1;
    end else begin
      used_q <= used_d;
      room_q <= room_d;
    end
  end

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni) begin
      assert (32'(used_q) == 32'(fifo_cnt) + 32'(infl_q))
        else $error("tessera_fetch: used_q does not match the FIFO count and reads in flight");
      assert (room_q == ((32'(fifo_cnt) + 32'(infl_q)) < Depth))
        else $error("tessera_fetch: room_q does not match the FIFO count and reads in flight");
    end
  end
`endif

  tessera_fifo #(
    .Width (260),
    .Depth (Depth)
  ) u_buf (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (start_i || stop_i),
    .in_valid_i  (fifo_push),
    .in_ready_o  (fifo_ready),
    .in_data_i   (fifo_in),
    .out_valid_o (cmd_valid_o),
    .out_ready_i (cmd_ready_i),
    .out_data_o  (fifo_out),
    .count_o     (fifo_cnt)
  );

  assign cmd_o     = fifo_out[255:0];
  assign cmd_err_o = fifo_out[259:256];
  assign busy_o    = (infl_q != '0);

endmodule
