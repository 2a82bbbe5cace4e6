#include "interrupt.hpp"

#include <csignal>

namespace symbiomc::cli {

namespace {
std::atomic<bool> interrupted{false};  // see interrupt.hpp: the only static state, for the signal handler
extern "C" void on_signal(int) { interrupted.store(true); }
using Handler = void (*)(int);
Handler previous_int = SIG_DFL;
Handler previous_term = SIG_DFL;
}  // namespace

InterruptGuard::InterruptGuard() {
  interrupted.store(false);
  previous_int = std::signal(SIGINT, on_signal);
  previous_term = std::signal(SIGTERM, on_signal);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_int == SIG_ERR ? SIG_DFL : previous_int);
  std::signal(SIGTERM, previous_term == SIG_ERR ? SIG_DFL : previous_term);
}

const std::atomic<bool>* InterruptGuard::flag() const noexcept { return &interrupted; }

}  // namespace symbiomc::cli
