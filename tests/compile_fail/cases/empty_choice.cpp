// A choice with no values.
// EXPECT: In instantiation of 'struct typetune::error::reject<typetune::error::empty_choice<typetune::fixed_string<11>\{"activation"\}> >'
// EXPECT: error: static assertion failed: typetune: a choice needs at least one value
#include <typetune/space/choice.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::choice<"activation">());
