// Issue controller between one command queue and its unit: takes the queue head, waits for the
// tokens its pop flags ask for, pops them, hands the command to the unit, and on the unit's done
// pulse pushes the tokens its push flags give and retires the command from the queue. The command
// stays at the queue head until then, so the unit may read cmd_i for the whole command.
module tessera_dispatch_issue (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       flush_i,
  input  logic       q_valid_i,     // queue head present
  input  logic [3:0] q_flags_i,     // {push_next, push_prev, pop_next, pop_prev}
  output logic       q_pop_o,       // retire the head
  input  logic       prev_avail_i,  // token from the previous stage available
  input  logic       next_avail_i,
  output logic       pop_prev_o,    // consume tokens (pulse)
  output logic       pop_next_o,
  output logic       push_prev_o,   // give tokens (pulse, with done)
  output logic       push_next_o,
  output logic       unit_valid_o,
  input  logic       unit_ready_i,
  input  logic       unit_done_i,
  output logic       exec_o,        // the unit holds or executes the head command
  output logic       wait_o         // the head command waits for a token
);

  typedef enum logic [1:0] {
    StIdle,
    StIssue,
    StRun
  } state_e;

  state_e state_d, state_q;
  logic   tokens_ok, take, done;

  assign tokens_ok = (!q_flags_i[0] || prev_avail_i) && (!q_flags_i[1] || next_avail_i);
  assign take      = (state_q == StIdle) && q_valid_i && tokens_ok && !flush_i;
  // done may come with the handshake for a unit that finishes at once.
  assign done      = ((state_q == StRun) || ((state_q == StIssue) && unit_ready_i)) &&
                     unit_done_i && !flush_i;

  assign pop_prev_o   = take && q_flags_i[0];
  assign pop_next_o   = take && q_flags_i[1];
  assign push_prev_o  = done && q_flags_i[2];
  assign push_next_o  = done && q_flags_i[3];
  assign q_pop_o      = done;
  assign unit_valid_o = (state_q == StIssue) && !flush_i;
  assign exec_o       = (state_q != StIdle);
  assign wait_o       = (state_q == StIdle) && q_valid_i && !tokens_ok;

  always_comb begin
    state_d = state_q;
    unique case (state_q)
      StIdle:  if (take) state_d = StIssue;
      StIssue: if (unit_ready_i) state_d = done ? StIdle : StRun;
      StRun:   if (done) state_d = StIdle;
      default: state_d = StIdle;
    endcase
    if (flush_i) state_d = StIdle;
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) state_q <= StIdle;
    else         state_q <= state_d;
  end

endmodule
