// Probe for bench/fpga/dp16kd_outreg.sh: one 1024 x 18 block RAM read, an 18-bit subtract and an
// XOR reduction into a flip-flop, fed and observed through one pin each (address and data from a
// shift register). Variants (Yosys defines):
//   INFER           the RAM inferred from a registered read (as tessera_sram is written)
//   INFER FABRIC_FF the same plus a fabric register between the RAM and the subtract
//   REGMODE="..."   a DP16KD instantiated by hand, REGMODE_B "NOREG" or "OUTREG"
module dp16kd_probe (
  input      clk_i,
  input      sin_i,
  output reg sout_o
);
  reg  [9:0]  addr;
  reg  [17:0] wd;
  reg         we;
  wire [17:0] rd;

  always @(posedge clk_i) begin
    addr <= {addr[8:0], sin_i ^ addr[9] ^ addr[6]};
    wd   <= {wd[16:0], addr[3]};
    we   <= addr[5];
  end

`ifdef INFER
  reg [17:0] mem [0:1023];
  reg [17:0] rd_q;
  always @(posedge clk_i) if (we) mem[addr] <= wd;
  always @(posedge clk_i) rd_q <= mem[{addr[0], addr[9:1]}];
`ifdef FABRIC_FF
  reg [17:0] rd_q2;
  always @(posedge clk_i) rd_q2 <= rd_q;
  assign rd = rd_q2;
`else
  assign rd = rd_q;
`endif
`else
  DP16KD #(
    .DATA_WIDTH_A (18), .DATA_WIDTH_B (18), .REGMODE_A ("NOREG"), .REGMODE_B (`REGMODE),
    .CSDECODE_A ("0b000"), .CSDECODE_B ("0b000")
  ) u_ram (
    .CLKA (clk_i), .CEA (1'b1), .OCEA (1'b1), .WEA (we), .RSTA (1'b0),
    .CSA0 (1'b0), .CSA1 (1'b0), .CSA2 (1'b0),
    .ADA0 (1'b0), .ADA1 (1'b0), .ADA2 (1'b0), .ADA3 (1'b0),
    .ADA4 (addr[0]), .ADA5 (addr[1]), .ADA6 (addr[2]), .ADA7 (addr[3]), .ADA8 (addr[4]),
    .ADA9 (addr[5]), .ADA10 (addr[6]), .ADA11 (addr[7]), .ADA12 (addr[8]), .ADA13 (addr[9]),
    .DIA0 (wd[0]), .DIA1 (wd[1]), .DIA2 (wd[2]), .DIA3 (wd[3]), .DIA4 (wd[4]), .DIA5 (wd[5]),
    .DIA6 (wd[6]), .DIA7 (wd[7]), .DIA8 (wd[8]), .DIA9 (wd[9]), .DIA10 (wd[10]),
    .DIA11 (wd[11]), .DIA12 (wd[12]), .DIA13 (wd[13]), .DIA14 (wd[14]), .DIA15 (wd[15]),
    .DIA16 (wd[16]), .DIA17 (wd[17]),
    .CLKB (clk_i), .CEB (1'b1), .OCEB (1'b1), .WEB (1'b0), .RSTB (1'b0),
    .CSB0 (1'b0), .CSB1 (1'b0), .CSB2 (1'b0),
    .ADB0 (1'b0), .ADB1 (1'b0), .ADB2 (1'b0), .ADB3 (1'b0),
    .ADB4 (addr[1]), .ADB5 (addr[2]), .ADB6 (addr[3]), .ADB7 (addr[4]), .ADB8 (addr[5]),
    .ADB9 (addr[6]), .ADB10 (addr[7]), .ADB11 (addr[8]), .ADB12 (addr[9]), .ADB13 (addr[0]),
    .DOB0 (rd[0]), .DOB1 (rd[1]), .DOB2 (rd[2]), .DOB3 (rd[3]), .DOB4 (rd[4]), .DOB5 (rd[5]),
    .DOB6 (rd[6]), .DOB7 (rd[7]), .DOB8 (rd[8]), .DOB9 (rd[9]), .DOB10 (rd[10]),
    .DOB11 (rd[11]), .DOB12 (rd[12]), .DOB13 (rd[13]), .DOB14 (rd[14]), .DOB15 (rd[15]),
    .DOB16 (rd[16]), .DOB17 (rd[17])
  );
`endif

  always @(posedge clk_i) sout_o <= ^(rd - 18'd5);
endmodule
