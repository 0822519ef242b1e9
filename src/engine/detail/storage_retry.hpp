// Retrying a storage call that failed for a reason that passes (a database restarting, a lock
// held past the busy timeout: storage_errc::io), for a bounded time, so that a hiccup of the
// database costs a pause rather than the trial it was written for.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "typetune/engine/trial_storage.hpp"

namespace typetune::detail {

// Calls f() until it returns, retrying after an io storage_error with waits of 50 ms doubling up
// to 2 s, for at most `limit` in all. Other errors pass at once; once the time is up the last
// io error is thrown again, saying how long the storage was tried.
template <class F>
decltype(auto) with_storage_retry(std::chrono::duration<double> limit, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  auto wait = std::chrono::duration<double>(0.05);
  for (;;) {
    try {
      return f();
    } catch (const storage_error& e) {
      if (e.code() != storage_errc::io) throw;
      const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - start;
      if (spent + wait > limit) {
        if (limit.count() <= 0) throw;
        throw storage_error(storage_errc::io, std::string(e.what()) + " (still failing after " +
                                                  std::to_string(static_cast<long long>(spent.count())) +
                                                  " s of retries; study_options::storage_retry)");
      }
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::duration<double>(2.0));
    }
  }
}

}  // namespace typetune::detail
