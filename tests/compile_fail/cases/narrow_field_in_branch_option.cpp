// A range into a field too narrow for it, inside a branch's option: the field is named with
// the option's struct. (13 lines: the option adds one call to g++'s constant-evaluation chain.)
// ONE-ERROR
// MAX-LINES: 13
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::bounds_do_not_fit_field_type<Parameter, Struct, Field>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give the field a wider type, or narrow the bounds
// EXPECT: Parameter = typetune::fixed_string<15>\{"nesterov_steps"\}; Struct = sgd; Field = unsigned char\]
#include <cstdint>
#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct sgd { double learning_rate; std::uint8_t nesterov_steps; };
struct layer { int units; };
struct train_params {
  std::vector<layer> hidden;
  std::variant<adam, sgd, std::monostate> optimizer;
};
TYPETUNE_REFLECT(adam, learning_rate);
TYPETUNE_REFLECT(sgd, learning_rate, nesterov_steps);
TYPETUNE_REFLECT(layer, units);
TYPETUNE_REFLECT(train_params, hidden, optimizer);

inline constexpr auto space = tt::space(
    tt::repeat<"hidden">(tt::count(0, 2), tt::int_<"units">(1, 1000)),
    tt::branch<"optimizer">(
        tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
        tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log), tt::int_<"nesterov_steps">(0, 256)),
        tt::option<"none">()));
static_assert(tt::fits<train_params>(space));
