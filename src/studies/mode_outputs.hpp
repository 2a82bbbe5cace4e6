#pragma once
// Outputs grouped by mode, the unit of the sensitivity studies: a mode's outputs share its run
// status, so a base sample or trajectory is kept or dropped per mode.

#include <cstddef>
#include <vector>

#include "symbiomc/model/model.hpp"

namespace symbiomc {

/// Outputs of each mode, as indices into Model::outputs().
[[nodiscard]] inline std::vector<std::vector<std::size_t>> outputs_by_mode(const Model& model) {
  std::vector<std::vector<std::size_t>> out(model.modes().size());
  for (std::size_t k = 0; k < model.outputs().size(); ++k) out[model.outputs()[k].mode_index].push_back(k);
  return out;
}

/// The model's outputs, grouped as outputs_by_mode: what a result lists per mode.
[[nodiscard]] inline std::vector<std::vector<ModelOutput>> output_labels_by_mode(const Model& model) {
  std::vector<std::vector<ModelOutput>> out;
  for (const auto& indices : outputs_by_mode(model)) {
    out.emplace_back();
    for (std::size_t k : indices) out.back().push_back(model.outputs()[k]);
  }
  return out;
}

}  // namespace symbiomc
