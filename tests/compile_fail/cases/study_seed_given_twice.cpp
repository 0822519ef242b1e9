// An option of another role that also carries a seed (here one a program adds through
// tt::study_option, beside a sampler with its seed): the study's seed would be given twice, and
// the later would win, so the study refuses the pair, naming both.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::seed_given_twice<typetune::tpe, warm_start>::raise<>'
// EXPECT: error: static assertion failed: typetune: the study's seed is given by two options: give it in one place
#include <cstdint>

#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

struct warm_start {
  std::uint64_t seed = 0;
};
template <>
struct typetune::study_option<warm_start> {
  static constexpr std::string_view role = "warm start";
  static void apply(const warm_start& option, typetune::study_setup& setup) { setup.engine.seed = option.seed; }
};

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1}, warm_start{.seed = 2});
}
