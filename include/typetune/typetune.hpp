// Everything a user of the space layer needs: the DSL, the checks, lowering and decoding.
// Includes no LibTorch and no compiled engine.
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
