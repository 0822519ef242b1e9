// Loaders, splits and folds of include/typetune/torch/data.hpp.
#include "typetune/torch/data.hpp"
