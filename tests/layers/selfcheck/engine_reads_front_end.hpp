// A file that breaks the engine's rule on purpose: the layer check must reject it.
#pragma once
#include "typetune/study.hpp"
