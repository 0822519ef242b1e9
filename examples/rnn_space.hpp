// The tutorials' RNN grid search (scikit-learn's GridSearchCV around a Keras wrapper): every
// parameter is a finite choice of three values, so a grid enumerates 3^7 = 2187 configurations.
#pragma once

#include <typetune/spaces.hpp>

namespace sequence_rnn {
namespace tt = typetune;

struct rnn_params {
  int layers;
  int units;
  double learning_rate;
  double decay;
  double dropout;
  int batch_size;
  int epochs;
};

inline constexpr auto space = tt::space(
    tt::choice<"layers">(3, 5, 7),
    tt::choice<"units">(16, 32, 64),
    tt::choice<"learning_rate">(1e-3, 1e-2, 1e-1),
    tt::choice<"decay">(0.0, 1e-4, 1e-3),  // Keras's inverse-time decay: lr / (1 + decay * iterations)
    tt::real<"dropout">(0.0, 0.2, tt::step{0.1}),
    tt::choice<"batch_size">(32, 64, 128),
    tt::choice<"epochs">(10, 20, 30));  // three values for each of the seven: 3^7 = 2187 points

}  // namespace sequence_rnn

TYPETUNE_REFLECT(sequence_rnn::rnn_params, layers, units, learning_rate, decay, dropout, batch_size, epochs);

static_assert(typetune::fits<sequence_rnn::rnn_params>(sequence_rnn::space));
