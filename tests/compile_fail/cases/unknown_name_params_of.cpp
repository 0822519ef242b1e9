// The struct-free typed view: an unknown (misspelt) name does not compile.
// EXPECT: In instantiation of 'struct typetune::error::reject<typetune::error::unknown_parameter_name<typetune::fixed_string<11>\{"dense_bott"\}> >'
// EXPECT: error: static assertion failed: typetune: no parameter of this name in this scope
#include <typetune/params_of.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"dense_bot">(50, 350, tt::step{50}),
                                 tt::choice<"dropout">(0.0, 0.1, 0.2));

int units(const tt::params_of<space>& p) { return p.get<"dense_bott">(); }
