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
    : BlockDeciles(v, n, n_parameters, {}) {}

BlockDeciles::BlockDeciles(std::span<const double> v, std::size_t n, std::size_t n_parameters,
                           std::vector<std::uint32_t> storage)
    : n_runs_(n), n_parameters_(n_parameters), runs_(std::move(storage)), counts_(2 * n_parameters, 0) {
  if (v.size() != n_parameters * n) {
    throw ModelError(message("decile means: expected ", n_parameters, " x ", n, " coordinates, got ", v.size()));
  }
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw ModelError(message("decile means: a block of ", n, " runs is more than one call can take"));
  // A list is read only up to its count, and only about a fifth of the 2 d n slots are ever
  // written: reused storage keeps whatever it held (zeroing it per block was a large part of a
  // decision's cost), and fresh storage is zeroed once.
  runs_.resize(2 * n_parameters * n);
  for (std::size_t j = 0; j < n_parameters; ++j) {
    const double* coordinate = v.data() + j * n;
    std::uint32_t* low = runs_.data() + 2 * j * n;
    std::uint32_t* high = low + n;
    std::size_t n_low = 0, n_high = 0;
    for (std::size_t r = 0; r < n; ++r) {
      // Always written, kept only when in the decile: no branch on the coordinate, which is
      // random. The write goes at most to slot n - 1 of the list (n_low <= r).
      low[n_low] = static_cast<std::uint32_t>(r);
      high[n_high] = static_cast<std::uint32_t>(r);
      n_low += coordinate[r] < DECILE_LOW ? 1 : 0;
      n_high += coordinate[r] >= DECILE_HIGH ? 1 : 0;
    }
    counts_[2 * j] = n_low;
    counts_[2 * j + 1] = n_high;
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
