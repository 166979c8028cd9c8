// UART receiver, 8N1, LSB first. ClksPerBit clock cycles per bit (clock / baud rate, >= 4).
// The input is synchronized with two flip-flops; a start bit is confirmed at its middle and every
// data bit and the stop bit are sampled at their middle. A byte whose stop bit is 0 (framing
// error, or a break) is dropped. valid_o is a one-cycle pulse with the byte on data_o.
module tessera_uart_rx #(
  parameter int unsigned ClksPerBit = 217,
  localparam int unsigned CntW = $clog2(ClksPerBit + 1)
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       rx_i,
  output logic [7:0] data_o,
  output logic       valid_o
);

  localparam logic [1:0] StIdle  = 2'd0;
  localparam logic [1:0] StStart = 2'd1;
  localparam logic [1:0] StData  = 2'd2;
  localparam logic [1:0] StStop  = 2'd3;
  localparam logic [CntW-1:0] Full = CntW'(ClksPerBit - 1);
  localparam logic [CntW-1:0] Half = CntW'(ClksPerBit / 2 - 1);

  logic [1:0]      sync_q;
  logic [1:0]      state_q, state_d;
  logic [CntW-1:0] cnt_q, cnt_d;
  logic [2:0]      bit_q, bit_d;
  logic [7:0]      shift_q, shift_d;
  logic            valid_d;
  logic            rx;

  assign rx = sync_q[1];

  always_comb begin
    state_d = state_q;
    cnt_d   = (cnt_q == '0) ? cnt_q : cnt_q - 1'b1;
    bit_d   = bit_q;
    shift_d = shift_q;
    valid_d = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (!rx) begin
          state_d = StStart;
          cnt_d   = Half;
        end
      end
      StStart: begin
        if (cnt_q == '0) begin
          state_d = rx ? StIdle : StData;
          cnt_d   = Full;
          bit_d   = 3'd0;
        end
      end
      StData: begin
        if (cnt_q == '0) begin
          shift_d = {rx, shift_q[7:1]};
          cnt_d   = Full;
          bit_d   = bit_q + 3'd1;
          if (bit_q == 3'd7) state_d = StStop;
        end
      end
      default: begin  // StStop
        if (cnt_q == '0) begin
          valid_d = rx;
          state_d = StIdle;
        end
      end
    endcase
  end

  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      sync_q  <= 2'b11;
      state_q <= StIdle;
      cnt_q   <= '0;
      bit_q   <= '0;
      shift_q <= '0;
      valid_o <= 1'b0;
    end else begin
      sync_q  <= {sync_q[0], rx_i};
      state_q <= state_d;
      cnt_q   <= cnt_d;
      bit_q   <= bit_d;
      shift_q <= shift_d;
      valid_o <= valid_d;
    end
  end

  assign data_o = shift_q;

endmodule
