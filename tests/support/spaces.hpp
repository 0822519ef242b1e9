// Search spaces built by hand as runtime descriptions, for the engine's tests and benchmarks:
// the tutorial MLP (a repeat and a branch) in a continuous and a finite version, and others.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "typetune/desc/space_desc.hpp"

namespace typetune::testing {

inline param_desc int_param(std::string path, std::string name, double low, double high,
                            double step = 1, bool log = false) {
  param_desc p;
  p.path = std::move(path);
  p.name = std::move(name);
  p.kind = param_kind::integer;
  p.type = value_type::integer;
  p.low = low;
  p.high = high;
  p.step = step;
  p.log = log;
  return p;
}

inline param_desc real_param(std::string path, std::string name, double low, double high,
                             bool log = false, double step = 0) {
  param_desc p;
  p.path = std::move(path);
  p.name = std::move(name);
  p.kind = param_kind::real;
  p.type = value_type::real;
  p.low = low;
  p.high = high;
  p.step = step;
  p.log = log;
  return p;
}

inline param_desc choice_param(std::string path, std::string name, std::vector<choice_value> choices,
                               value_type type = value_type::real) {
  param_desc p;
  p.path = std::move(path);
  p.name = std::move(name);
  p.kind = param_kind::categorical;
  p.type = type;
  p.choices = std::move(choices);
  return p;
}

inline param_desc constant_param(std::string path, std::string name, choice_value value) {
  param_desc p;
  p.path = std::move(path);
  p.name = std::move(name);
  p.kind = param_kind::constant;
  p.type = std::holds_alternative<double>(value) ? value_type::real : value_type::integer;
  p.choices = {std::move(value)};
  return p;
}

inline param_desc under(param_desc p, std::size_t parent, condition::rule rule, std::int64_t value,
                        std::size_t depth = 1) {
  p.active_if = condition{parent, rule, value};
  p.depth = depth;
  return p;
}

// The tutorial MLP: dense_bot int 50..350 step 50; hidden: count 1..2, per item units int
// 50..100 step 25 and dropout {0, 0.1, 0.2}; optimizer {adam, sgd}, each with a log-scale
// learning rate in [1e-4, 1e-1], sgd also with momentum in [0.5, 0.99]. With `finite`, the
// learning rates are choices {1e-4, 1e-3, 1e-2} and momentum a choice {0.5, 0.9}:
// 7 x (9 + 81) x (3 + 3 x 2) = 5670 configurations.
inline space_desc mlp_space(bool finite = false) {
  using rule = condition::rule;
  space_desc s;
  auto& ps = s.params;
  ps.push_back(int_param("dense_bot", "dense_bot", 50, 350, 50));                    // 0
  auto count = int_param("hidden.count", "count", 1, 2);                             // 1
  count.role = param_role::count;
  ps.push_back(count);
  ps.push_back(under(int_param("hidden[0].units", "units", 50, 100, 25), 1, rule::at_least, 1));  // 2
  ps.push_back(under(choice_param("hidden[0].dropout", "dropout", {0.0, 0.1, 0.2}), 1, rule::at_least, 1));
  ps.push_back(under(int_param("hidden[1].units", "units", 50, 100, 25), 1, rule::at_least, 2));  // 4
  ps.push_back(under(choice_param("hidden[1].dropout", "dropout", {0.0, 0.1, 0.2}), 1, rule::at_least, 2));
  auto optimizer = choice_param("optimizer", "optimizer", {std::string("adam"), std::string("sgd")},
                                value_type::string);                            // 6
  optimizer.role = param_role::branch;
  ps.push_back(optimizer);
  const auto learning_rate = [&](std::string path) {
    return finite ? choice_param(std::move(path), "learning_rate", {1e-4, 1e-3, 1e-2})
                  : real_param(std::move(path), "learning_rate", 1e-4, 1e-1, true);
  };
  ps.push_back(under(learning_rate("optimizer.adam.learning_rate"), 6, rule::equals, 0));  // 7
  ps.push_back(under(learning_rate("optimizer.sgd.learning_rate"), 6, rule::equals, 1));   // 8
  ps.push_back(under(finite ? choice_param("optimizer.sgd.momentum", "momentum", {0.5, 0.9})
                            : real_param("optimizer.sgd.momentum", "momentum", 0.5, 0.99),
                     6, rule::equals, 1));                                            // 9
  return s;
}

// A small finite space with a nested branch, a constant and a log-scale integer: exercises
// grid decoding of a branch inside a branch.
inline space_desc nested_space() {
  using rule = condition::rule;
  space_desc s;
  auto& ps = s.params;
  ps.push_back(int_param("batch", "batch", 16, 128, 1, true));  // 0: 113 values
  auto model = choice_param("model", "model", {std::string("linear"), std::string("tree")},
                            value_type::string);          // 1
  model.role = param_role::branch;
  ps.push_back(model);
  ps.push_back(under(constant_param("model.linear.bias", "bias", std::int64_t{1}), 1, rule::equals, 0));  // 2
  auto kind = under(choice_param("model.tree.kind", "kind", {std::string("gbm"), std::string("forest")},
                                 value_type::string), 1, rule::equals, 1);              // 3
  kind.role = param_role::branch;
  ps.push_back(kind);
  ps.push_back(under(int_param("model.tree.kind.gbm.depth", "depth", 2, 8, 2), 3, rule::equals, 0, 2));  // 4
  ps.push_back(under(real_param("model.tree.kind.forest.fraction", "fraction", 0.1, 1.0, false, 0.3), 3,
                     rule::equals, 1, 2));  // 5: 0.1, 0.4, 0.7, 1.0
  return s;  // 113 x (1 + (4 + 4)) = 1017 configurations
}

}  // namespace typetune::testing
