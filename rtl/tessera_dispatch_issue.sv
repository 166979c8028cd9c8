// Issue controller between one command queue and its unit: takes the queue head, waits for the
// tokens its pop flags ask for, pops them and hands the command to the unit. The command stays at
// the queue head until the unit accepts it (unit_accept_i: it has taken everything it needs from
// cmd_i and may be handed the next one); its push flags are given when the unit signals done.
// A unit may accept a command before it is done (CONV: once its last pixel entered the array,
// while the array drains), so one accepted command may still be pending when the next is issued;
// the unit accepts a command only once no other is pending, and done pulses come in order. Units
// that finish at once signal accept and done together.
module tessera_dispatch_issue (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        flush_i,
  input  logic        q_valid_i,     // queue head present
  input  logic [3:0]  q_flags_i,     // {push_next, push_prev, pop_next, pop_prev}
  input  logic [31:0] q_index_i,     // command index of the queue head
  output logic        q_pop_o,       // remove the head from the queue
  input  logic        prev_avail_i,  // token from the previous stage available
  input  logic        next_avail_i,
  output logic        pop_prev_o,    // consume tokens (pulse)
  output logic        pop_next_o,
  output logic        push_prev_o,   // give tokens (pulse, with done)
  output logic        push_next_o,
  output logic [31:0] push_index_o,  // index of the command the pushes belong to
  output logic        retire_o,      // a command completed (pulse)
  output logic        unit_valid_o,
  input  logic        unit_ready_i,
  input  logic        unit_accept_i,
  input  logic        unit_done_i,
  output logic        exec_o,        // the unit holds or executes a command of this queue
  output logic        wait_o         // the head command waits for a token
);

  typedef enum logic [1:0] {
    StIdle,
    StIssue,
    StRun
  } state_e;

  state_e      state_d, state_q;
  logic        tokens_ok, take, held, accept, done, done_pend, done_cur;
  logic        pend_d, pend_q;        // an accepted command waits for its done
  logic [1:0]  pend_push_q;           // its {push_next, push_prev}
  logic [31:0] pend_index_q;

  assign tokens_ok = (!q_flags_i[0] || prev_avail_i) && (!q_flags_i[1] || next_avail_i);
  assign take      = (state_q == StIdle) && q_valid_i && tokens_ok && !flush_i;
  // The unit holds the head command; accept and done may come with the handshake.
  assign held      = (state_q == StRun) || ((state_q == StIssue) && unit_ready_i);
  assign accept    = held && unit_accept_i && !flush_i;
  assign done      = unit_done_i && !flush_i;
  assign done_pend = done && pend_q;
  assign done_cur  = done && !pend_q && accept;

  assign pop_prev_o   = take && q_flags_i[0];
  assign pop_next_o   = take && q_flags_i[1];
  assign push_prev_o  = done_pend ? pend_push_q[0] : done_cur && q_flags_i[2];
  assign push_next_o  = done_pend ? pend_push_q[1] : done_cur && q_flags_i[3];
  assign push_index_o = done_pend ? pend_index_q : q_index_i;
  assign retire_o     = done_pend || done_cur;
  assign q_pop_o      = accept;
  assign unit_valid_o = (state_q == StIssue) && !flush_i;
  assign exec_o       = (state_q != StIdle) || pend_q;
  assign wait_o       = (state_q == StIdle) && q_valid_i && !tokens_ok;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle:  if (take) state_d = StIssue;
      StIssue: if (unit_ready_i) state_d = accept ? StIdle : StRun;
      StRun:   if (accept) state_d = StIdle;
      default: state_d = StIdle;
    endcase
    pend_d = (pend_q && !done_pend) || (accept && !done_cur);
    if (flush_i) begin
      state_d = StIdle;
      pend_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q <= StIdle;
      pend_q  <= 1'b0;
    end else begin
      state_q <= state_d;
      pend_q  <= pend_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (accept && !done_cur) begin
      pend_push_q  <= q_flags_i[3:2];
      pend_index_q <= q_index_i;
    end
  end

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni && !flush_i) begin
      assert (!(accept && !done_cur && pend_q && !done_pend))
        else $error("tessera_dispatch_issue: a second command accepted while one is pending");
      assert (!(done && !pend_q && !accept))
        else $error("tessera_dispatch_issue: done without an accepted command");
    end
  end
`endif

endmodule
