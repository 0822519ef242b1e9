// The precompiled header of every translation unit that includes LibTorch.
#pragma once

#include <torch/torch.h>
