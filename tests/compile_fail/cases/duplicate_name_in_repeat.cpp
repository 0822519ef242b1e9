// Two parameters named `dropout` inside one repeat's item scope.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::duplicate_name_in_scope<typetune::fixed_string<8>\{"dropout"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: two parameters in one scope have the same name: rename one
#include <typetune/space/choice.hpp>
#include <typetune/space/int_param.hpp>
#include <typetune/space/real_param.hpp>
#include <typetune/space/repeat.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::repeat<"hidden">(tt::count(1, 3),
                                                      tt::int_<"units">(50, 100, tt::step{25}),
                                                      tt::choice<"dropout">(0.0, 0.1, 0.2),
                                                      tt::real<"dropout">(0.0, 0.5)));
