// A choice with no values.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::empty_choice<typetune::fixed_string<11>\{"activation"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: a choice needs at least one value: tt::choice<"name">\(a, b, ...\)
#include <typetune/space/choice.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::choice<"activation">());
