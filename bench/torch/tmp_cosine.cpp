#include <iostream>
#include <typetune/torch/trainer.hpp>
#include <typetune/torch/cross_validation.hpp>
namespace tt = typetune;
int main(int, char** argv) {
  tt::torch::set_threads(1);
  const int variant = std::atoi(argv[1]);
  const int epochs = std::atoi(argv[2]);
  auto data = tt::torch::load_fashion_mnist();
  auto flat = [](const tt::torch::tensor_dataset& d) { return tt::torch::tensor_dataset(d.x().reshape({d.size(), 784}), d.y()); };
  auto tr = flat(data.train), te = flat(data.test);
  auto sp = tt::torch::stratified_split(tr.y(), 0.05, 1);
  auto train = tr.subset(sp.train), val = tr.subset(sp.validation);
  ::torch::nn::Sequential m = [&] { auto l = tt::torch::seeded_build(1);
    if (variant >= 2) return ::torch::nn::Sequential(::torch::nn::Linear(784, 300), ::torch::nn::ReLU(), ::torch::nn::Linear(300, 100), ::torch::nn::ReLU(), ::torch::nn::Dropout(0.1), ::torch::nn::Linear(100, 10));
    return ::torch::nn::Sequential(::torch::nn::Linear(784, 350), ::torch::nn::ReLU(), ::torch::nn::Linear(350, 10)); }();
  tt::torch::fit_options o; o.epochs = epochs; o.seed = 1;
  if (variant % 2 == 1) o.schedule = tt::torch::cosine_lr{};
  tt::torch::trainer t(m, o);
  auto& h = t.fit(train, val);
  for (auto& e : h.epochs) std::cout << e.epoch << " val_loss " << e.metrics.at("val_loss") << " val_acc " << e.metrics.at("val_accuracy") << " " << e.seconds << "s\n";
  std::cout << "variant " << variant << " test acc " << tt::torch::evaluate(t.model(), te, tt::torch::loss_kind::cross_entropy).at("accuracy") << "\n";
}
