// Hyperband and successive halving: integer plans and the rung-by-rung driver (see hyperband.hpp).
#include "typetune/engine/hyperband.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "typetune/desc/direction.hpp"

namespace typetune {
namespace {

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    throw std::invalid_argument("typetune: Hyperband plan overflows 64-bit integers");
  }
  return r;
}

// Totals of a plan: a sum of products that must not wrap (R = 1e16 with eta = 2 would).
[[noreturn]] void total_overflows() {
  throw std::overflow_error("typetune: the schedule's total resource does not fit in a 64-bit integer; lower "
                            "max_resource or the number of configurations");
}

std::int64_t total_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) total_overflows();
  return r;
}

std::int64_t total_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) total_overflows();
  return r;
}

// Every total a plan shows, computed once so that an unrepresentable plan is rejected up front.
void check_totals(const schedule_plan& plan) {
  (void)plan.total_configs();
  (void)plan.total_resource();
  (void)plan.total_resource_resumed();
}

std::int64_t ipow(std::int64_t base, std::int64_t exp) {
  std::int64_t r = 1;
  for (std::int64_t i = 0; i < exp; ++i) r = checked_mul(r, base);
  return r;
}

void check(const hyperband_options& o) {
  if (o.min_resource < 1) {
    throw std::invalid_argument("typetune: Hyperband needs min_resource >= 1, got " +
                                std::to_string(o.min_resource));
  }
  if (o.max_resource < o.min_resource) {
    throw std::invalid_argument("typetune: Hyperband needs max_resource (" +
                                std::to_string(o.max_resource) + ") >= min_resource (" +
                                std::to_string(o.min_resource) + ")");
  }
  if (o.reduction_factor < 2) {
    throw std::invalid_argument("typetune: Hyperband needs reduction_factor >= 2, got " +
                                std::to_string(o.reduction_factor));
  }
}

// floor(log_eta(R / r)) without floating point: the largest s with r * eta^s <= R.
std::int64_t compute_s_max(const hyperband_options& o) {
  std::int64_t s = 0;
  for (std::int64_t p = o.min_resource; p <= o.max_resource / o.reduction_factor; p *= o.reduction_factor) ++s;
  return s;
}

bracket_plan make_bracket(const hyperband_options& o, std::int64_t s, std::int64_t n) {
  bracket_plan b;
  b.index = s;
  for (std::int64_t i = 0; i <= s; ++i) {
    const auto configs = std::max<std::int64_t>(1, n / ipow(o.reduction_factor, i));
    b.rungs.push_back({configs, o.max_resource / ipow(o.reduction_factor, s - i)});
  }
  return b;
}

}  // namespace

std::int64_t bracket_plan::total_resource() const {
  std::int64_t total = 0;
  for (const auto& r : rungs) total = total_add(total, total_mul(r.configs, r.resource));
  return total;
}

std::int64_t bracket_plan::total_resource_resumed() const {
  std::int64_t total = 0;
  std::int64_t previous = 0;
  for (const auto& r : rungs) {
    total = total_add(total, total_mul(r.configs, r.resource - previous));
    previous = r.resource;
  }
  return total;
}

std::int64_t schedule_plan::total_configs() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) total = total_add(total, b.rungs.empty() ? 0 : b.rungs.front().configs);
  return total;
}

std::int64_t schedule_plan::total_resource() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) total = total_add(total, b.total_resource());
  return total;
}

std::int64_t schedule_plan::total_resource_resumed() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) total = total_add(total, b.total_resource_resumed());
  return total;
}

std::string schedule_plan::to_text() const {
  const auto& u = options.unit;
  std::ostringstream out;
  out << algorithm << ": min_resource " << options.min_resource << ", max_resource "
      << options.max_resource << " " << u << ", reduction factor " << options.reduction_factor
      << ", s_max " << s_max << ", " << brackets.size()
      << (brackets.size() == 1 ? " bracket\n" : " brackets\n");
  // Columns as wide as their header or their longest number, whichever is wider.
  const std::string heads[] = {"bracket", "rung", "configs", u + " each", u + " total"};
  std::size_t widths[5];
  for (std::size_t c = 0; c < 5; ++c) widths[c] = heads[c].size();
  const auto widen = [&widths](std::size_t c, std::int64_t v) {
    widths[c] = std::max(widths[c], std::to_string(v).size());
  };
  for (const auto& b : brackets) {
    for (std::size_t i = 0; i < b.rungs.size(); ++i) {
      widen(0, b.index);
      widen(1, static_cast<std::int64_t>(i));
      widen(2, b.rungs[i].configs);
      widen(3, b.rungs[i].resource);
      widen(4, total_mul(b.rungs[i].configs, b.rungs[i].resource));
    }
  }
  const auto pad = [](const std::string& s, std::size_t width) {
    return std::string(s.size() < width ? width - s.size() : 0, ' ') + s;
  };
  for (std::size_t c = 0; c < 5; ++c) out << (c == 0 ? "" : "  ") << pad(heads[c], widths[c]);
  out << "\n";
  for (const auto& b : brackets) {
    for (std::size_t i = 0; i < b.rungs.size(); ++i) {
      const auto& r = b.rungs[i];
      const std::int64_t cells[] = {b.index, static_cast<std::int64_t>(i), r.configs, r.resource,
                                    total_mul(r.configs, r.resource)};
      for (std::size_t c = 0; c < 5; ++c) out << (c == 0 ? "" : "  ") << pad(std::to_string(cells[c]), widths[c]);
      out << "\n";
    }
  }
  out << "total: " << total_configs() << " configurations, " << total_resource() << " " << u
      << " when every rung trains from scratch, " << total_resource_resumed() << " " << u
      << " when promoted configurations resume from a checkpoint\n";
  return out.str();
}

schedule_plan plan_hyperband(const hyperband_options& options) {
  check(options);
  schedule_plan plan{"hyperband", options, compute_s_max(options), {}};
  for (std::int64_t s = plan.s_max; s >= 0; --s) {
    // n = ceil((s_max + 1) * eta^s / (s + 1)): every bracket gets about the same total budget.
    const auto n = (checked_mul(plan.s_max + 1, ipow(options.reduction_factor, s)) + s) / (s + 1);
    plan.brackets.push_back(make_bracket(options, s, n));
  }
  check_totals(plan);
  return plan;
}

schedule_plan plan_successive_halving(const hyperband_options& options, std::int64_t n_configs) {
  check(options);
  schedule_plan plan{"successive halving", options, compute_s_max(options), {}};
  const auto n = n_configs > 0 ? n_configs : ipow(options.reduction_factor, plan.s_max);
  plan.brackets.push_back(make_bracket(options, plan.s_max, n));
  check_totals(plan);
  return plan;
}

std::int64_t schedule_report::total_configs() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) total += b.empty() ? 0 : b.front().configs;
  return total;
}

std::int64_t schedule_report::total_resource() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) {
    for (const auto& r : b) total += r.resource_used;
  }
  return total;
}

std::int64_t schedule_report::total_resource_resumed() const {
  std::int64_t total = 0;
  for (const auto& b : brackets) {
    for (const auto& r : b) total += r.resource_resumed;
  }
  return total;
}

bool schedule_report::matches(const schedule_plan& plan) const {
  if (brackets.size() != plan.brackets.size()) return false;
  for (std::size_t b = 0; b < brackets.size(); ++b) {
    const auto& ran = brackets[b];
    const auto& planned = plan.brackets[b].rungs;
    if (ran.size() != planned.size()) return false;
    for (std::size_t i = 0; i < ran.size(); ++i) {
      if (ran[i].configs != planned[i].configs || ran[i].resource != planned[i].resource) return false;
    }
  }
  return true;
}

schedule_report run_schedule(study_core& study, const objective& f, const schedule_plan& plan,
                             std::size_t workers, std::optional<std::chrono::duration<double>> trial_time_limit) {
  const auto dir = study.options().dir;
  schedule_report report;
  for (const auto& bracket : plan.brackets) {
    if (study.stop_requested()) break;
    auto& bracket_report = report.brackets.emplace_back();
    std::vector<trial_ticket> alive;
    for (std::int64_t i = 0; i < bracket.rungs.front().configs; ++i) {
      if (study.stop_requested()) break;
      auto ticket = study.ask();
      if (!ticket) break;  // a finite space ran out: the bracket runs short
      alive.push_back(std::move(*ticket));
    }

    std::int64_t previous = 0;
    for (std::size_t rung = 0; rung < bracket.rungs.size() && !alive.empty(); ++rung) {
      if (study.stop_requested()) {
        // Promoted (or asked) configurations that will not run this rung: stopped by the request.
        for (const auto& t : alive) study.finish(t.number, {trial_state::interrupted, {}, "stop requested"});
        alive.clear();
        break;
      }
      const auto resource = bracket.rungs[rung].resource;
      auto& rr = bracket_report.emplace_back();
      rr.resource = resource;
      rr.configs = static_cast<std::int64_t>(alive.size());
      rr.resource_used = rr.configs * resource;
      rr.resource_resumed = rr.configs * (resource - previous);
      for (const auto& t : alive) rr.trials.push_back(t.number);

      // The rung's configurations are independent: spread them over the workers.
      std::vector<trial_result> results(alive.size());
      std::atomic<std::size_t> next{0};
      std::mutex error_mutex;
      std::exception_ptr error;
      bool storage_failed = false;
      const auto work = [&] {
        for (std::size_t j; (j = next.fetch_add(1)) < alive.size();) {
          try {
            results[j] = study.evaluate(alive[j], f, resource, previous, trial_time_limit);
          } catch (const storage_error&) {
            std::lock_guard lock(error_mutex);
            storage_failed = true;
            error = std::current_exception();
          } catch (const std::exception& e) {
            results[j] = {trial_state::failed, {}, e.what()};
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
          }
        }
      };
      const auto threads = std::clamp<std::size_t>(workers, 1, alive.size());
      if (threads == 1) {
        work();
      } else {
        std::vector<std::jthread> pool;
        for (std::size_t w = 0; w < threads; ++w) pool.emplace_back(work);
      }

      // The storage failed past its retries: nothing more can be recorded; the rung's trials
      // stay running in the store until the heartbeat's grace period hands them on.
      if (storage_failed) std::rethrow_exception(error);
      std::vector<std::size_t> survivors;
      for (std::size_t j = 0; j < alive.size(); ++j) {
        if (results[j].state == trial_state::complete) {
          study.report(alive[j].number, resource, *results[j].value);
          survivors.push_back(j);
        } else {
          study.finish(alive[j].number, results[j]);
        }
      }
      if (error) {
        for (const auto j : survivors) study.finish(alive[j].number, {trial_state::failed, {}, "schedule stopped"});
        std::rethrow_exception(error);
      }
      std::sort(survivors.begin(), survivors.end(), [&](std::size_t a, std::size_t b) {
        const double va = *results[a].value;
        const double vb = *results[b].value;
        if (va != vb) return better(dir, va, vb);
        return alive[a].number < alive[b].number;
      });

      const bool last = rung + 1 == bracket.rungs.size();
      const auto keep = last ? survivors.size()
                             : std::min<std::size_t>(survivors.size(),
                                                     static_cast<std::size_t>(bracket.rungs[rung + 1].configs));
      std::vector<trial_ticket> promoted;
      for (std::size_t k = 0; k < survivors.size(); ++k) {
        const auto j = survivors[k];
        if (k < keep && !last) {
          promoted.push_back(std::move(alive[j]));
        } else {
          study.finish(alive[j].number,
                       {k < keep ? trial_state::complete : trial_state::pruned, results[j].value, {}});
        }
      }
      alive = std::move(promoted);
      previous = resource;
    }
  }
  return report;
}

}  // namespace typetune
