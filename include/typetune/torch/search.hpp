// Searches in the shapes users know, over a checked space and the user's builder
// (tt::builder_for, builder_concept.hpp):
// - tuners as keras-tuner has them (random, Bayesian, Hyperband, ASHA): tuner.hpp;
// - randomized and grid search with cross-validation as scikit-learn has them: search_cv.hpp;
// with the terminal's progress line in progress.hpp. This header includes them all, and with
// them the space language, the study and printing (<typetune/typetune.hpp>): one include for a
// LibTorch search.
#pragma once

#include "typetune/torch/builder_concept.hpp"
#include "typetune/torch/progress.hpp"
#include "typetune/torch/search_cv.hpp"
#include "typetune/torch/tuner.hpp"
