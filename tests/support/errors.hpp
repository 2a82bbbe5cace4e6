#pragma once
// The message of the InputError an action throws, so a test can compare the whole what()
// string (fmt's EXPECT_THROW_MSG idea).

#include <exception>
#include <string>

#include "symbiomc/base/error.hpp"

namespace symbiomc::test {

/// what() of the InputError that `action` throws; "<no InputError>" when it throws none and
/// "<not an InputError: what()>" for any other exception, so that a comparison with the
/// expected message fails and shows what happened instead.
template <typename Action>
std::string input_error_of(Action&& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<not an InputError: ") + e.what() + ">";
  }
  return "<no InputError>";
}

}  // namespace symbiomc::test
