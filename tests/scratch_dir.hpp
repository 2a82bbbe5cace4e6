#pragma once
// A fresh temporary directory per test and process, removed at the end: shared by the tests
// that run commands writing result files.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace symbiomc::testing_support {

class ScratchDir {
 public:
  /// `group` names the parent folder under the system temp directory (one per test program).
  explicit ScratchDir(const std::string& group) {
    namespace fs = std::filesystem;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const fs::path parent = fs::temp_directory_path() / group;
    fs::create_directories(parent);
    const std::string stem = std::string(info->test_suite_name()) + "." + info->name() + "." + std::to_string(::getpid());
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
  [[nodiscard]] std::filesystem::path path() const { return dir_; }
  [[nodiscard]] std::string sub(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace symbiomc::testing_support
