// A space header that reads Eigen through the system include path, as a careless include
// would: the self-check of the spaces-only test must find it in the dependency output.
#pragma once

#include <eigen3/Eigen/Core>

#include "mlp_space.hpp"

static_assert(typetune::fits(team::mlp_space, team::build_mlp));
