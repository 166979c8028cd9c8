# Constraints for the Zynq block design of build.tcl (not run in CI). The only clock is the PS's
# FCLK_CLK0, which the processing_system7 IP constrains itself (its frequency is build.tcl's third
# argument); tessera has no package pins (all I/O goes through the PS's AXI ports and IRQ_F2P),
# so there are no pin or I/O-standard constraints. The reset from proc_sys_reset is synchronous to
# FCLK_CLK0, so no false paths are needed either.
set_property BITSTREAM.GENERAL.COMPRESS TRUE [current_design]
