#include "symbiomc/problem/problem.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <unordered_set>

namespace symbiomc {

Problem::Problem(std::string path, std::uint64_t checksum, std::vector<UncertainParameter> parameters,
                 std::vector<FixedParameter> fixed)
    : path_(std::move(path)), checksum_(checksum), parameters_(std::move(parameters)), fixed_(std::move(fixed)) {
  std::unordered_set<std::string> names;
  for (const auto& p : parameters_) {
    if (!names.insert(p.name).second)
      throw std::invalid_argument(message("Problem: duplicate parameter '", p.name, "'"));
  }
  for (const auto& f : fixed_) {
    if (!names.insert(f.name).second)
      throw std::invalid_argument(message("Problem: duplicate parameter '", f.name, "'"));
  }
  // Groups in first-appearance order, as SALib's compute_groups_matrix orders them; a linear
  // search is fine for the tens of parameters a case has.
  group_of_.reserve(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string& g = parameters_[i].group.empty() ? parameters_[i].name : parameters_[i].group;
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const ParameterGroup& x) { return x.name == g; });
    if (it == groups_.end()) {
      groups_.push_back(ParameterGroup{g, {}});
      it = groups_.end() - 1;
    }
    it->members.push_back(i);
    group_of_.push_back(static_cast<std::size_t>(it - groups_.begin()));
  }
}

Problem Problem::with_correlation(RankCorrelation correlation) const {
  if (correlation.dimension() != dimension()) {
    throw std::invalid_argument(message("Problem::with_correlation: built for ", correlation.dimension(),
                                        " parameters, the problem has ", dimension()));
  }
  Problem out = *this;
  out.correlation_ = std::move(correlation);
  return out;
}

Problem Problem::without(std::span<const std::string> names) const {
  auto dropped = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  std::vector<UncertainParameter> kept;
  std::vector<std::size_t> new_index(parameters_.size(), parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (!dropped(parameters_[i].name)) {
      new_index[i] = kept.size();
      kept.push_back(parameters_[i]);
    }
  std::vector<FixedParameter> fixed;
  for (const auto& f : fixed_)
    if (!dropped(f.name)) fixed.push_back(f);
  Problem out(path_, checksum_, std::move(kept), std::move(fixed));
  if (!correlation_) return out;
  std::vector<CorrelationPair> pairs;
  for (CorrelationPair pair : correlation_->pairs()) {
    if (new_index[pair.a] == parameters_.size() || new_index[pair.b] == parameters_.size()) continue;
    pair.a = new_index[pair.a];
    pair.b = new_index[pair.b];
    pairs.push_back(std::move(pair));
  }
  if (pairs.empty()) return out;
  return out.with_correlation(
      RankCorrelation(out.dimension(), std::move(pairs), correlation_->path(), correlation_->checksum()));
}

std::size_t Problem::scratch_size() const noexcept { return correlation_ ? correlation_->scratch_size() : 0; }

void Problem::to_physical(std::span<const double> u, std::span<double> x, std::span<double> scratch) const noexcept {
  assert(u.size() == parameters_.size() && x.size() == parameters_.size() && scratch.size() >= scratch_size());
  std::copy(u.begin(), u.end(), x.begin());
  if (correlation_) correlation_->apply(x, scratch);
  for (std::size_t i = 0; i < parameters_.size(); ++i) x[i] = quantile(parameters_[i].dist, x[i]);
}

void Problem::to_physical(std::span<const double> u, std::span<double> x, std::span<double> scratch,
                          std::span<double> v) const noexcept {
  assert(v.size() == parameters_.size());
  std::copy(u.begin(), u.end(), v.begin());
  if (correlation_) correlation_->apply(v, scratch);
  for (std::size_t i = 0; i < parameters_.size(); ++i) x[i] = quantile(parameters_[i].dist, v[i]);
}

}  // namespace symbiomc
