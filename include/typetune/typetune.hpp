// Everything a first program needs, in one include: the space DSL and its compile-time checks
// (<typetune/spaces.hpp>), the study with its samplers, pruners, schedulers and storage options
// (<typetune/study.hpp>), and printing of spaces, parameters and trials (<typetune/print.hpp>).
// No LibTorch: the LibTorch front ends are <typetune/torch/search.hpp> and its neighbours. The
// program links typetune::engine (and typetune::storage for a stored study).
#pragma once

#include "typetune/print.hpp"
#include "typetune/spaces.hpp"
#include "typetune/study.hpp"
