#include "symbiomc/stats/decile_means.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <tuple>

#include "symbiomc/base/error.hpp"
#include "symbiomc/stats/given_data.hpp"

namespace symbiomc {

namespace {

DecileMean summary_of(const Moments& m, double conf_level) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  DecileMean d{m.count(), nan, nan, nan};
  if (m.count() >= 1) d.mean = m.mean();
  if (m.count() >= 2) std::tie(d.low, d.high) = m.ci_mean(conf_level);
  return d;
}

}  // namespace

DecileMeansAccumulator::DecileMeansAccumulator(std::size_t n_modes, std::size_t n_parameters)
    : n_modes_(n_modes),
      n_parameters_(n_parameters),
      lowest_(n_modes * n_parameters),
      highest_(n_modes * n_parameters) {}

BlockDeciles::BlockDeciles(std::span<const double> v, std::size_t n, std::size_t n_parameters)
    : n_runs_(n), n_parameters_(n_parameters), first_(2 * n_parameters + 1, 0) {
  if (v.size() != n_parameters * n) {
    throw ModelError(message("decile means: expected ", n_parameters, " x ", n, " coordinates, got ", v.size()));
  }
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw ModelError(message("decile means: a block of ", n, " runs is more than one call can take"));
  auto in_low = [](double x) { return x < DECILE_LOW; };
  auto in_high = [](double x) { return x >= DECILE_HIGH; };
  // The lists one after the other, sized by a first counting pass (a fifth of the block per
  // parameter, where a list per parameter and decile sized for the whole block was
  // 2 d n entries, zeroed per block, of which 90 % stayed unused).
  for (std::size_t j = 0; j < n_parameters; ++j) {
    const double* coordinate = v.data() + j * n;
    std::size_t n_low = 0, n_high = 0;
    for (std::size_t r = 0; r < n; ++r) {
      n_low += in_low(coordinate[r]) ? 1 : 0;
      n_high += in_high(coordinate[r]) ? 1 : 0;
    }
    first_[2 * j + 1] = first_[2 * j] + n_low;
    first_[2 * j + 2] = first_[2 * j + 1] + n_high;
  }
  // The fill below writes each run's index at the list's end and keeps it only when the run is
  // in the decile (no branch on the coordinate, which is random). So it writes one slot past
  // the list's end: the next list's first slot, which that list's fill (later, the lists are
  // filled in order) overwrites, or for the last list the one spare slot.
  runs_.resize(first_.back() + 1);
  auto fill = [&](const double* coordinate, std::size_t cell, auto in_decile) {
    std::uint32_t* out = runs_.data() + first_[cell];
    std::size_t used = 0;
    for (std::size_t r = 0; r < n; ++r) {
      out[used] = static_cast<std::uint32_t>(r);
      used += in_decile(coordinate[r]) ? 1 : 0;
    }
  };
  for (std::size_t j = 0; j < n_parameters; ++j) {
    fill(v.data() + j * n, 2 * j, in_low);
    fill(v.data() + j * n, 2 * j + 1, in_high);
  }
}

void DecileMeansAccumulator::add_block(std::span<const double> y, std::span<const double> v, std::size_t n) {
  if (y.size() != n_modes_ * n || v.size() != n_parameters_ * n) {
    throw ModelError(message("decile means: expected ", n_modes_, " x ", n, " outputs and ", n_parameters_, " x ", n,
                             " coordinates, got ", y.size(), " and ", v.size()));
  }
  add_block(y, BlockDeciles(v, n, n_parameters_));
}

void DecileMeansAccumulator::add_block(std::span<const double> y, const BlockDeciles& deciles) {
  const std::size_t n = deciles.n_runs();
  if (y.size() != n_modes_ * n || deciles.n_parameters() != n_parameters_) {
    throw ModelError(message("decile means: expected ", n_modes_, " x ", n, " outputs and deciles of ", n_parameters_,
                             " parameters, got ", y.size(), " outputs and ", deciles.n_parameters(), " parameters"));
  }
  // Per parameter, decile and mode, the block's values are gathered and their moments
  // (Moments::of_values: two passes, no division per value) merged in; Welford's update per
  // value was the largest per-run cost of a decision (about 50 updates a run).
  std::vector<double> values;
  for (std::size_t j = 0; j < n_parameters_; ++j) {
    for (std::size_t d = 0; d < 2; ++d) {
      const std::span<const std::uint32_t> runs = deciles.runs(j, d);
      std::vector<Moments>& decile = d == 0 ? lowest_ : highest_;
      for (std::size_t m = 0; m < n_modes_; ++m) {
        const double* ym = y.data() + m * n;
        values.resize(runs.size());
        for (std::size_t i = 0; i < runs.size(); ++i) values[i] = ym[runs[i]];
        decile[m * n_parameters_ + j].merge(Moments::of_values(values));
      }
    }
  }
}

void DecileMeansAccumulator::merge(const DecileMeansAccumulator& other) {
  if (other.n_modes_ != n_modes_ || other.n_parameters_ != n_parameters_)
    throw ModelError("decile means: cannot merge accumulators of different shapes");
  for (std::size_t i = 0; i < lowest_.size(); ++i) {
    lowest_[i].merge(other.lowest_[i]);
    highest_[i].merge(other.highest_[i]);
  }
}

std::vector<DecileMeans> DecileMeansAccumulator::finalize(double conf_level) const {
  check_conf_level(conf_level);
  std::vector<DecileMeans> out;
  out.reserve(lowest_.size());
  for (std::size_t i = 0; i < lowest_.size(); ++i)
    out.push_back({summary_of(lowest_[i], conf_level), summary_of(highest_[i], conf_level)});
  return out;
}

void DecileMeansAccumulator::save(ByteWriter& out) const {
  out.u64(n_modes_);
  out.u64(n_parameters_);
  for (std::size_t i = 0; i < lowest_.size(); ++i) {
    lowest_[i].save(out);
    highest_[i].save(out);
  }
}

DecileMeansAccumulator DecileMeansAccumulator::load(ByteReader& in, std::size_t n_modes, std::size_t n_parameters) {
  if (in.u64() != n_modes || in.u64() != n_parameters) in.fail("decile means of this study's modes and parameters");
  DecileMeansAccumulator a(n_modes, n_parameters);
  for (std::size_t i = 0; i < a.lowest_.size(); ++i) {
    a.lowest_[i] = Moments::load(in);
    a.highest_[i] = Moments::load(in);
  }
  return a;
}

}  // namespace symbiomc
