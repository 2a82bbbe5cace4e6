#pragma once
// A fresh temporary directory per test and process, removed at the end: shared by the tests
// that write files (result folders, edited copies of a case, captured output).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace symbiomc::test {

class ScratchDir {
 public:
  /// `group` names the parent folder under the system temp directory; the folder itself is
  /// named after the running test (or test suite, when made in SetUpTestSuite) and the
  /// process, and made anew, so parallel ctest runs never share one.
  explicit ScratchDir(const std::string& group = "symbiomc_tests") {
    namespace fs = std::filesystem;
    const fs::path parent = fs::temp_directory_path() / group;
    fs::create_directories(parent);
    const std::string stem = running_test() + "." + std::to_string(::getpid());
    for (int suffix = 0;; ++suffix) {
      dir_ = parent / (stem + "." + std::to_string(suffix));
      if (fs::create_directory(dir_)) break;
    }
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return dir_; }
  [[nodiscard]] std::string sub(const std::string& name) const { return (dir_ / name).string(); }

 private:
  static std::string running_test() {
    const auto* unit = ::testing::UnitTest::GetInstance();
    if (const auto* info = unit->current_test_info()) return std::string(info->test_suite_name()) + "." + info->name();
    if (const auto* suite = unit->current_test_suite()) return suite->name();
    return "no_test";
  }

  std::filesystem::path dir_;
};

}  // namespace symbiomc::test
