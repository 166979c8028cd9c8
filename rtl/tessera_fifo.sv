// Synchronous FIFO with valid/ready on both sides and a synchronous clear.
// Storage is an unpacked array of plain logic (Yosys 0.23 safe); the output is the head entry,
// so a consumer sees data in the cycle valid is high. RegHead = 0 reads the head from the
// storage; RegHead = 1 keeps a copy of it in a register (Width more flip-flops), refilled from
// the entry behind it on a pop, so out_data_o is a flip-flop and no storage read (a LUT-RAM read
// on the FPGAs) lies between the read pointer and the consumer.
module tessera_fifo #(
  parameter int unsigned Width   = 32,
  parameter int unsigned Depth   = 4,
  parameter int unsigned RegHead = 0,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned Cw = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clear_i,   // drops every entry (fault handling)
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o,
  output logic [Cw-1:0]    count_o
);

  logic [Width-1:0] mem_q [Depth];
  logic [Aw-1:0]    wr_ptr_d, wr_ptr_q, rd_ptr_d, rd_ptr_q;
  logic [Cw-1:0]    cnt_d, cnt_q;
  logic             push, pop;

  assign in_ready_o  = (cnt_q != Cw'(Depth));
  assign out_valid_o = (cnt_q != '0);
  assign count_o     = cnt_q;
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;

  // Pointers wrap at Depth, which need not be a power of two.
  logic [Aw-1:0] wr_ptr_inc, rd_ptr_inc;
  assign wr_ptr_inc = (wr_ptr_q == Aw'(Depth - 1)) ? '0 : wr_ptr_q + Aw'(1);
  assign rd_ptr_inc = (rd_ptr_q == Aw'(Depth - 1)) ? '0 : rd_ptr_q + Aw'(1);

  always_comb begin
    wr_ptr_d = wr_ptr_q;
    rd_ptr_d = rd_ptr_q;
    cnt_d    = cnt_q;
    if (clear_i) begin
      wr_ptr_d = '0;
      rd_ptr_d = '0;
      cnt_d    = '0;
    end else begin
      if (push) wr_ptr_d = wr_ptr_inc;
      if (pop)  rd_ptr_d = rd_ptr_inc;
      if (push && !pop)      cnt_d = cnt_q + Cw'(1);
      else if (pop && !push) cnt_d = cnt_q - Cw'(1);
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      wr_ptr_q <= '0;
      rd_ptr_q <= '0;
      cnt_q    <= '0;
    end else begin
      wr_ptr_q <= wr_ptr_d;
      rd_ptr_q <= rd_ptr_d;
      cnt_q    <= cnt_d;
    end
  end

  // No reset on the storage: entries are only read when counted valid.
  always_ff @(posedge clk_i) begin
    if (push && !clear_i) mem_q[wr_ptr_q] <= in_data_i;
  end

  if (RegHead != 0) begin : g_reg_head
    // The head takes the pushed entry when that entry becomes the head (an empty FIFO, or the
    // last entry leaving as it arrives); otherwise a pop moves the next stored entry up, which
    // was written at least a cycle earlier.
    logic [Width-1:0] head_q;

    always_ff @(posedge clk_i) begin
      if (push && ((cnt_q == '0) || (pop && (cnt_q == Cw'(1))))) head_q <= in_data_i;
      else if (pop)                                                head_q <= mem_q[rd_ptr_inc];
    end

    assign out_data_o = head_q;
  end else begin : g_comb_head
    assign out_data_o = mem_q[rd_ptr_q];
  end

endmodule
