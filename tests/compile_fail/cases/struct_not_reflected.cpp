// A builder's struct that was never reflected: the message says how (TYPETUNE_REFLECT).
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::not_a_reflected_struct<layer_params>::raise<>'
// EXPECT: error: static assertion failed: typetune: a parameter struct must be reflected: add TYPETUNE_REFLECT\(Struct, field...\) after the struct, in the struct.s own namespace or at global scope
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct layer_params {
  int units;
};

inline constexpr auto space = tt::space(tt::int_<"units">(16, 64));
int build(const layer_params& p) { return p.units; }
static_assert(tt::fits(space, build));
