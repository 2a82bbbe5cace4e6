#include "symbiomc/stats/decile_means.hpp"

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

void DecileMeansAccumulator::add_block(std::span<const double> y, std::span<const double> v, std::size_t n) {
  if (y.size() != n_modes_ * n || v.size() != n_parameters_ * n) {
    throw ModelError(message("decile means: expected ", n_modes_, " x ", n, " outputs and ", n_parameters_, " x ", n,
                             " coordinates, got ", y.size(), " and ", v.size()));
  }
  for (std::size_t j = 0; j < n_parameters_; ++j) {
    const double* coordinate = v.data() + j * n;
    for (std::size_t r = 0; r < n; ++r) {
      const double c = coordinate[r];
      std::vector<Moments>* decile = c < DECILE_LOW ? &lowest_ : c >= DECILE_HIGH ? &highest_ : nullptr;
      if (decile == nullptr) continue;
      for (std::size_t m = 0; m < n_modes_; ++m) (*decile)[m * n_parameters_ + j].add(y[m * n + r]);
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
