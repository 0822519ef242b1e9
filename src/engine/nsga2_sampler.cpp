// The NSGA-II sampler (see typetune/engine/nsga2_sampler.hpp): the parent population of a
// generation (select_population), and a child made from it by tournaments, uniform crossover and
// mutation (make_child).
#include "typetune/engine/nsga2_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/detail/param_mapping.hpp"
#include "typetune/desc/pareto.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A member of a parent population: what a tournament compares and what a child inherits.
struct parent {
  std::uint64_t number = 0;
  std::size_t candidate = 0;  // its index among the candidates it was chosen from
  std::size_t rank = 0;
  double crowding = 0;
  assignment params;
};

// Whether a wins a tournament against b: lower rank, then larger crowding distance, then lower
// trial number.
bool better(const parent& a, const parent& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.crowding != b.crowding) return a.crowding > b.crowding;
  return a.number < b.number;
}

// The trials a generation's parents are chosen from, in trial order: their numbers, losses (row
// by row) and violations, which are all that the selection reads, and their positions in the view.
struct candidates {
  std::size_t m = 1;
  bool constrained = false;
  std::vector<std::uint64_t> numbers;
  std::vector<double> losses, violations;
  std::vector<std::size_t> positions;

  [[nodiscard]] std::size_t size() const { return numbers.size(); }
};

// The usable trials numbered below `limit`: complete, with parameters of this space and every
// objective value (through view.goals when set, else the value in view.dir).
candidates gather(const study_view& view, std::uint64_t limit) {
  candidates c;
  c.m = view.goals ? view.goals->size() : 1;
  c.constrained = view.goals && view.goals->constrained();
  c.numbers.reserve(view.trials.size());
  c.losses.reserve(view.trials.size() * c.m);
  c.violations.reserve(view.trials.size());
  c.positions.reserve(view.trials.size());
  std::vector<double> row(c.m);
  const double sign = view.dir == direction::maximize ? -1.0 : 1.0;
  for (std::size_t k = 0; k < view.trials.size(); ++k) {
    const auto& t = view.trials[k];
    if (t.number >= limit || t.state != trial_state::complete || t.params.values.size() != view.space.size()) continue;
    double violation = 0;
    if (view.goals) {
      if (!view.goals->losses(t, row)) continue;
      if (c.constrained) violation = view.goals->violation(t).value_or(inf);
    } else {
      if (!t.value || !std::isfinite(*t.value)) continue;
      row[0] = sign * *t.value;
    }
    c.numbers.push_back(t.number);
    c.losses.insert(c.losses.end(), row.begin(), row.end());
    c.violations.push_back(violation);
    c.positions.push_back(k);
  }
  return c;
}

// NSGA-II's elitist selection of `size` parents from the candidates: whole fronts in rank order,
// the last one that does not fit whole cut by crowding distance, largest first, ties by number.
// Each parent keeps its rank and its crowding distance within its whole front.
std::vector<parent> select_population(const study_view& view, const candidates& c, std::size_t size) {
  const auto ranks = nondominated_ranks(
      c.losses, c.m, c.constrained ? std::span<const double>(c.violations) : std::span<const double>());
  std::vector<std::size_t> order(c.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Fronts in rank order, each in trial order.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : c.numbers[a] < c.numbers[b];
  });
  std::vector<parent> chosen;
  chosen.reserve(std::min(size, c.size()));
  for (std::size_t begin = 0; begin < order.size() && chosen.size() < size;) {
    std::size_t end = begin;
    while (end < order.size() && ranks[order[end]] == ranks[order[begin]]) ++end;
    const std::span<const std::size_t> front(order.data() + begin, end - begin);
    const auto crowding = crowding_distance(c.losses, c.m, front);
    std::vector<std::size_t> take(front.size());
    for (std::size_t k = 0; k < take.size(); ++k) take[k] = k;
    if (chosen.size() + front.size() > size) {
      std::sort(take.begin(), take.end(), [&](std::size_t a, std::size_t b) {
        return crowding[a] != crowding[b] ? crowding[a] > crowding[b] : c.numbers[front[a]] < c.numbers[front[b]];
      });
      take.resize(size - chosen.size());
    }
    for (const auto k : take) {
      const auto i = front[k];
      chosen.push_back(parent{c.numbers[i], i, ranks[i], crowding[k], view.trials[c.positions[i]].params});
    }
    begin = end;
  }
  return chosen;
}

// A parent population and what it was chosen from. It still holds for a view whose candidates
// have the same numbers, losses and violations and whose parents have the same parameters: the
// selection reads nothing else.
struct cached_population {
  std::vector<std::uint64_t> numbers;
  std::vector<double> losses, violations;
  std::shared_ptr<const std::vector<parent>> parents;

  [[nodiscard]] bool holds_for(const study_view& view, const candidates& c) const {
    if (numbers != c.numbers || losses != c.losses || violations != c.violations) return false;
    return std::all_of(parents->begin(), parents->end(),
                       [&](const parent& p) { return view.trials[c.positions[p.candidate]].params == p.params; });
  }
};

class nsga2_sampler final : public sampler {
 public:
  explicit nsga2_sampler(nsga2_options o) : opt_(o) {}

  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    random_stream rng(view.seed, number, stream_ids::nsga2);
    const std::uint64_t generation = number / opt_.population_size;
    if (generation == 0) return random_draw(view.space, rng);
    const auto parents = population(view, generation);
    if (parents->size() < 2) return random_draw(view.space, rng);
    return make_child(view.space, *parents, rng);
  }

  std::string_view name() const override { return "nsga2"; }
  bool supports_goals() const override { return true; }

 private:
  static assignment random_draw(const space_desc& space, random_stream& rng) {
    assignment a;
    detail::fill_active(space, a, [&](std::size_t) { return rng.uniform01(); });
    return a;
  }

  // The parent population of `generation`, from the cache when the usable trials before it are
  // the ones it was chosen from. Workers that finish late add trials of earlier generations, so
  // the cache is checked against each view rather than kept once per generation.
  std::shared_ptr<const std::vector<parent>> population(const study_view& view, std::uint64_t generation) {
    auto c = gather(view, generation * opt_.population_size);
    {
      std::lock_guard lock(mutex_);
      const auto it = cache_.find(generation);
      if (it != cache_.end() && it->second.holds_for(view, c)) return it->second.parents;
    }
    auto parents = std::make_shared<const std::vector<parent>>(select_population(view, c, opt_.population_size));
    std::lock_guard lock(mutex_);
    cache_[generation] = cached_population{std::move(c.numbers), std::move(c.losses), std::move(c.violations), parents};
    // Asynchronous workers ask for a few neighbouring generations at once; older ones are done.
    while (cache_.size() > max_cached_generations) cache_.erase(cache_.begin());
    return parents;
  }

  // Binary tournament: the better of two distinct random parents.
  static const parent& tournament(const std::vector<parent>& parents, random_stream& rng) {
    const auto n = static_cast<std::uint64_t>(parents.size());
    const auto i = rng.below(n);
    auto j = rng.below(n - 1);
    if (j >= i) ++j;
    return better(parents[i], parents[j]) ? parents[i] : parents[j];
  }

  // Two parents by tournament, then the child parameter by parameter in space order, as
  // fill_active does: a parameter whose condition fails given the values chosen so far is
  // skipped; an active one takes the first parent's value, or in a crossover the second's with
  // swapping_prob; the other parent's when the chosen one lacks it; a fresh draw when neither has
  // it; and with mutation_prob a fresh draw instead. Each parameter's three uniforms (swap,
  // mutate, fresh) are drawn up front whether or not it is active, so a parameter's draws do not
  // depend on which others were active.
  assignment make_child(const space_desc& space, const std::vector<parent>& parents, random_stream& rng) const {
    const parent& first = tournament(parents, rng);
    const parent& second = tournament(parents, rng);
    const bool crossover = rng.uniform01() < opt_.crossover_prob;
    const std::size_t n = space.size();
    std::vector<double> draws(3 * n);
    for (auto& u : draws) u = rng.uniform01();
    const auto swap_u = [&](std::size_t i) { return draws[3 * i]; };
    const auto mutate_u = [&](std::size_t i) { return draws[3 * i + 1]; };
    const auto fresh_u = [&](std::size_t i) { return draws[3 * i + 2]; };
    const auto holds = [&](const parent& p, std::size_t i) {
      return p.params.is_active(i) && space.params[i].admits(p.params.values[i]);
    };
    const auto build = [&](double mutation_prob) {
      assignment a;
      a.values.assign(n, std::monostate{});
      for (std::size_t i = 0; i < n; ++i) {
        const auto& p = space.params[i];
        if (p.active_if && !space.condition_holds(i, a)) continue;
        const bool from_second = crossover && swap_u(i) < opt_.swapping_prob;
        const parent& chosen = from_second ? second : first;
        const parent& other = from_second ? first : second;
        if (mutate_u(i) < mutation_prob) {
          a.values[i] = detail::value_from_unit(p, fresh_u(i));
        } else if (holds(chosen, i)) {
          a.values[i] = chosen.params.values[i];
        } else if (holds(other, i)) {
          a.values[i] = other.params.values[i];
        } else {
          a.values[i] = detail::value_from_unit(p, fresh_u(i));
        }
      }
      return a;
    };
    double mutation_prob = 0;
    if (opt_.mutation_prob) {
      mutation_prob = *opt_.mutation_prob;
    } else {
      const auto crossed = build(0);
      std::size_t active = 0;
      for (std::size_t i = 0; i < n; ++i)
        active += crossed.is_active(i) && space.params[i].kind != param_kind::constant;
      if (active > 0) mutation_prob = 1.0 / static_cast<double>(active);
      if (mutation_prob == 0) return crossed;
    }
    return build(mutation_prob);
  }

  static constexpr std::size_t max_cached_generations = 8;
  nsga2_options opt_;
  std::mutex mutex_;
  std::map<std::uint64_t, cached_population> cache_;
};

void check_probability(std::optional<double> p, const char* field) {
  if (p && !(*p >= 0 && *p <= 1)) {
    throw std::invalid_argument(std::string("typetune: nsga2_options::") + field + " is " + format_real(*p) +
                                "; a probability must lie in [0, 1]");
  }
}

}  // namespace

std::unique_ptr<sampler> make_nsga2_sampler(nsga2_options options) {
  if (options.population_size < 2) {
    throw std::invalid_argument("typetune: nsga2_options::population_size is " +
                                std::to_string(options.population_size) +
                                "; a generation needs at least 2 parents (the default is 50)");
  }
  check_probability(options.mutation_prob, "mutation_prob");
  check_probability(options.crossover_prob, "crossover_prob");
  check_probability(options.swapping_prob, "swapping_prob");
  return std::make_unique<nsga2_sampler>(options);
}

}  // namespace typetune
