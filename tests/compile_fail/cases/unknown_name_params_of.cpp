// The struct-free typed view: an unknown (misspelt) name does not compile.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::unknown_parameter_name<typetune::fixed_string<11>\{"dense_bott"\}, typetune::error::scope_with<typetune::fixed_string<10>\{"dense_bot"\}, typetune::fixed_string<8>\{"dropout"\}> >::raise<>'
// EXPECT: error: static assertion failed: typetune: no parameter of this name in the scope searched \(scope_with<...> lists its names\): fix the name
#include <typetune/params_of.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"dense_bot">(50, 350, tt::step{50}),
                                 tt::choice<"dropout">(0.0, 0.1, 0.2));

int units(const tt::params_of<space>& p) { return p.get<"dense_bott">(); }
