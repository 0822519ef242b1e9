// The default sampler (see typetune/engine/auto_sampler.hpp).
#include "typetune/engine/auto_sampler.hpp"

namespace typetune {
namespace {

class auto_sampler final : public sampler {
 public:
  explicit auto_sampler(auto_options o) : opt_(o) {
    tpe_options categorical = o.tpe, mixed = o.tpe;
    categorical.multivariate = true;
    mixed.multivariate = false;
    gp_ = make_gp_sampler(o.gp);
    tpe_categorical_ = make_tpe_sampler(categorical);
    tpe_ = make_tpe_sampler(mixed);
    nsga2_ = make_nsga2_sampler(o.nsga2);
  }

  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    return choose(view).sample(view, number);
  }

  std::string_view name() const override { return "auto"; }
  bool supports_goals() const override { return true; }

 private:
  // A pure function of the space and the history, so proposals stay reproducible.
  sampler& choose(const study_view& view) {
    bool all_categorical = true, conditional = false;
    for (const auto& p : view.space.params) {
      all_categorical &= p.kind == param_kind::categorical || p.kind == param_kind::constant;
      conditional |= p.active_if.has_value();
    }
    std::size_t finished = 0;
    for (const auto& t : view.trials) finished += t.state != trial_state::running;
    if (view.goals) {
      if (finished >= opt_.goals_tpe_max_trials) return *nsga2_;
      return all_categorical ? *tpe_categorical_ : *tpe_;
    }
    if (all_categorical) return *tpe_categorical_;
    if (finished >= opt_.gp_max_trials) return *tpe_;
    if (conditional && finished < opt_.conditional_tpe_trials) return *tpe_;
    return *gp_;
  }

  auto_options opt_;
  std::unique_ptr<sampler> gp_, tpe_categorical_, tpe_, nsga2_;  // each is safe to call from several threads
};

}  // namespace

std::unique_ptr<sampler> make_auto_sampler(auto_options options) { return std::make_unique<auto_sampler>(options); }

}  // namespace typetune
