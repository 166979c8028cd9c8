# Runs Yosys on tessera_top in a small configuration and the check scripts given in CHECKS
# (;-separated .ys files, run in order on one design). Fails on any Yosys error, including
# failed `select -assert-*` / `check -assert`.
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
message(STATUS "yosys checks passed in ${dt} s (${WORKDIR})")
