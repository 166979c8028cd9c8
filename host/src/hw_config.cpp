#include "tessera/hw_config.hpp"

#include <sstream>

#include "tessera/device.hpp"

namespace tessera {

std::string HwConfig::describe() const {
  std::ostringstream os;
  os << array_dim << "x" << array_dim << " PEs, ABUF " << abuf_words << "x" << vec_bytes()
     << " B, WBUF " << wbuf_words << "x" << vec_bytes() << " B, ACC " << acc_words << "x"
     << wide_bytes() << " B, OBUF " << obuf_words << "x" << vec_bytes() << " B, PBUF "
     << pbuf_words << "x" << wide_bytes() << " B, AXI " << axi_data_bytes * 8 << " bit";
  if (out_lanes != array_dim) os << ", " << out_lanes << " output lanes";
  return os.str();
}

HwConfig default_config(unsigned array_dim) {
  HwConfig c;
  c.array_dim = array_dim;
  c.out_lanes = array_dim;
  return c;
}

std::string RunResult::describe() const {
  std::ostringstream os;
  if (timed_out)
    os << "timed out";
  else if (error != isa::Error::kNone)
    os << "fault " << isa::error_name(error) << " at command " << err_info;
  else if (done)
    os << "done";
  else
    os << "not finished";
  os << ", " << counter(isa::Counter::kCycles) << " cycles";
  return os.str();
}

}  // namespace tessera
