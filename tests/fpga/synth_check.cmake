# Runs Yosys on tessera_top in a small configuration and the check scripts given in CHECKS
# (;-separated .ys files, run in order on one design). Fails on any Yosys error, including
# failed `select -assert-*` / `check -assert`, and on a driver conflict Yosys resolved itself.
#   cmake -DYOSYS=... -DSOURCES=a.sv;b.sv -DCHECKS=x.ys;y.ys -DWORKDIR=dir -DPARAMS="-set ..." -P synth_check.cmake
string(REPLACE ";" " " src "${SOURCES}")
set(cmds "read_verilog -sv ${src}; chparam ${PARAMS} tessera_top; hierarchy -check -top tessera_top")
foreach(c ${CHECKS})
  string(APPEND cmds "; script ${c}")
endforeach()
file(MAKE_DIRECTORY ${WORKDIR})
string(TIMESTAMP t0 "%s")
execute_process(
  COMMAND ${YOSYS} -q -l ${WORKDIR}/yosys.log -p "${cmds}"
  WORKING_DIRECTORY ${WORKDIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(TIMESTAMP t1 "%s")
math(EXPR dt "${t1} - ${t0}")
if(NOT rc EQUAL 0)
  file(STRINGS ${WORKDIR}/yosys.log errors REGEX "^ERROR")
  string(REPLACE ";" "\n" errors "${errors}")
  message(FATAL_ERROR "yosys check failed after ${dt} s (log: ${WORKDIR}/yosys.log):\n${errors}")
endif()
# Yosys 0.23 settles some multi-driven nets of its own making (synth_ice40's DSP packing of a
# product register that feeds a plain register) with a constant and carries on, check -assert
# included: the netlist then does not compute what the RTL does.
file(STRINGS ${WORKDIR}/yosys.log conflicts REGEX "Driver-driver conflict")
if(conflicts)
  list(GET conflicts 0 first)
  list(LENGTH conflicts n)
  message(FATAL_ERROR "yosys resolved ${n} driver conflicts with constants (log: ${WORKDIR}/yosys.log), "
                      "first: ${first}")
endif()
message(STATUS "yosys checks passed in ${dt} s (${WORKDIR})")
