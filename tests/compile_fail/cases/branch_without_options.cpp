// A branch with no option, checked against a struct afterwards: one error, the branch's.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::branch_without_options<typetune::fixed_string<10>\{"optimizer"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: a branch needs at least one option: tt::branch<"name">\(tt::option<"a">\(...\), ...\)
#include <variant>

#include <typetune/spaces.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct train_params {
  std::variant<adam> optimizer;
};
TYPETUNE_REFLECT(adam, learning_rate);
TYPETUNE_REFLECT(train_params, optimizer);

inline constexpr auto space = tt::space(tt::branch<"optimizer">());
static_assert(tt::fits<train_params>(space));
