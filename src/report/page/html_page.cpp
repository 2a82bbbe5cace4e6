// The page itself: the template filled with the title, the inlined libraries, the data blob
// and the page script; everything taken from the result files reaches the page escaped.
#include "symbiomc/report/html_report.hpp"

#include <cctype>
#include <map>
#include <set>
#include <string>

#include "report/page/page_assets.hpp"
#include "symbiomc/base/error.hpp"

namespace symbiomc {

namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// Fills @SYMBIOMC_NAME@ placeholders in one pass, so inserted text is never scanned again.
std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  std::set<std::string> used;
  std::size_t pos = 0;
  constexpr std::string_view OPEN = "@SYMBIOMC_";
  while (true) {
    const auto start = page.find(OPEN, pos);
    if (start == std::string_view::npos) break;
    auto end = start + 1;
    while (end < page.size() && (std::isupper(static_cast<unsigned char>(page[end])) || page[end] == '_')) ++end;
    if (end == page.size() || page[end] != '@') {  // not a placeholder: keep the text
      out.append(page.substr(pos, end - pos));
      pos = end;
      continue;
    }
    const std::string name(page.substr(start + 1, end - start - 1));
    const auto it = values.find(name);
    if (it == values.end()) throw ModelError(message("report template: unknown placeholder @", name, "@"));
    out.append(page.substr(pos, start - pos));
    out += it->second;
    used.insert(name);
    pos = end + 1;
  }
  out.append(page.substr(pos));
  for (const auto& [name, value] : values)
    if (!used.count(name)) throw ModelError(message("report template: placeholder @", name, "@ is missing"));
  return out;
}

}  // namespace

std::string escape_json_for_html_script(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // '<', '>' and '&' can only occur inside JSON strings, where \u escapes mean the same.
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
             (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_html_report(std::string_view data_json, std::string_view title) {
  return fill_template(detail::report_asset("template.html"),
                       {{"SYMBIOMC_TITLE", html_escape(title)},
                        {"SYMBIOMC_LIBRARIES", detail::inlined_libraries()},
                        {"SYMBIOMC_DATA", escape_json_for_html_script(data_json)},
                        {"SYMBIOMC_APP", std::string(detail::report_asset("report.js"))}});
}

}  // namespace symbiomc
