#include "terminal_summary.hpp"

#include "symbiomc/base/error.hpp"

namespace symbiomc::cli {

ShownOutputs::ShownOutputs(const Study& study, bool all) : all_(all), every_output_(!study.network) {
  if (all_ || every_output_) return;
  outputs_ = study.network->outputs.size();
  for (const Output& o : study.network->outputs)
    if (o.headline) headline_.insert(o.name);
}

std::string ShownOutputs::hidden_note() const {
  if (all_ || every_output_ || headline_.size() == outputs_) return "";
  return message("the ", headline_.size(), " headline outputs of ", outputs_);
}

}  // namespace symbiomc::cli
