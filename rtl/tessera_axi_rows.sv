// Walks the rows of a 3-D strided transfer (docs/isa.md, LOAD/STORE): row (z, y) starts at
// dram_addr + z*z_stride + y*y_stride and holds x_len elements of 2^es_log2 bytes. The load and
// store units each run two walkers over the same command: one feeds the AXI address channel, one
// follows the data beats, so neither needs a queue of per-row state.
// The parameter inputs must stay stable from start_i until the last row is taken.
module tessera_axi_rows (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        flush_i,      // abandon the walk
  input  logic        start_i,      // begin a new walk (ignored while one is active)
  input  logic [31:0] dram_addr_i,
  input  logic [15:0] x_len_i,
  input  logic [15:0] y_len_i,
  input  logic [15:0] z_len_i,
  input  logic [31:0] y_stride_i,
  input  logic [31:0] z_stride_i,
  input  logic [2:0]  es_log2_i,    // element bytes = 2^es_log2
  output logic        row_valid_o,
  input  logic        row_ready_i,
  output logic [31:0] row_addr_o,
  output logic [23:0] row_bytes_o,  // x_len * 2^es_log2 < 2^23
  output logic        row_last_o    // the last row of the walk
);

  logic        active_d, active_q;
  logic [15:0] y_d, y_q, z_d, z_q;
  logic [31:0] row_d, row_q, plane_d, plane_q;
  logic        y_last, z_last;

  assign y_last      = (y_q == y_len_i - 16'd1);
  assign z_last      = (z_q == z_len_i - 16'd1);
  assign row_valid_o = active_q;
  assign row_addr_o  = row_q;
  assign row_bytes_o = 24'(x_len_i) << es_log2_i;
  assign row_last_o  = y_last && z_last;

  always_comb begin
    active_d = active_q;
    y_d      = y_q;
    z_d      = z_q;
    row_d    = row_q;
    plane_d  = plane_q;
    if (flush_i) begin
      active_d = 1'b0;
    end else if (!active_q) begin
      if (start_i) begin
        active_d = 1'b1;
        y_d      = '0;
        z_d      = '0;
        row_d    = dram_addr_i;
        plane_d  = dram_addr_i;
      end
    end else if (row_ready_i) begin
      if (!y_last) begin
        y_d   = y_q + 16'd1;
        row_d = row_q + y_stride_i;
      end else if (!z_last) begin
        y_d     = '0;
        z_d     = z_q + 16'd1;
        plane_d = plane_q + z_stride_i;
        row_d   = plane_q + z_stride_i;
      end else begin
        active_d = 1'b0;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      y_q      <= '0;
      z_q      <= '0;
      row_q    <= '0;
      plane_q  <= '0;
    end else begin
      active_q <= active_d;
      y_q      <= y_d;
      z_q      <= z_d;
      row_q    <= row_d;
      plane_q  <= plane_d;
    end
  end

endmodule
