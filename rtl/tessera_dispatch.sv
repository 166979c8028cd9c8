// The dispatcher: takes fetched commands in order, applies the static checks, routes each command
// to the load, compute or store queue, executes FINISH, owns the dependency-token counters and the
// issue controllers, and turns every fault into a clean stop (docs/isa.md, Faults).
//
// Readings of docs/isa.md made here:
// - CMD_OVERRUN: once CMD_COUNT commands are dispatched without FINISH, the dispatcher waits like
//   FINISH for the queues to drain and then stops with CMD_OVERRUN (ERR_INFO = CMD_COUNT). That
//   keeps "stream exhausted" meaningful in the DEADLOCK rule: if the drain cannot finish because a
//   unit waits for a token, the fault is DEADLOCK.
// - Faults found in the same cycle are prioritised load AXI_RESP, store AXI_RESP, TOKEN_OVERFLOW,
//   DEADLOCK, then the dispatched command's own fault. A TOKEN_OVERFLOW is found the cycle after
//   the overflowing push.
module tessera_dispatch #(
  parameter int unsigned ArrayDim   = 16,
  parameter int unsigned AbufWords  = 4096,
  parameter int unsigned WbufWords  = 4096,
  parameter int unsigned AccWords   = 1024,
  parameter int unsigned ObufWords  = 2048,
  parameter int unsigned PbufWords  = 64,
  parameter int unsigned QueueDepth = 8
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  // from the register file
  input  logic         start_i,
  input  logic [31:0]  cmd_base_i,
  input  logic [31:0]  cmd_count_i,
  input  logic [31:0]  win_base_i,
  input  logic [31:0]  win_size_i,
  output logic         busy_o,
  output logic         done_o,       // pulse: FINISH retired
  output logic         error_o,      // pulse: stopped on a fault (err_code_o / err_info_o hold it)
  output logic [3:0]   err_code_o,
  output logic [31:0]  err_info_o,
  // command fetch
  output logic         fetch_start_o,
  output logic         fetch_stop_o,
  output logic [31:0]  fetch_cmd_count_o,
  output logic [31:0]  win_base_o,   // the window sampled at START, for the fetch ...
  output logic [32:0]  win_end_o,    // ... as base and base + size (registered: no adder there;
                                     //     the static checks use it too)
  input  logic         f_valid_i,
  output logic         f_ready_o,
  input  logic [255:0] f_cmd_i,
  input  logic [3:0]   f_err_i,
  // AXI traffic still in flight (fetch, load and store engines)
  input  logic         axi_busy_i,
  output logic         flush_o,      // abandon everything (fault)
  // units
  output logic         ld_valid_o,
  input  logic         ld_ready_i,
  output logic [255:0] ld_cmd_o,
  input  logic         ld_done_i,
  input  logic         ld_err_i,
  output logic         cu_valid_o,
  input  logic         cu_ready_i,
  output logic [255:0] cu_cmd_o,
  input  logic         cu_accept_i,  // the compute unit took the command (may still be draining)
  input  logic         cu_done_i,
  output logic         st_valid_o,
  input  logic         st_ready_i,
  output logic [255:0] st_cmd_o,
  input  logic         st_done_i,
  input  logic         st_err_i,
  // performance events
  output logic [2:0]   unit_busy_o,  // {store, compute, load} executing
  output logic [2:0]   unit_wait_o,  // {store, compute, load} waiting for a token
  output logic [2:0]   retired_o     // commands retired this cycle (0..4 fits in 3 bits)
);

  localparam int unsigned EntryW = 288;  // {index, command}

  typedef enum logic [2:0] {
    StIdle,
    StRun,
    StFinish,
    StExhaust,
    StDrain
  } state_e;

  state_e       state_d, state_q;
  logic [31:0]  idx_d, idx_q;             // index of the next command to dispatch
  logic [31:0]  count_d, count_q;
  // idx_q != count_q as a register, and count_q - 1 to update it on a dispatch with one compare:
  // the 32-bit compare in front of f_ready_o ran through the fetch's FIFO count into its
  // room_q (the ECP5 speed-6 worst path after fix 46, 12.4 ns; docs/fpga.md fix 47).
  logic         more_d, more_q;
  logic [31:0]  count_m1_d, count_m1_q;
  logic [31:0]  wbase_d, wbase_q;
  logic [32:0]  wend_d, wend_q;
  logic         chk_valid_d, chk_valid_q;
  logic [255:0] chk_cmd_d, chk_cmd_q;
  logic [3:0]   chk_ferr_d, chk_ferr_q;
  logic [3:0]   code_d, code_q;
  logic [31:0]  info_d, info_q;
  logic [1:0]   drain_d, drain_q;
  logic         dl_d, dl_q;
  logic         chk_start, chk_done;
  logic [3:0]   chk_result;

  // ---- static checks --------------------------------------------------------------------------
  tessera_dispatch_check #(
    .ArrayDim  (ArrayDim),
    .AbufWords (AbufWords),
    .WbufWords (WbufWords),
    .AccWords  (AccWords),
    .ObufWords (ObufWords),
    .PbufWords (PbufWords)
  ) u_check (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .start_i    (chk_start),
    .cmd_i      (chk_cmd_q),
    .win_base_i (wbase_q),
    .win_end_i  (wend_q),
    .done_o     (chk_done),
    .result_o   (chk_result)
  );

  // ---- unit completions ------------------------------------------------------------------------
  // The units' accept and done pulses come from their own control logic (a load's last-row
  // compare, the conv unit's last-pixel flags) at the far side of the chip; the issue controllers
  // see them one cycle later, from flip-flops, so that routing does not run on through the token
  // pushes and the fault logic (the ECP5 ArrayDim 4 critical path, 14.1 ns). A command then
  // retires one cycle later. A pulse registered in the cycle a fault is found meets the flush and
  // is dropped there, like every other completion during a flush.
  logic ld_done_q, cu_accept_q, cu_done_q, st_done_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      ld_done_q   <= 1'b0;
      cu_accept_q <= 1'b0;
      cu_done_q   <= 1'b0;
      st_done_q   <= 1'b0;
    end else begin
      ld_done_q   <= ld_done_i;
      cu_accept_q <= cu_accept_i;
      cu_done_q   <= cu_done_i;
      st_done_q   <= st_done_i;
    end
  end

  // ---- queues and issue controllers (0 load, 1 compute, 2 store) -------------------------------
  logic [2:0]        q_push, q_in_ready, q_valid, q_pop, ctl_exec, ctl_wait, ctl_done;
  logic [31:0]       push_index [3];           // command whose token pushes happen this cycle
  logic [EntryW-1:0] q_head [3];
  logic [2:0]        tgt_d, tgt_q;             // the checked command's queue, one-hot
  logic              tgt_ready;
  logic [3:0]        tok_pop, tok_push, tok_avail, tok_full;
  logic [3:0]        pp_ld, pp_cu, pp_st;      // {push_next, push_prev, pop_next, pop_prev}
  logic [3:0]        flags_of [3];
  logic              flush, running;

  assign flush   = (state_q == StDrain);
  assign running = (state_q == StRun) || (state_q == StFinish) || (state_q == StExhaust);

  for (genvar u = 0; u < 3; u++) begin : g_queue
    logic [$clog2(QueueDepth + 1)-1:0] cnt;
    tessera_fifo #(
      .Width (EntryW),
      .Depth (QueueDepth)
    ) u_q (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .clear_i     (flush || start_i),
      .in_valid_i  (q_push[u]),
      .in_ready_o  (q_in_ready[u]),
      .in_data_i   ({idx_q, chk_cmd_q}),
      .out_valid_o (q_valid[u]),
      .out_ready_i (q_pop[u]),
      .out_data_o  (q_head[u]),
      .count_o     (cnt)
    );
    logic unused_cnt;
    assign unused_cnt = ^cnt;
    assign flags_of[u] = {q_head[u][tessera_isa_pkg::CmdPushNextLsb],
                          q_head[u][tessera_isa_pkg::CmdPushPrevLsb],
                          q_head[u][tessera_isa_pkg::CmdPopNextLsb],
                          q_head[u][tessera_isa_pkg::CmdPopPrevLsb]};
  end

  // Token counters: 0 load->compute, 1 compute->load, 2 compute->store, 3 store->compute.
  tessera_dispatch_issue u_issue_ld (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .flush_i      (flush),
    .q_valid_i    (q_valid[0]),
    .q_flags_i    (flags_of[0]),
    .q_index_i    (q_head[0][287:256]),
    .q_pop_o      (q_pop[0]),
    .prev_avail_i (1'b0),          // the load unit has no previous stage (checked at dispatch)
    .next_avail_i (tok_avail[1]),
    .pop_prev_o   (pp_ld[0]),
    .pop_next_o   (pp_ld[1]),
    .push_prev_o  (pp_ld[2]),
    .push_next_o  (pp_ld[3]),
    .push_index_o (push_index[0]),
    .retire_o     (ctl_done[0]),
    .unit_valid_o (ld_valid_o),
    .unit_ready_i (ld_ready_i),
    .unit_accept_i (ld_done_q),
    .unit_done_i  (ld_done_q),
    .exec_o       (ctl_exec[0]),
    .wait_o       (ctl_wait[0])
  );

  tessera_dispatch_issue u_issue_cu (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .flush_i      (flush),
    .q_valid_i    (q_valid[1]),
    .q_flags_i    (flags_of[1]),
    .q_index_i    (q_head[1][287:256]),
    .q_pop_o      (q_pop[1]),
    .prev_avail_i (tok_avail[0]),
    .next_avail_i (tok_avail[3]),
    .pop_prev_o   (pp_cu[0]),
    .pop_next_o   (pp_cu[1]),
    .push_prev_o  (pp_cu[2]),
    .push_next_o  (pp_cu[3]),
    .push_index_o (push_index[1]),
    .retire_o     (ctl_done[1]),
    .unit_valid_o (cu_valid_o),
    .unit_ready_i (cu_ready_i),
    .unit_accept_i (cu_accept_q),
    .unit_done_i  (cu_done_q),
    .exec_o       (ctl_exec[1]),
    .wait_o       (ctl_wait[1])
  );

  tessera_dispatch_issue u_issue_st (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .flush_i      (flush),
    .q_valid_i    (q_valid[2]),
    .q_flags_i    (flags_of[2]),
    .q_index_i    (q_head[2][287:256]),
    .q_pop_o      (q_pop[2]),
    .prev_avail_i (tok_avail[2]),
    .next_avail_i (1'b0),          // the store unit has no next stage
    .pop_prev_o   (pp_st[0]),
    .pop_next_o   (pp_st[1]),
    .push_prev_o  (pp_st[2]),
    .push_next_o  (pp_st[3]),
    .push_index_o (push_index[2]),
    .retire_o     (ctl_done[2]),
    .unit_valid_o (st_valid_o),
    .unit_ready_i (st_ready_i),
    .unit_accept_i (st_done_q),
    .unit_done_i  (st_done_q),
    .exec_o       (ctl_exec[2]),
    .wait_o       (ctl_wait[2])
  );

  assign tok_pop  = {pp_cu[1], pp_st[0], pp_ld[1], pp_cu[0]};
  assign tok_push = {pp_st[2], pp_cu[3], pp_cu[2], pp_ld[3]};

  tessera_tokens u_tokens (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (start_i && (state_q == StIdle)),
    .pop_i   (tok_pop),
    .push_i  (tok_push),
    .avail_o (tok_avail),
    .full_o  (tok_full)
  );

  logic unused_flags;
  assign unused_flags = pp_ld[0] ^ pp_ld[2] ^ pp_st[1] ^ pp_st[3];

  assign ld_cmd_o = q_head[0][255:0];
  assign cu_cmd_o = q_head[1][255:0];
  assign st_cmd_o = q_head[2][255:0];

  // ---- routing of the checked command ---------------------------------------------------------
  logic [3:0] chk_op;
  logic       chk_ok, chk_is_finish, route_fire;

  assign chk_op        = chk_cmd_q[tessera_isa_pkg::CmdOpcodeLsb +: tessera_isa_pkg::CmdOpcodeW];
  assign chk_ok        = chk_valid_q && chk_done && (chk_ferr_q == 4'(tessera_isa_pkg::ErrNone)) &&
                         (chk_result == 4'(tessera_isa_pkg::ErrNone));
  assign chk_is_finish = (chk_op == 4'(tessera_isa_pkg::OpFinish));

  // The queue is decoded as the command enters chk_cmd_q and kept one-hot, so the push of a
  // checked command is a few gates of registers (a decode plus a variable-index select here was
  // the ECP5 ArrayDim 4 critical path, through a 32-bit index adder Yosys made for it).
  always_comb begin
    unique case (f_cmd_i[tessera_isa_pkg::CmdOpcodeLsb +: tessera_isa_pkg::CmdOpcodeW])
      4'(tessera_isa_pkg::OpLoad):  tgt_d = 3'b001;
      4'(tessera_isa_pkg::OpStore): tgt_d = 3'b100;
      default:                      tgt_d = 3'b010;
    endcase
  end

  // Qualified by chk_valid_q (through chk_ok): no reset.
  always_ff @(posedge clk_i) if (chk_start) tgt_q <= tgt_d;

  assign tgt_ready  = |(tgt_q & q_in_ready);
  assign route_fire = (state_q == StRun) && chk_ok && !chk_is_finish && tgt_ready;
  assign q_push     = tgt_q & {3{route_fire}};

  assign f_ready_o = (state_q == StRun) && !chk_valid_q && more_q;
  assign chk_start = f_ready_o && f_valid_i;

  // ---- deadlock -------------------------------------------------------------------------------
  logic        disp_stuck, all_stuck, dl_now;
  logic [31:0] wait_index [3], wait_index_q [3];
  logic        le01, le02, le12;
  logic [31:0] dl_info;

  assign disp_stuck = ((state_q == StRun) && chk_ok && !chk_is_finish && !tgt_ready) ||
                      (state_q == StFinish) || (state_q == StExhaust);
  assign all_stuck  = &(~ctl_exec & (~q_valid | ctl_wait));
  assign dl_now     = disp_stuck && all_stuck && (|ctl_wait);

  // dl_info: the lowest command index among the units that wait for a token (all ones if none
  // does). The three pairwise compares run side by side rather than chained through a running
  // minimum, so the path from the queue heads is one 32-bit compare and a select deep.
  for (genvar u = 0; u < 3; u++) begin : g_wait_index
    assign wait_index[u] = ctl_wait[u] ? q_head[u][287:256] : 32'hffff_ffff;
    always_ff @(posedge clk_i) wait_index_q[u] <= wait_index[u];
  end
  assign le01    = wait_index_q[0] <= wait_index_q[1];
  assign le02    = wait_index_q[0] <= wait_index_q[2];
  assign le12    = wait_index_q[1] <= wait_index_q[2];
  assign dl_info = (le01 && le02) ? wait_index_q[0] :
                   (le12 ? wait_index_q[1] : wait_index_q[2]);

  // A deadlock is reported only after dl_now held for three cycles (dl_q, dl2_q), and while it
  // holds nothing moves (no unit executes, the dispatcher cannot push): the queue heads and the
  // wait flags, so dl_info, are the same as two cycles earlier. The indices are registered before
  // the compares and the result after them, which takes the compares off the paths from the unit
  // controls' wait flags (12.2 ns, docs/fpga.md fix 49) and into info_q (22.2 ns, fix 12).
  logic [31:0] dl_info_q;
  logic        dl2_q;
  always_ff @(posedge clk_i) dl_info_q <= dl_info;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) dl2_q <= 1'b0;
    else         dl2_q <= dl_d && dl_q;
  end

  // ---- faults ---------------------------------------------------------------------------------
  logic        rt_fault, disp_fault;
  logic [3:0]  rt_code, disp_code;
  logic [31:0] rt_info;
  logic [3:0]  ovf;
  logic        all_idle;

  // TOKEN_OVERFLOW is reported the cycle after the push (which tessera_tokens drops), from
  // registers: the push comes from a unit's accept and done logic, and that chain through the
  // fault priority into the state machine was the ECP5 critical path. The overflowing counters
  // and every issue controller's push index are registered as they are; which index to report
  // is chosen after the registers, where it runs beside the fault priority instead of behind it.
  logic [3:0]  ovf_q;
  logic [31:0] push_index_q [3];
  logic [31:0] ovf_index;

  assign ovf = tok_push & tok_full;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) ovf_q <= '0;
    else         ovf_q <= ovf;
  end

  always_ff @(posedge clk_i) begin
    push_index_q[0] <= push_index[0];
    push_index_q[1] <= push_index[1];
    push_index_q[2] <= push_index[2];
  end

  // Counter 0 is pushed by the load unit, 1 and 2 by the compute unit, 3 by the store unit.
  assign ovf_index = ovf_q[0] ? push_index_q[0] :
                     (ovf_q[1] || ovf_q[2]) ? push_index_q[1] : push_index_q[2];

  always_comb begin
    rt_fault = 1'b1;
    rt_code  = 4'(tessera_isa_pkg::ErrNone);
    rt_info  = '0;
    if (ld_err_i) begin
      rt_code = 4'(tessera_isa_pkg::ErrAxiResp);
      rt_info = q_head[0][287:256];
    end else if (st_err_i) begin
      rt_code = 4'(tessera_isa_pkg::ErrAxiResp);
      rt_info = q_head[2][287:256];
    end else if (|ovf_q) begin
      rt_code = 4'(tessera_isa_pkg::ErrTokenOverflow);
      rt_info = ovf_index;
    end else if (dl_now && dl2_q) begin
      rt_code = 4'(tessera_isa_pkg::ErrDeadlock);
      rt_info = dl_info_q;
    end else begin
      rt_fault = 1'b0;
    end
    rt_fault = rt_fault && running;

    disp_fault = (state_q == StRun) && chk_valid_q && chk_done && !chk_ok;
    disp_code  = (chk_ferr_q != 4'(tessera_isa_pkg::ErrNone)) ? chk_ferr_q : chk_result;
  end

  assign all_idle = !(|q_valid) && !(|ctl_exec) && !axi_busy_i;

  // A fault moves the state machine to StDrain at once, but its code and info are written to
  // ERR_CODE / ERR_INFO the cycle after, from registers: the fault priority into code_q and
  // info_q was the ECP5 ArrayDim 4 critical path of the dispatcher (11.3 ns, docs/fpga.md fix 54).
  // Nothing else writes them in StDrain, the faults stop once it is entered (rt_fault needs a
  // running state, disp_fault StRun), and the host reads them only after the error interrupt,
  // which comes at least four cycles later.
  logic        fault_take_q;
  logic [3:0]  fault_code_q;
  logic [31:0] fault_info_q;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) fault_take_q <= 1'b0;
    else         fault_take_q <= rt_fault || disp_fault;
  end

  always_ff @(posedge clk_i) begin
    fault_code_q <= rt_fault ? rt_code : disp_code;
    fault_info_q <= rt_fault ? rt_info : idx_q;
  end

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni && fault_take_q)
      assert (state_q == StDrain && !rt_fault && !disp_fault)
        else $error("tessera_dispatch: a fault's code is written outside StDrain or overlaps another");
  end
`endif

  // ---- main state machine ---------------------------------------------------------------------
  always_comb begin
    state_d     = state_q;
    idx_d       = idx_q;
    count_d     = count_q;
    more_d      = more_q;
    count_m1_d  = count_m1_q;
    wbase_d     = wbase_q;
    wend_d      = wend_q;
    chk_valid_d = chk_valid_q;
    chk_cmd_d   = chk_cmd_q;
    chk_ferr_d  = chk_ferr_q;
    code_d      = code_q;
    info_d      = info_q;
    drain_d     = drain_q;
    done_o      = 1'b0;
    error_o     = 1'b0;
    fetch_start_o = 1'b0;

    if (chk_start) begin
      chk_valid_d = 1'b1;
      chk_cmd_d   = f_cmd_i;
      chk_ferr_d  = f_err_i;
    end
    if (route_fire) begin
      chk_valid_d = 1'b0;
      idx_d       = idx_q + 32'd1;
      more_d      = (idx_q != count_m1_q);
    end

    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          count_d     = cmd_count_i;
          more_d      = (cmd_count_i != 32'd0);
          count_m1_d  = cmd_count_i - 32'd1;
          wbase_d     = win_base_i;
          wend_d      = {1'b0, win_base_i} + {1'b0, win_size_i};
          idx_d       = '0;
          chk_valid_d = 1'b0;
          code_d      = 4'(tessera_isa_pkg::ErrNone);
          info_d      = '0;
          if (cmd_base_i[4:0] != 5'd0) begin
            code_d  = 4'(tessera_isa_pkg::ErrMisaligned);
            state_d = StDrain;
          end else begin
            fetch_start_o = 1'b1;
            state_d       = StRun;
          end
        end
      end
      StRun: begin
        if (!chk_valid_q && !more_q) state_d = StExhaust;
        if (chk_ok && chk_is_finish) begin
          chk_valid_d = 1'b0;
          state_d     = StFinish;
        end
      end
      StFinish: begin
        // Not with a fault: an overflowing push of the last command is reported a cycle late.
        if (all_idle && !rt_fault) begin
          done_o  = 1'b1;
          state_d = StIdle;
        end
      end
      StExhaust: begin
        if (all_idle) begin
          code_d  = 4'(tessera_isa_pkg::ErrCmdOverrun);
          info_d  = count_q;
          state_d = StDrain;
        end
      end
      StDrain: begin
        // Let the flush reach every unit, then wait for the AXI bursts already issued.
        if (drain_q != 2'd3) drain_d = drain_q + 2'd1;
        else if (!axi_busy_i) begin
          error_o = 1'b1;
          state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    if (rt_fault || disp_fault) state_d = StDrain;
    if (fault_take_q) begin
      code_d = fault_code_q;
      info_d = fault_info_q;
    end
    if ((state_d == StDrain) && (state_q != StDrain)) begin
      drain_d     = '0;
      chk_valid_d = 1'b0;
    end
  end

  assign dl_d = dl_now && running;

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q     <= StIdle;
      idx_q       <= '0;
      count_q     <= '0;
      more_q      <= 1'b0;
      count_m1_q  <= '0;
      wbase_q     <= '0;
      wend_q      <= '0;
      chk_valid_q <= 1'b0;
      chk_cmd_q   <= '0;
      chk_ferr_q  <= '0;
      code_q      <= '0;
      info_q      <= '0;
      drain_q     <= '0;
      dl_q        <= 1'b0;
    end else begin
      state_q     <= state_d;
      idx_q       <= idx_d;
      count_q     <= count_d;
      more_q      <= more_d;
      count_m1_q  <= count_m1_d;
      wbase_q     <= wbase_d;
      wend_q      <= wend_d;
      chk_valid_q <= chk_valid_d;
      chk_cmd_q   <= chk_cmd_d;
      chk_ferr_q  <= chk_ferr_d;
      code_q      <= code_d;
      info_q      <= info_d;
      drain_q     <= drain_d;
      dl_q        <= dl_d;
    end
  end

  logic unused_base;
  assign unused_base = ^cmd_base_i[31:5];  // the fetch takes the base; only alignment is checked here

  assign busy_o            = (state_q != StIdle);
  assign err_code_o        = code_q;
  assign err_info_o        = info_q;
  assign flush_o           = flush;
  assign fetch_stop_o      = (state_q != StRun);
  assign fetch_cmd_count_o = cmd_count_i;
  assign win_base_o        = wbase_q;
  assign win_end_o         = wend_q;
  assign unit_busy_o       = ctl_exec;
  assign unit_wait_o       = ctl_wait;
  assign retired_o         = 3'(ctl_done[0]) + 3'(ctl_done[1]) + 3'(ctl_done[2]) + 3'(done_o);

`ifndef SYNTHESIS
  always @(posedge clk_i) begin
    if (rst_ni && (state_q == StRun))
      assert (more_q == (idx_q != count_q))
        else $error("tessera_dispatch: more_q does not match idx_q != count_q");
  end
`endif

endmodule
