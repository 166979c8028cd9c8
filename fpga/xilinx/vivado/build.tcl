# Vivado flow for Tessera on a Zynq-7000 (NOT run in CI or by scripts/fpga.sh: Vivado is not
# installed here; written against Vivado 2020.2+ and untested). Block design:
#   processing_system7 M_AXI_GP0 --(AXI interconnect, AXI3 -> AXI4-Lite)--> tessera s_axil  (registers)
#   tessera m_axi (AXI4, 64 bit) --(AXI interconnect, AXI4 -> AXI3)--> S_AXI_HP0 -> DDR (DMA)
#   tessera irq -> IRQ_F2P[0]; FCLK_CLK0 clocks the PL, its proc_sys_reset drives rst_n.
# Then synthesis, implementation, bitstream, utilization / timing reports and an .xsa for the
# software side (the host's MMIO backend maps the 4 KB register window GP0 assigns).
#
#   vivado -mode batch -source fpga/xilinx/vivado/build.tcl -tclargs [part] [ArrayDim] [fclk MHz]
#   defaults: xc7z020clg400-1 (PYNQ-Z1/Z2, ZedBoard is xc7z020clg484-1), 8, 100
# Output: build-fpga/vivado/ (project, tessera_bd_wrapper.bit, tessera.xsa, *.rpt).
set here [file dirname [file normalize [info script]]]
set root [file normalize [file join $here .. .. ..]]
set part [expr {$argc >= 1 ? [lindex $argv 0] : "xc7z020clg400-1"}]
set dim  [expr {$argc >= 2 ? [lindex $argv 1] : 8}]
set fclk [expr {$argc >= 3 ? [lindex $argv 2] : 100}]
set out  [file join $root build-fpga vivado]

create_project -force tessera $out -part $part

# RTL: the ISA package first (the other files use it), the other packages, then the modules and
# the Verilog shell.
set isa [file join $root rtl tessera_isa_pkg.sv]
set pkgs [lsearch -all -inline -not -exact [lsort [glob [file join $root rtl *_pkg.sv]]] $isa]
set mods {}
foreach f [lsort [glob [file join $root rtl *.sv]]] {
  if {![string match *_pkg.sv $f]} { lappend mods $f }
}
add_files -norecurse [concat [list $isa] $pkgs $mods [list [file join $here tessera_zynq_wrap.v]]]
set_property file_type SystemVerilog [get_files *.sv]
add_files -fileset constrs_1 -norecurse [file join $here tessera_zynq.xdc]
update_compile_order -fileset sources_1

# ---- block design ---------------------------------------------------------------------------
create_bd_design tessera_bd
set ps [create_bd_cell -type ip -vlnv xilinx.com:ip:processing_system7:5.5 ps7]
apply_bd_automation -rule xilinx.com:bd_rule:processing_system7 \
  -config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"} $ps
set_property -dict [list \
  CONFIG.PCW_USE_M_AXI_GP0 {1} \
  CONFIG.PCW_USE_S_AXI_HP0 {1} \
  CONFIG.PCW_S_AXI_HP0_DATA_WIDTH {64} \
  CONFIG.PCW_USE_FABRIC_INTERRUPT {1} \
  CONFIG.PCW_IRQ_F2P_INTR {1} \
  CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ $fclk] $ps

set acc [create_bd_cell -type module -reference tessera_zynq_wrap tessera]
set_property -dict [list CONFIG.ArrayDim $dim CONFIG.AxiDataW {64}] $acc

# Registers: GP0 -> s_axil. Automation adds the interconnect (protocol conversion) and a
# proc_sys_reset on FCLK_CLK0 whose peripheral_aresetn drives rst_n.
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list \
  Clk_master {/ps7/FCLK_CLK0 (100 MHz)} Clk_slave {Auto} Clk_xbar {Auto} \
  Master {/ps7/M_AXI_GP0} Slave {/tessera/s_axil} intc_ip {New AXI Interconnect} \
  master_apm {0}] [get_bd_intf_pins tessera/s_axil]
# DMA: m_axi -> HP0 (DDR).
apply_bd_automation -rule xilinx.com:bd_rule:axi4 -config [list \
  Clk_master {Auto} Clk_slave {/ps7/FCLK_CLK0 (100 MHz)} Clk_xbar {Auto} \
  Master {/tessera/m_axi} Slave {/ps7/S_AXI_HP0} intc_ip {New AXI Interconnect} \
  master_apm {0}] [get_bd_intf_pins ps7/S_AXI_HP0]
connect_bd_net [get_bd_pins tessera/irq] [get_bd_pins ps7/IRQ_F2P]

# Address map: the register file is 4 KB (12-bit s_axil addresses); the DMA sees all of DDR.
assign_bd_address
foreach seg [get_bd_addr_segs -of_objects [get_bd_addr_spaces ps7/Data] -filter {NAME =~ *tessera*}] {
  set_property range 4K $seg
}
validate_bd_design
save_bd_design

set wrapper [make_wrapper -files [get_files tessera_bd.bd] -top]
add_files -norecurse $wrapper
set_property top tessera_bd_wrapper [current_fileset]
update_compile_order -fileset sources_1

# ---- synthesis, implementation, bitstream ---------------------------------------------------
launch_runs synth_1 -jobs 2
wait_on_run synth_1
if {[get_property PROGRESS [get_runs synth_1]] ne "100%"} { error "synthesis failed" }
launch_runs impl_1 -to_step write_bitstream -jobs 2
wait_on_run impl_1
if {[get_property PROGRESS [get_runs impl_1]] ne "100%"} { error "implementation failed" }

open_run impl_1
report_utilization -hierarchical -file [file join $out utilization_hier.rpt]
report_utilization -file [file join $out utilization.rpt]
report_timing_summary -max_paths 10 -file [file join $out timing.rpt]
file copy -force [glob [file join $out tessera.runs impl_1 *.bit]] [file join $out tessera_bd_wrapper.bit]
write_hw_platform -fixed -include_bit -force -file [file join $out tessera.xsa]
puts "tessera: bitstream, reports and tessera.xsa in $out"
