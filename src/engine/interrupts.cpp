// The SIGINT handler behind sigint_scope (see typetune/engine/interrupts.hpp). The handler only
// touches lock-free atomics, calls request_stop() (an atomic store), write() and _Exit().
#include "typetune/engine/interrupts.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace typetune {
namespace {

std::atomic<study_core*> target{nullptr};
std::atomic<int> count{0};
static_assert(std::atomic<study_core*>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void say(const char* text, std::size_t size) {
#if defined(__unix__) || defined(__APPLE__)
  [[maybe_unused]] const auto written = ::write(2, text, size);
#else
  (void)text;
  (void)size;
#endif
}

extern "C" void on_sigint(int) {
  if (count.fetch_add(1) > 0) {
    say("\ntypetune: second interrupt, exiting\n", 37);
    std::_Exit(130);
  }
  if (auto* study = target.load()) study->request_stop();
  static constexpr char msg[] = "\ntypetune: interrupt: finishing running trials (Ctrl-C again to quit now)\n";
  say(msg, sizeof msg - 1);
}

}  // namespace

#if defined(__unix__) || defined(__APPLE__)
struct sigint_scope::saved {
  study_core* study = nullptr;
  int count = 0;
  struct sigaction action {};
};

sigint_scope::sigint_scope(study_core& study) : saved_(std::make_unique<saved>()) {
  saved_->study = target.exchange(&study);
  saved_->count = count.exchange(0);
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &saved_->action);
}

sigint_scope::~sigint_scope() {
  sigaction(SIGINT, &saved_->action, nullptr);
  target.store(saved_->study);
  count.store(saved_->count);
}
#else
struct sigint_scope::saved {
  study_core* study = nullptr;
  int count = 0;
  void (*handler)(int) = SIG_DFL;
};

sigint_scope::sigint_scope(study_core& study) : saved_(std::make_unique<saved>()) {
  saved_->study = target.exchange(&study);
  saved_->count = count.exchange(0);
  saved_->handler = std::signal(SIGINT, on_sigint);
}

sigint_scope::~sigint_scope() {
  std::signal(SIGINT, saved_->handler);
  target.store(saved_->study);
  count.store(saved_->count);
}
#endif

}  // namespace typetune
