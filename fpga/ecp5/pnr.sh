#!/usr/bin/env bash
# Place and route for the LFE5U-85F (CABGA381) with nextpnr-ecp5, then the bitstream with ecppack
# (tools: fpga/ecp5/tools.sh). $1 = build dir, $2 = fpga/ecp5. One thread. No ecppack: place
# and route still runs, no tessera.bit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
cd "$1"
ecp5_pnr "$2/tessera_ecp5.lpf" tessera
ecp5_pack tessera
