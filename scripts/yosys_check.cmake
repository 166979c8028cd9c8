# Elaborates tessera_top with Yosys (small configuration) and fails on errors, latches or
# combinational loops: the synthesis view of the RTL the tests simulate.
string(REPLACE ";" " " src "${SOURCES}")
execute_process(
  COMMAND ${YOSYS} -q -p "read_verilog -sv ${src}; chparam -set ArrayDim 4 tessera_top; hierarchy -check -top tessera_top; proc; opt_clean; check -assert; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "yosys elaboration of tessera_top failed:\n${out}\n${err}")
endif()
