// UART transmitter, 8N1, LSB first, ClksPerBit clock cycles per bit. A byte is taken when
// valid_i && ready_o; ready_o is high while the line is idle (after the stop bit).
module tessera_uart_tx #(
  parameter int unsigned ClksPerBit = 217,
  localparam int unsigned CntW = $clog2(ClksPerBit + 1)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic [7:0] data_i,
  input  logic       valid_i,
  output logic       ready_o,
  output logic       tx_o
);

  localparam logic [CntW-1:0] Full = CntW'(ClksPerBit - 1);

  logic [9:0]      shift_q, shift_d;   // {stop, data[7:0], start}, sent from bit 0
  logic [3:0]      left_q, left_d;     // bits still to send, including the current one
  logic [CntW-1:0] cnt_q, cnt_d;

  assign ready_o = (left_q == 4'd0);

  always_comb begin
    shift_d = shift_q;
    left_d  = left_q;
    cnt_d   = cnt_q;
    if (left_q == 4'd0) begin
      if (valid_i) begin
        shift_d = {1'b1, data_i, 1'b0};
        left_d  = 4'd10;
        cnt_d   = Full;
      end
    end else if (cnt_q == '0) begin
      shift_d = {1'b1, shift_q[9:1]};
      left_d  = left_q - 4'd1;
      cnt_d   = Full;
    end else begin
      cnt_d = cnt_q - 1'b1;
    end
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      shift_q <= 10'h3FF;
      left_q  <= '0;
      cnt_q   <= '0;
      tx_o    <= 1'b1;
    end else begin
      shift_q <= shift_d;
      left_q  <= left_d;
      cnt_q   <= cnt_d;
      tx_o    <= (left_d == 4'd0) ? 1'b1 : shift_d[0];
    end
  end

endmodule
