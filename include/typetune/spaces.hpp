// The space layer alone: the DSL, the checks, lowering and decoding. What a header that only
// declares and checks spaces includes (a CI job that compiles spaces needs nothing else: Boost
// and a C++20 compiler); <typetune/typetune.hpp> adds the study and printing.
#pragma once

#include "typetune/check/fits.hpp"
#include "typetune/check/grid.hpp"
#include "typetune/decode.hpp"
#include "typetune/describe.hpp"
#include "typetune/diagnostics/errors.hpp"
#include "typetune/fixed_string.hpp"
#include "typetune/params_of.hpp"
#include "typetune/reflect.hpp"
#include "typetune/space/branch.hpp"
#include "typetune/space/choice.hpp"
#include "typetune/space/constant.hpp"
#include "typetune/space/int_param.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/options.hpp"
#include "typetune/space/real_param.hpp"
#include "typetune/space/repeat.hpp"
#include "typetune/space/space.hpp"
#include "typetune/desc/space_desc.hpp"
