#include "symbiomc/base/error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace symbiomc {

std::string to_string(const SourceLocation& where) {
  std::string out;
  if (!where.file.empty()) out += where.file + ":";
  if (where.line > 0) out += std::to_string(where.line) + ":";
  if (where.column > 0) out += std::to_string(where.column) + ":";
  if (!out.empty()) out += " ";
  return out;
}

namespace {
std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\n";
    out += lines[i];
  }
  return out;
}

// Levenshtein distance, case-insensitive: the usual two-row dynamic programme. Hand-written
// because no dependency we carry offers it and it is a dozen lines.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c); };
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}
}  // namespace

InputErrors::InputErrors(std::vector<std::string> messages)
    : InputError(join_lines(messages)), messages_(std::move(messages)) {}

void ErrorList::add(const SourceLocation& where, const std::string& text) { add(to_string(where) + text); }

void ErrorList::add(const std::string& full_message) {
  if (messages_.size() < MAX_ERRORS) {
    messages_.push_back(full_message);
  } else {
    ++dropped_;
  }
}

void ErrorList::throw_if_any() const {
  if (messages_.empty()) return;
  if (messages_.size() == 1 && dropped_ == 0) throw InputError(messages_.front());
  auto all = messages_;
  if (dropped_ > 0) all.push_back(message("(", dropped_, " more errors not shown)"));
  throw InputErrors(std::move(all));
}

std::string_view to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::ok:
      return "ok";
    case RunStatus::not_converged:
      return "not_converged";
    case RunStatus::singular_recycle:
      return "singular_recycle";
    case RunStatus::negative_flow:
      return "negative_flow";
    case RunStatus::non_finite:
      return "non_finite";
    case RunStatus::out_of_domain:
      return "out_of_domain";
    case RunStatus::curve_not_increasing:
      return "curve_not_increasing";
  }
  return "unknown";
}

std::vector<std::string> nearest_names(std::string_view name, const std::vector<std::string>& candidates,
                                       std::size_t max_count) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    // Plausible: at most a third of the longer name differs, or one is a prefix of the other.
    const std::size_t longer = std::max(name.size(), candidate.size());
    const bool prefix =
        !name.empty() && (candidate.rfind(name, 0) == 0 || std::string_view(name).rfind(candidate, 0) == 0);
    if (distance * 3 <= longer + 2 || prefix) scored.emplace_back(distance, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < max_count; ++i) out.push_back(scored[i].second);
  return out;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto near = nearest_names(name, candidates);
  if (near.empty()) return "";
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < near.size(); ++i) {
    if (i) out += ", ";
    out += "'" + near[i] + "'";
  }
  return out + "?)";
}

}  // namespace symbiomc
