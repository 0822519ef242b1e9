// The trainer of include/typetune/torch/trainer.hpp.
