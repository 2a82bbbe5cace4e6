#pragma once
// A minimal Chrome DevTools Protocol client for the browser tests: it starts headless
// Chromium with --remote-debugging-pipe and talks to it over that pipe (fd 3 in, fd 4 out,
// one JSON message per NUL-terminated chunk), so the tests need nothing but the `chromium`
// binary: no websocket library, no Node, no Python. It records every console message,
// exception and network request of the page, evaluates JavaScript and takes screenshots.
// Header-only and test-only; POSIX (fork/exec, socketpair, poll).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace symbiomc::test {

/// Path of a Chromium/Chrome binary: $SYMBIOMC_CHROMIUM, else the first of chromium,
/// chromium-browser, google-chrome, google-chrome-stable on PATH; "" when there is none.
inline std::string find_chromium() {
  if (const char* forced = std::getenv("SYMBIOMC_CHROMIUM"); forced && *forced)
    return std::filesystem::exists(forced) ? std::string(forced) : std::string();
  const char* path = std::getenv("PATH");
  if (!path) return "";
  const std::string dirs(path);
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    std::size_t start = 0;
    while (start <= dirs.size()) {
      const auto end = dirs.find(':', start);
      const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return "";
}

/// Sets `path` to the browser, or fails the calling test (from its SetUp): scripts/test.sh
/// installs Chromium, so a missing one is a broken set-up, never a reason to skip the page's
/// checks.
inline void require_chromium(std::string& path) {
  path = find_chromium();
  ASSERT_FALSE(path.empty()) << "no Chromium found (install the Debian package `chromium`, as "
                                "scripts/setup-debian.sh --test does, or set SYMBIOMC_CHROMIUM)";
}

class HeadlessChromium {
 public:
  using json = nlohmann::json;

  /// Starts `binary` headless with a fresh profile and attaches to its page.
  /// Throws std::runtime_error when it does not start or answer.
  explicit HeadlessChromium(const std::string& binary, int width = 1400, int height = 1000) {
    profile_ = std::filesystem::temp_directory_path() /
               ("symbiomc-chromium-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::filesystem::create_directories(profile_);
    int fds[2];
    // A socket rather than two pipes: send(MSG_NOSIGNAL) cannot kill the test with SIGPIPE
    // when the browser has died, and one bidirectional descriptor serves as both fd 3 and fd 4.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair failed");
    const std::string user_data = "--user-data-dir=" + profile_.string();
    const std::string log = (profile_ / "chromium.log").string();
    std::vector<std::string> args = {binary,
                                     "--headless",
                                     "--no-sandbox",  // needed as root (CI containers)
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--no-default-browser-check",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--disable-extensions",
                                     "--disable-dev-shm-usage",
                                     "--hide-scrollbars",
                                     "--mute-audio",
                                     user_data,
                                     "--remote-debugging-pipe",
                                     "about:blank"};
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Child: the browser end of the socket becomes fd 3 (commands in) and fd 4 (replies
      // out). Move it above 4 first, so dup2 never sees it already sitting on 3 or 4.
      const int high = ::fcntl(fds[1], F_DUPFD, 10);
      ::dup2(high, 3);
      ::dup2(high, 4);
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    socket_ = fds[0];
    const json targets = call("Target.getTargets", json::object(), false);
    std::string target;
    for (const auto& t : targets["targetInfos"])
      if (t["type"] == "page") target = t["targetId"];
    if (target.empty()) throw std::runtime_error("chromium has no page target");
    session_ = call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}}, false)["sessionId"];
    for (const char* domain : {"Page.enable", "Runtime.enable", "Network.enable", "Log.enable"}) call(domain);
    call("Emulation.setDeviceMetricsOverride",
         {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}});
  }

  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  ~HeadlessChromium() {
    try {
      if (socket_ >= 0) send_message("Browser.close", json::object(), false);
    } catch (...) {
    }
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 100 && !exited; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_)
        exited = true;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) {
      ::kill(pid_, SIGKILL);  // only the browser this object started
      ::waitpid(pid_, &status, 0);
    }
    if (socket_ >= 0) ::close(socket_);
    std::error_code ec;
    std::filesystem::remove_all(profile_, ec);
  }

  /// Sends a command (to the page's session unless `to_page` is false) and returns its
  /// result; events that arrive meanwhile are recorded. Throws on an error reply or timeout.
  json call(const std::string& method, const json& params = json::object(), bool to_page = true,
            double timeout_s = 60) {
    const int id = send_message(method, params, to_page);
    const auto deadline = std::chrono::steady_clock::now() + to_duration(timeout_s);
    while (true) {
      json m = read_message(deadline);
      if (m.contains("id") && m["id"] == id) {
        if (m.contains("error")) throw std::runtime_error(method + " failed: " + m["error"].dump());
        return m.value("result", json::object());
      }
      events_.push_back(std::move(m));
    }
  }

  /// Opens `url` and waits for its load event, then until `ready` (a JS expression) is true.
  void open(const std::string& url, const std::string& ready = "true", double timeout_s = 60) {
    const std::size_t first = events_.size();
    call("Page.navigate", {{"url", url}});
    const auto deadline = std::chrono::steady_clock::now() + to_duration(timeout_s);
    auto loaded = [&] {
      for (std::size_t i = first; i < events_.size(); ++i)
        if (events_[i].value("method", "") == "Page.loadEventFired") return true;
      return false;
    };
    while (!loaded()) events_.push_back(read_message(deadline));
    while (!evaluate("Boolean(" + ready + ")").get<bool>()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("page not ready: " + ready);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  /// Value of a JavaScript expression (JSON-serialisable).
  json evaluate(const std::string& expression) {
    const json r =
        call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
    if (r.contains("exceptionDetails")) throw std::runtime_error("evaluate failed: " + r["exceptionDetails"].dump());
    return r["result"].value("value", json());
  }

  /// PNG bytes of the region (0, 0, width, height) of the page, beyond the viewport if needed.
  std::string screenshot_png(int width, int height) {
    const json r = call("Page.captureScreenshot",
                        {{"format", "png"},
                         {"captureBeyondViewport", true},
                         {"clip", {{"x", 0}, {"y", 0}, {"width", width}, {"height", height}, {"scale", 1}}}},
                        true, 120);
    return base64_decode(r["data"].get<std::string>());
  }

  /// Console errors, uncaught exceptions and browser-logged errors (failed loads, CSP
  /// violations) seen so far, one line each.
  [[nodiscard]] std::vector<std::string> errors() const {
    std::vector<std::string> out;
    for (const auto& e : events_) {
      const std::string method = e.value("method", "");
      if (!e.contains("params")) continue;
      const json& p = e["params"];
      if (method == "Runtime.consoleAPICalled" && (p["type"] == "error" || p["type"] == "assert")) {
        std::string text = "console." + p["type"].get<std::string>() + ":";
        for (const auto& a : p["args"])
          text += " " + (a.contains("value") ? a["value"].dump() : a.value("description", ""));
        out.push_back(text);
      } else if (method == "Runtime.exceptionThrown") {
        const json& d = p["exceptionDetails"];
        out.push_back("exception: " + d.value("text", "") + " " +
                      (d.contains("exception") ? d["exception"].value("description", "") : std::string()));
      } else if (method == "Log.entryAdded" && p["entry"]["level"] == "error") {
        out.push_back("log: " + p["entry"].value("text", "") + " " + p["entry"].value("url", ""));
      }
    }
    return out;
  }

  /// URL of every request the page made (its own document included).
  [[nodiscard]] std::vector<std::string> requests() const {
    std::vector<std::string> out;
    for (const auto& e : events_)
      if (e.value("method", "") == "Network.requestWillBeSent") out.push_back(e["params"]["request"]["url"]);
    return out;
  }

 private:
  static std::chrono::steady_clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  }

  int send_message(const std::string& method, const json& params, bool to_page) {
    const int id = ++next_id_;
    json m{{"id", id}, {"method", method}, {"params", params}};
    if (to_page) m["sessionId"] = session_;
    std::string text = m.dump();
    text.push_back('\0');
    std::size_t sent = 0;
    while (sent < text.size()) {
      const ssize_t n = ::send(socket_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("chromium closed the debugging pipe");
      sent += static_cast<std::size_t>(n);
    }
    return id;
  }

  json read_message(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      const auto nul = buffer_.find('\0');
      if (nul != std::string::npos) {
        json m = json::parse(buffer_.substr(0, nul));
        buffer_.erase(0, nul + 1);
        return m;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) throw std::runtime_error("chromium did not answer in time");
      pollfd p{socket_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char chunk[1 << 16];
      const ssize_t n = ::recv(socket_, chunk, sizeof chunk, 0);
      if (n <= 0)
        throw std::runtime_error("chromium closed the debugging pipe (see " + (profile_ / "chromium.log").string() +
                                 ")");
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  static std::string base64_decode(const std::string& in) {
    auto value = [](char c) -> int {
      if (c >= 'A' && c <= 'Z') return c - 'A';
      if (c >= 'a' && c <= 'z') return c - 'a' + 26;
      if (c >= '0' && c <= '9') return c - '0' + 52;
      if (c == '+') return 62;
      if (c == '/') return 63;
      return -1;
    };
    std::string out;
    int bits = 0, buffer = 0;
    for (const char c : in) {
      const int v = value(c);
      if (v < 0) continue;
      buffer = (buffer << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
      }
    }
    return out;
  }

  pid_t pid_ = -1;
  int socket_ = -1;
  int next_id_ = 0;
  std::string session_;
  std::string buffer_;
  std::vector<json> events_;
  std::filesystem::path profile_;
};

}  // namespace symbiomc::test
