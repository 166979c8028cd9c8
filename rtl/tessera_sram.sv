// Simple dual-port SRAM: one write port, one read port, one cycle of read latency.
// Written in the form Yosys and vendor tools infer as block RAM (no reset on the array, a
// registered read, no read-during-write bypass).
//
// A read of the word written in the same cycle is a data race: only two units that the program
// leaves unordered (no dependency token between them, docs/isa.md) can do it. The simulation
// returns the old word and reports the race once; on FPGA block RAM the value is undefined.
// no_rw_check tells Yosys so: without it, Yosys 0.23 emulates old-data reads on the ECP5 and
// iCE40 block RAMs (whose two ports collide undefined) by delaying every write a cycle and
// adding an address compare and a bypass multiplexer behind the RAM output.
module tessera_sram #(
  parameter int unsigned Width = 32,
  parameter int unsigned Depth = 1024,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             wr_en_i,
  input  logic [Aw-1:0]    wr_addr_i,
  input  logic [Width-1:0] wr_data_i,
  input  logic             rd_en_i,
  input  logic [Aw-1:0]    rd_addr_i,
  output logic [Width-1:0] rd_data_o
);

  (* no_rw_check *)
  logic [Width-1:0] mem [Depth];

  always_ff @(posedge clk_i) begin
    if (wr_en_i) mem[wr_addr_i] <= wr_data_i;
  end

  always_ff @(posedge clk_i) begin
    if (rd_en_i) rd_data_o <= mem[rd_addr_i];
  end

`ifndef SYNTHESIS
  logic race_reported_q = 1'b0;
  always_ff @(posedge clk_i) begin
    if (wr_en_i && rd_en_i && wr_addr_i == rd_addr_i && !race_reported_q) begin
      $warning("tessera_sram %m: word %0d read and written in one cycle (a data race between two units the program does not order; undefined on FPGA block RAM)",
               rd_addr_i);
      race_reported_q <= 1'b1;
    end
  end
`endif

endmodule
