// Fuzz target: a checkpoint file (--resume FILE) read by decode_checkpoint(), then its
// identity compared with require_same_study(), then its state handed to the accumulators'
// loaders (Morris, Sobol', Shapley), as a resume would. A mutated file almost never keeps a
// valid CRC-64, so each input is decoded twice: as it is, and with its last 8 bytes replaced
// by the CRC of the rest, so that the fuzzer also reaches what lies behind the CRC check (a
// damaged file whose CRC was recomputed, or a checkpoint written by a buggy or hostile tool).
// Bad input must end as InputError; anything else that escapes, and every sanitizer report,
// is a crash.

#include <boost/crc.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "named_files.hpp"
#include "symbiomc/base/byte_stream.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/sampling/checkpoint.hpp"
#include "symbiomc/stats/morris.hpp"
#include "symbiomc/stats/shapley.hpp"
#include "symbiomc/stats/sobol.hpp"

namespace {

using namespace symbiomc;

/// The same CRC-64/ECMA-182 as src/sampling/checkpoint.cpp, stored in the machine's byte order.
std::string with_recomputed_crc(std::string_view bytes) {
  std::string fixed(bytes);
  if (fixed.size() < 8) return fixed;
  boost::crc_optimal<64, 0x42F0E1EBA9EA3693ULL, 0, 0, false, false> crc;
  crc.process_bytes(fixed.data(), fixed.size() - 8);
  const std::uint64_t sum = crc.checksum();
  std::memcpy(fixed.data() + fixed.size() - 8, &sum, 8);
  return fixed;
}

template <class Load>
void try_load(const std::string& state, Load load) {
  try {
    ByteReader in(state, "fuzz state");
    load(in);
  } catch (const InputError&) {
  }
}

void read(std::string_view bytes) {
  try {
    const Checkpoint checkpoint = decode_checkpoint(bytes, "fuzz.checkpoint");
    try {
      require_same_study(checkpoint, "uncertainty", {{"seed", "1"}, {"runs", "100"}}, "fuzz.checkpoint");
    } catch (const InputError&) {
    }
    try_load(checkpoint.state, [](ByteReader& in) { (void)MorrisAccumulator::load(in); });
    try_load(checkpoint.state, [](ByteReader& in) { (void)SobolAccumulator::load(in); });
    try_load(checkpoint.state, [](ByteReader& in) { (void)load_sobol_estimates(in); });
    try_load(checkpoint.state, [](ByteReader& in) { (void)ShapleyAccumulator::load(in); });
  } catch (const InputError&) {
    // Refused with a message: what a damaged checkpoint should get.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_text(data, size);
  read(bytes);
  read(with_recomputed_crc(bytes));
  return 0;
}
