#include "run_dump.hpp"

#include "symbiomc/base/number_format.hpp"

namespace symbiomc {

namespace {

std::string header(const Model& model) {
  std::string text = "run";
  for (const auto& in : model.inputs()) text += "," + in.name;
  for (const auto& m : model.modes()) text += ",status_" + m;
  for (const auto& o : model.outputs()) text += "," + o.mode + "." + o.output;
  return text + "\n";
}

}  // namespace

RunDump::RunDump(const std::string& path, const Model& model) : file_(path, "--dump-runs") {
  file_.write(header(model));
}

void append_run_line(std::string& lines, std::uint64_t run, std::span<const double> x,
                     std::span<const RunStatus> status, std::span<const double> y,
                     std::span<const std::size_t> output_mode) {
  lines += std::to_string(run);
  for (const double value : x) lines += "," + seventeen_digit_number(value);
  for (const RunStatus s : status) lines += std::string(",") + std::string(to_string(s));
  for (std::size_t o = 0; o < y.size(); ++o)
    lines += status[output_mode[o]] == RunStatus::ok ? "," + seventeen_digit_number(y[o]) : std::string(",");
  lines += "\n";
}

}  // namespace symbiomc
