// One processing element of the weight-stationary array: a 9-bit x 9-bit signed MAC into an
// int32 partial sum. The multiplier (a DSP block spread far from its neighbours on large arrays)
// sits alone between registers: its factors are the arriving activation and the weight it
// selects, both registered, and its product is registered before the add (tessera_mul18, whose
// registers are the DSP block's own). Every row's product is thus two cycles after its activation
// arrives, so the sum wavefront still meets it in step (tessera_pe_array). Choosing the weight
// in front of an unregistered multiplier was the ECP5 speed-6 path after the fetch window
// (12.6-13.0 ns, docs/fpga.md fix 46). The weight register is doubled so the next weight tile can be
// written while the current one is still in use; every activation carries a buffer tag saying
// which of the two weights it multiplies, so the switch to the next tile travels through the
// array with the data wavefront instead of needing a global swap at a moment no single cycle
// can represent.
//
// LutMul = 1 builds the product from LUTs (tessera_lut_mul) for PEs beyond the FPGA's DSP blocks;
// the activation then travels recoded as a + LutMulBias, one bit wider (tessera_pe_array).
//
// The partial sum is kept in PsumW bits (tessera_pe_array gives row r 18 + clog2(r+1)): with
// both factors in [-255, 255] a product is below 2^16 in magnitude, so the sum over rows 0..r
// fits exactly and the narrower adder returns the same value as the int32 one.
module tessera_pe #(
  parameter int unsigned PsumW  = 24,     // 18..31
  parameter bit          LutMul = 1'b0,
  localparam int unsigned ActW  = LutMul ? 10 : 9
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // activation entering from the left and leaving to the right (one register per PE)
  input  logic [ActW-1:0] act_i,   // a - act_zp, signed (LutMul: plus LutMulBias)
  input  logic        act_buf_i,   // which weight buffer this activation uses
  output logic [ActW-1:0] act_o,
  output logic        act_buf_o,
  // weight write port (shadow buffer, selected by wgt_buf_i)
  input  logic        wgt_we_i,
  input  logic        wgt_buf_i,
  input  logic [8:0]  wgt_i,       // w - wzp[c], signed
  // partial sum from above, and to below
  input  logic [31:0] psum_i,      // sign-extended from PsumW - 1 bits (the row above)
  output logic [31:0] psum_o       // sign-extended from PsumW bits
);

  logic [ActW-1:0] act_q;
  logic        act_buf_q;
  logic [PsumW-1:0]    psum_q;
  logic [PsumW+17:0]   prod_ext;  // wide enough that no replication count below is zero
  logic [PsumW+31:0]   psum_ext;
  logic [8:0]  wgt0_q, wgt1_q, wgt;     // wgt: the weight act_i selects
  logic signed [17:0] prod_q;           // the product of the activation of two cycles earlier

  // The product of two 9-bit signed values needs 18 bits in general (17 for these factors); it is
  // sign-extended into the partial sum.
  assign wgt = act_buf_i ? wgt1_q : wgt0_q;
  if (LutMul) begin : g_lut_mul
    logic [8:0]         wgt_q;
    logic signed [17:0] prod;
    always_ff @(posedge clk_i) begin
      wgt_q  <= wgt;
      prod_q <= prod;
    end
    tessera_lut_mul u_mul (
      .u_i (act_q),
      .w_i (wgt_q),
      .p_o (prod)
    );
  end else begin : g_dsp_mul
    logic [18:0] prod;
    tessera_mul18 #(
      .AW (9),
      .BW (9)
    ) u_mul (
      .clk_i (clk_i),
      .a_i   (act_i),
      .b_i   (wgt),
      .p_o   (prod)
    );
    assign prod_q = prod[17:0];
    logic unused_prod;
    assign unused_prod = prod[18];
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      act_q     <= '0;
      act_buf_q <= 1'b0;
      psum_q    <= '0;
    end else begin
      act_q     <= act_i;
      act_buf_q <= act_buf_i;
      psum_q    <= psum_i[PsumW-1:0] + prod_ext[PsumW-1:0];
    end
  end

  // Weights need no reset: a weight is only ever multiplied by activations of the tile that
  // loaded it (bubbles carry activation 0). The buffer is read as the activation arrives, into
  // the multiplier's operand register, so the rules for loading the shadow buffer are those of a
  // select in front of an unregistered multiplier.
  always_ff @(posedge clk_i) begin
    if (wgt_we_i && !wgt_buf_i) wgt0_q <= wgt_i;
    if (wgt_we_i &&  wgt_buf_i) wgt1_q <= wgt_i;
  end

  assign act_o     = act_q;
  assign act_buf_o = act_buf_q;
  assign prod_ext  = {{PsumW{prod_q[17]}}, prod_q};
  assign psum_ext  = {{32{psum_q[PsumW-1]}}, psum_q};
  assign psum_o    = psum_ext[31:0];

  // Above PsumW the incoming sum holds only copies of its sign bit.
  logic unused_bits;
  assign unused_bits = ^{psum_i[31:PsumW], prod_ext[PsumW+17:PsumW], psum_ext[PsumW+31:32]};

`ifndef SYNTHESIS
  initial begin
    assert (PsumW >= 18 && PsumW < 32) else $error("tessera_pe: PsumW must be in 18..31");
  end
`endif

endmodule
