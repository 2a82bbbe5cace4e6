#include "report/input/json_file.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "report/input/text_file.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc::detail {

namespace {

/// Line and column (from 1) of the byte at `offset`, so an editor can jump to the defect.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < std::min(offset, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

/// nlohmann's message without its "[json.exception.<kind>.<id>] " prefix.
std::string reason_of(const std::exception& e) {
  std::string reason = e.what();
  if (const auto bracket = reason.find("] "); reason.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos)
    reason = reason.substr(bracket + 2);
  return reason;
}

}  // namespace

JsonFile::JsonFile(std::string path, std::string producer) : path_(std::move(path)), producer_(std::move(producer)) {
  const std::string text = read_text_file(path_);
  const auto malformed = [&](std::size_t line, std::size_t column, const std::string& reason) {
    return InputError(SourceLocation{path_, line, column},
                      message("malformed JSON (", reason, "); expected the ",
                              std::filesystem::path(path_).filename().string(), " written by ", producer_));
  };
  try {
    root_ = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string reason = e.what();
    if (const auto colon = reason.find(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
    const auto [line, column] = line_and_column(text, e.byte > 0 ? e.byte - 1 : 0);
    throw malformed(line, column, reason);
  } catch (const json::exception& e) {
    // Not a syntax error but a value the parser cannot hold, e.g. out_of_range 406, a number
    // that overflows a double ("1e999"). It has no byte offset; its message quotes the token,
    // whose first occurrence locates it (line 0 when it cannot be found).
    const std::string reason = reason_of(e);
    std::size_t line = 0, column = 0;
    if (const auto open = reason.find('\''); open != std::string::npos) {
      const auto close = reason.find('\'', open + 1);
      const std::string token =
          reason.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
      if (const auto at = token.empty() ? std::string::npos : text.find(token); at != std::string::npos)
        std::tie(line, column) = line_and_column(text, at);
    }
    throw malformed(line, column, reason);
  }
  if (!root_.is_object()) fail("", message("expected a JSON object at the top level, found ", kind(root_)));
}

void JsonFile::fail(const std::string& where, const std::string& what) const {
  throw InputError(SourceLocation{path_, 0, 0},
                   message(where.empty() ? "" : where + ": ", what, " (is this the file written by ", producer_, "?)"));
}

const JsonFile::json& JsonFile::member(const json& object, std::string_view key, const std::string& where) const {
  const auto it = object.find(key);
  if (it == object.end()) fail(join(where, key), "missing");
  return *it;
}

const JsonFile::json& JsonFile::array(const json& object, std::string_view key, const std::string& where) const {
  const json& v = member(object, key, where);
  if (!v.is_array()) fail(join(where, key), message("expected an array, found ", kind(v)));
  return v;
}

const JsonFile::json& JsonFile::object(const json& object, std::string_view key, const std::string& where) const {
  const json& v = member(object, key, where);
  if (!v.is_object()) fail(join(where, key), message("expected an object, found ", kind(v)));
  return v;
}

double JsonFile::number(const json& object, std::string_view key, const std::string& where) const {
  const json& v = member(object, key, where);
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) fail(join(where, key), message("expected a number, found ", kind(v)));
  return v.get<double>();
}

double JsonFile::number_or(const json& object, std::string_view key, const std::string& where, double fallback) const {
  return object.contains(key) ? number(object, key, where) : fallback;
}

std::string JsonFile::text(const json& object, std::string_view key, const std::string& where) const {
  const json& v = member(object, key, where);
  if (!v.is_string()) fail(join(where, key), message("expected a string, found ", kind(v)));
  return v.get<std::string>();
}

std::string JsonFile::text_or(const json& object, std::string_view key, const std::string& where,
                              std::string fallback) const {
  return object.contains(key) ? text(object, key, where) : fallback;
}

bool JsonFile::boolean_or(const json& object, std::string_view key, const std::string& where, bool fallback) const {
  if (!object.contains(key)) return fallback;
  const json& v = object.at(key);
  if (!v.is_boolean()) fail(join(where, key), message("expected true or false, found ", kind(v)));
  return v.get<bool>();
}

std::pair<double, double> JsonFile::interval(const json& object, std::string_view key, const std::string& where) const {
  const json& v = array(object, key, where);
  if (v.size() != 2) fail(join(where, key), message("expected [low, high], found ", v.size(), " elements"));
  auto get = [&](std::size_t i) {
    if (v[i].is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!v[i].is_number()) fail(join(where, key), message("expected numbers, found ", kind(v[i])));
    return v[i].get<double>();
  };
  return {get(0), get(1)};
}

std::string JsonFile::join(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string JsonFile::at(const std::string& where, std::string_view key, std::size_t index) {
  return join(where, key) + "[" + std::to_string(index) + "]";
}

std::string JsonFile::kind(const json& value) {
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  return "an object";
}

}  // namespace symbiomc::detail
