// Two parameters named `units` in the top-level scope.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::duplicate_name_in_scope<typetune::fixed_string<6>\{"units"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: two parameters in one scope have the same name: rename one
#include <typetune/space/choice.hpp>
#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"units">(50, 100, tt::step{25}),
                                 tt::choice<"dropout">(0.0, 0.1),
                                 tt::choice<"units">(16, 32));
