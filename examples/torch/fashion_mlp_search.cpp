// The main job: the Fashion-MNIST MLP search on the real data set (Debian's
// dataset-fashion-mnist). TPE proposes configurations of the default space (the tutorial's
// architecture with the training recipe: learning rate per optimizer, weight decay, dropout,
// batch size, label smoothing; examples/mlp_recipe_space.hpp) or of the tutorial's own space
// (--space tutorial). Each trains up to --epochs with a cosine learning-rate schedule, and ASHA
// stops the weak ones at its rungs without waiting for a rung to fill, so both workers stay
// busy; a trial alone at a rung below the last stops there (--bootstrap), so that trials train
// on for beating another, not for coming first. The study is kept in an SQLite file (beside
// the report; --storage chooses another), so a re-run continues it. At the end the best model
// is tested beside the tutorial's untuned baseline (784-350-10, Adam 1e-3, batch 32) trained
// with the best trial's schedule and epochs, and a paired test on the same test images says
// whether the gain is beyond noise. Several processes share one stored study (--storage,
// --study, or TYPETUNE_STORAGE and TYPETUNE_STUDY): with --worker each only trains until the
// study holds --trials trials, all processes together; one run without --worker then tests and
// reports the best (examples/cluster/, docs/cluster.md).
//   fashion_mlp_search [--space recipe|tutorial] [--trials N] [--epochs N] [--bootstrap N]
//                      [--workers 2] [--seed 1] [--storage URL] [--study NAME]
//                      [--report report.html] [--export study.jsonl] [--quick] [--worker]
//                      [--device cpu|cuda|cuda:N|auto] [--trials-per-device K] [--front parameters]
// --front parameters searches accuracy against model size instead and prints the Pareto front
// (run_front_job).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include <typetune/engine/paired_test.hpp>
#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "fashion_mlp_model.hpp"

namespace tt = typetune;

namespace {

struct job_options {
  std::string space = "recipe";
  bool quick = false;
  bool baseline = true;
  bool worker = false;       // search only: a worker of a shared study (examples/cluster/)
  std::uint64_t trials = 0;  // 0: the space's default
  std::int64_t epochs = 0;   // 0: the space's default
  std::int64_t min_epochs = 0;
  std::int64_t eta = 0;         // 0: the space's default
  std::int64_t bootstrap = -1;  // -1: the space's default
  std::size_t workers = 2;
  std::uint64_t seed = 1;
  std::int64_t batch_size = 32;  // the tutorial space's batch (the recipe space searches it)
  int threads = 1;
  std::string device = "cpu";         // tt::torch::devices_from's spec
  std::size_t trials_per_device = 0;  // with --device: workers = devices x this (0: --workers)
  std::vector<::torch::Device> devices;
  std::string objective;
  std::string front;  // "parameters": search the objective against the model's size (run_front_job)
  std::string storage, study, export_path, report_path;
};

struct data_splits {
  tt::torch::tensor_dataset train, validation, test;
};

data_splits load(const job_options& o) {
  // [data]
  auto data = tt::torch::load_fashion_mnist();
  auto train_all = examples::flatten(data.train);
  auto test = examples::flatten(data.test);
  if (o.quick) {  // a stratified slice: 3000 images to train and validate on, 1000 to test
    train_all = examples::slice(train_all, 3000, o.seed);
    test = examples::slice(test, 1000, o.seed);
  }
  // The tutorial's split holds out 5 % of the training images, stratified, to validate the
  // search; the recipe space holds out 10 %, since its trials differ by tenths of a point, which
  // 3,000 images cannot tell from noise.
  const auto split = tt::torch::stratified_split(train_all.y(), o.space == "recipe" ? 0.10 : 0.05, o.seed);
  // [data]
  return {train_all.subset(split.train), train_all.subset(split.validation), test};
}

// The splits, with a line saying where the data came from and which CPU kernels train on it.
data_splits load_and_say(const job_options& o) {
  auto d = load(o);
  std::cout << "Fashion-MNIST from " << tt::torch::fashion_mnist_dir().string() << ": " << d.train.size()
            << " to train, " << d.validation.size() << " to validate, " << d.test.size() << " to test\n"
            << "CPU kernels: " << tt::torch::cpu_kernels() << "\n";
  return d;
}

// The tutorial's baseline, untuned (784-350-10, Adam 1e-3, batch 32, no dropout, no smoothing),
// trained with the search's schedule (cosine over fit.epochs): what differs from the best model
// is what the search chose. It trains for all fit.epochs and keeps its weights after each epoch,
// since the best trial's epochs are known only when the search ends; with the schedule fixed
// over fit.epochs, the weights after k epochs are those of a k-epoch run. It trains on its own
// thread, started when the search's last trial runs alone (the tuner's tail_work), so that the
// idle worker's core trains it (the last trial takes that core back once it is done); after the
// search when there was no such tail.
class baseline_run {
 public:
  // The model is built here, before the search: building seeds LibTorch's generator, which the
  // last trial's dropout draws from while the baseline trains beside it.
  baseline_run(const job_options& o, const tt::torch::fit_options& fit, const data_splits& d)
      : options_(o), fit_(fit), data_(d), model_([&] {
          const auto lock = tt::torch::seeded_build(o.seed);
          return fashion_mlp::baseline();
        }()) {}
  baseline_run(const baseline_run&) = delete;
  baseline_run& operator=(const baseline_run&) = delete;
  ~baseline_run() {  // a job that ends early (a failed search, Ctrl-C) does not wait for it
    cancelled_ = true;
    if (thread_.joinable()) thread_.join();
  }

  void start() {
    const std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { train(); });
  }
  // Whether the search's tail started it (known once after() was called).
  bool started_during_search() const { return started_during_search_; }
  bool done() const { return done_; }

  // The baseline after `epochs` epochs, and the seconds its training took (all epochs).
  std::pair<::torch::nn::Sequential, double> after(std::int64_t epochs) {
    {
      const std::lock_guard lock(mutex_);
      started_during_search_ = thread_.joinable();
    }
    start();
    thread_.join();
    if (error_) std::rethrow_exception(error_);
    if (epochs < 1 || epochs > static_cast<std::int64_t>(snapshots_.size()))
      throw std::out_of_range("baseline: no weights after epoch " + std::to_string(epochs));
    const ::torch::NoGradGuard no_grad;
    auto params = model_->parameters();
    const auto& kept = snapshots_[static_cast<std::size_t>(epochs - 1)];
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(kept[i]);
    return {model_, seconds_};
  }

 private:
  void train() try {
    const auto start = std::chrono::steady_clock::now();
    tt::torch::fit_options base_fit = fit_;
    base_fit.seed = options_.seed;
    base_fit.batch_size = 32;
    base_fit.optimizer = tt::torch::adam{.learning_rate = 1e-3};
    base_fit.label_smoothing = 0;
    base_fit.objective.clear();  // no validation data: the trainer tracks the training loss
    base_fit.on_epoch = [this](const tt::torch::epoch_record&) {
      if (cancelled_) throw cancelled{};
      std::vector<::torch::Tensor> kept;
      for (const auto& p : model_->parameters()) kept.push_back(p.detach().clone());
      snapshots_.push_back(std::move(kept));
    };
    tt::torch::trainer base(model_, base_fit);
    base.fit(data_.train, {}, nullptr, fit_.epochs);  // nothing to validate: the test set compares
    seconds_ = examples::seconds_since(start);
    done_ = true;
  } catch (const cancelled&) { done_ = true; } catch (...) {
    error_ = std::current_exception();
    done_ = true;
  }
  struct cancelled {};

  const job_options& options_;
  tt::torch::fit_options fit_;
  const data_splits& data_;
  std::mutex mutex_;
  std::thread thread_;
  bool started_during_search_ = false;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> done_{false};
  ::torch::nn::Sequential model_;
  std::vector<std::vector<::torch::Tensor>> snapshots_;
  double seconds_ = 0;
  std::exception_ptr error_;
};

template <class Space, class Builder>
int run_job(const Space& space, Builder build, const job_options& o, const std::string& study_name) {
  const auto start = std::chrono::steady_clock::now();
  const auto d = load_and_say(o);
  const std::string storage_url = o.storage == "memory" ? std::string("memory:") : o.storage;

  // [search]
  tt::torch::fit_options fit;
  fit.epochs = o.epochs;                  // and ASHA's last rung
  fit.batch_size = o.batch_size;          // the recipe space's builder sets its own
  fit.schedule = tt::torch::cosine_lr{};  // over fit.epochs: a trial stopped early never reaches the low rates
  fit.device = o.devices.front();         // the baseline's and the retrained best's
  baseline_run baseline(o, fit, d);
  tt::torch::tuner_options options{.objective = o.objective, .max_trials = o.trials, .seed = o.seed, .log = &std::cout};
  options.workers = o.workers;
  options.threads = o.threads;
  options.count_stored_trials = true;  // a re-run continues the stored study up to max_trials
  if (o.devices.size() > 1 || !o.devices.front().is_cpu()) options.devices = o.devices;  // trials spread over them
  options.tail_work = [&] {  // the cores the search's last trial leaves idle train the baseline
    if (!o.baseline) return false;
    baseline.start();
    return !baseline.done();
  };
  auto tuner = tt::torch::make_tuner(
      space, build, options, tt::tpe{},
      tt::asha{.min_resource = o.min_epochs, .reduction_factor = o.eta, .bootstrap_count = o.bootstrap},
      tt::storage{storage_url}, tt::study_name{study_name});
  const auto summary = tuner.search(d.train, d.validation, fit);
  // [search]
  std::cout << "study '" << study_name << "' in " << storage_url << ": " << summary.trials << " trials ("
            << summary.trials_started << " run now)\n";
  if (!summary.has_best) {
    tuner.save(o.export_path, o.report_path);
    return summary.exit_status();
  }
  if (o.worker) {  // the study's budget is spent: a run without --worker tests and reports the best
    examples::shared_study::worker_done(summary.trials_started, summary.trials);
    return summary.exit_status();
  }

  const auto best = tuner.best();
  const auto model = tuner.best_trained_here() ? tuner.best_trained_model() : tuner.best_model(d.train, best.epochs);
  const auto test_metrics = tt::torch::evaluate(model, d.test, tt::torch::loss_kind::cross_entropy);
  std::cout << std::fixed << std::setprecision(4) << "best: " << o.objective << ' ' << best.value << ", epochs "
            << best.epochs << ", " << best.params << "\nbest model: test accuracy " << std::setprecision(2)
            << test_metrics.at("accuracy") * 100 << " %, test loss " << std::setprecision(4) << test_metrics.at("loss")
            << "; search and test in " << std::setprecision(1) << examples::seconds_since(start) << " s\n";

  std::map<std::string, std::string> figures;
  const auto put = [&](const std::string& name, double value, int digits) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(digits) << value;
    figures[name] = s.str();
  };
  put("test_accuracy", test_metrics.at("accuracy"), 4);
  if (o.baseline) {
    const auto baseline_start = std::chrono::steady_clock::now();
    tt::torch::set_threads(o.threads);
    const auto [base, base_seconds] = baseline.after(best.epochs);
    const auto base_test = tt::torch::evaluate(base, d.test, tt::torch::loss_kind::cross_entropy);
    std::cout << std::setprecision(2) << "baseline: the tutorial's untuned 784-350-10 (adam 1e-3, batch 32), trained "
              << "with the best trial's schedule (cosine over " << fit.epochs << " epochs) for its " << best.epochs
              << " epochs: test accuracy " << base_test.at("accuracy") * 100 << " %; trained in "
              << std::setprecision(1) << base_seconds << " s"
              << (baseline.started_during_search() ? " beside the search's last trial, " : ", ")
              << examples::seconds_since(baseline_start) << " s waited for after the search\n";
    const auto c = tt::torch::compare_classifiers(model, base, d.test, o.seed);
    std::cout << "gain of the best model over the baseline, paired on the same " << c.samples
              << " test images: " << tt::describe(c) << '\n';
    put("baseline_test_accuracy", c.accuracy_b, 4);
    put("gain_points", c.difference * 100, 2);
    put("gain_ci95_low_points", c.ci_low * 100, 2);
    put("gain_ci95_high_points", c.ci_high * 100, 2);
    put("gain_mcnemar_p", c.mcnemar_p, 4);
    figures["gain_verdict"] = c.beyond_noise() ? "beyond noise" : "within noise";
    figures["gain"] = tt::describe(c) + " over the untuned 784-350-10 baseline, paired on " +
                      std::to_string(c.samples) + " test images";
  }
  tuner.study().set_attributes(figures);
  tuner.save(o.export_path, o.report_path);
  std::cout << "job: " << std::setprecision(1) << examples::seconds_since(start)
            << " s in all, from loading the data\n";
  const double accuracy = test_metrics.at("accuracy");
  // A search that trains nothing useful is a failure, even on the quick slice.
  return accuracy > (o.quick ? 0.6 : 0.85) ? 0 : 1;
}

// --front parameters: two objectives, validation accuracy (maximised) against the model's
// trainable weights (minimised; the tuner records them for every trial as "parameters"). TPE
// ranks trials by non-domination; with two objectives there is no pruner, so every trial trains
// all --epochs. At the end the Pareto front is printed smallest model first, each of its
// configurations trained again on the training images (the search's seed) and tested on the
// test images: the accuracy a smaller model costs.
template <class Space, class Builder>
int run_front_job(const Space& space, Builder build, const job_options& o, const std::string& study_name) {
  const auto start = std::chrono::steady_clock::now();
  const auto d = load_and_say(o);
  const std::string storage_url = o.storage == "memory" ? std::string("memory:") : o.storage;
  // [front]
  tt::torch::fit_options fit;
  fit.epochs = o.epochs;
  fit.batch_size = o.batch_size;
  fit.schedule = tt::torch::cosine_lr{};
  fit.device = o.devices.front();
  tt::torch::tuner_options options{.objective = o.objective, .max_trials = o.trials, .seed = o.seed, .log = &std::cout};
  options.workers = o.workers;
  options.threads = o.threads;
  options.count_stored_trials = true;
  if (o.devices.size() > 1 || !o.devices.front().is_cpu()) options.devices = o.devices;
  auto tuner = tt::torch::make_tuner(space, build, options, tt::tpe{}, tt::minimize{"parameters"},
                                     tt::storage{storage_url}, tt::study_name{study_name});
  const auto summary = tuner.search(d.train, d.validation, fit);
  auto front = tuner.pareto_front();
  // [front]
  std::cout << "study '" << study_name << "' in " << storage_url << ": " << summary.trials << " trials ("
            << summary.trials_started << " run now)\n";
  if (front.empty() || o.worker) {
    if (!o.worker) tuner.save(o.export_path, o.report_path);
    return summary.exit_status();
  }
  std::sort(front.begin(), front.end(), [](const auto& a, const auto& b) { return a.parameters < b.parameters; });
  std::cout << "Pareto front: " << front.size() << " of " << summary.trials << " trials (" << o.objective
            << " against trainable weights); each trained again and tested:\n"
            << "  trial  weights     " << o.objective << "  test accuracy  configuration\n";
  std::map<std::string, std::string> figures;
  double best_accuracy = 0;
  for (const auto& f : front) {
    tt::torch::set_threads(o.threads * static_cast<int>(o.workers));
    const auto model = tuner.trained_model(f.params, d.train, f.epochs);
    const double accuracy = tt::torch::evaluate(model, d.test, tt::torch::loss_kind::cross_entropy).at("accuracy");
    best_accuracy = std::max(best_accuracy, accuracy);
    std::ostringstream row;
    row << std::fixed << std::setprecision(4) << f.value << "        " << std::setprecision(2) << accuracy * 100
        << " %";
    std::cout << "  " << std::setw(5) << f.number << "  " << std::setw(9) << f.parameters << "  " << row.str() << "  "
              << tuner.study().description().format(tt::encode(space, f.params)) << '\n';
    std::ostringstream figure;
    figure << std::fixed << std::setprecision(4) << accuracy;
    figures["front_test_accuracy_trial_" + std::to_string(f.number)] = figure.str();
  }
  tuner.study().set_attributes(figures);
  tuner.save(o.export_path, o.report_path);
  std::cout << "job: " << std::fixed << std::setprecision(1) << examples::seconds_since(start)
            << " s in all, from loading the data\n";
  return best_accuracy > (o.quick ? 0.6 : 0.85) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hyperparameter search of the Fashion-MNIST MLP (the tutorials' main job)"};
  job_options o;
  app.add_option("--space", o.space,
                 "recipe: the architecture and the training recipe (default); tutorial: the tutorial's space")
      ->check(CLI::IsMember({"recipe", "tutorial"}));
  app.add_flag("--quick", o.quick, "a slice of the data, 4 trials of up to 3 epochs (the test suite's run)");
  app.add_flag("!--no-baseline", o.baseline, "skip training the untuned baseline");
  app.add_flag("--worker", o.worker,
               "only train trials of the stored study until its budget (--trials) is spent, as one of several "
               "processes sharing it; no test, baseline or report (a run without --worker does those)");
  app.add_option("--trials", o.trials,
                 "configurations in the study, all processes together (recipe: 20, tutorial: 24; --quick: 4)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--objective", o.objective, "val_accuracy or val_loss (recipe: val_accuracy, tutorial: val_loss)")
      ->check(CLI::IsMember({"val_accuracy", "val_loss"}));
  app.add_option("--epochs", o.epochs, "epochs of a configuration that survives every rung (recipe: 40, tutorial: 12)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--min-epochs", o.min_epochs, "epochs of ASHA's first rung (recipe: 3, tutorial: 1)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--eta", o.eta, "ASHA's reduction factor: each rung keeps the best 1/eta (recipe: 4, tutorial: 3)")
      ->check(CLI::Range(2, 10));
  app.add_option("--bootstrap", o.bootstrap,
                 "a trial that reaches an ASHA rung with this many trials there or fewer (itself included) stops "
                 "there (recipe: 1, tutorial: 0)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--workers", o.workers, "trials trained at a time")->check(CLI::Range(1, 64));
  app.add_option("--device", o.device,
                 "where trials train: cpu, cuda, cuda:N, auto (every visible GPU, else the CPU) or a list "
                 "(cuda:0,cuda:1); each trial takes the least busy")
      ->capture_default_str();
  app.add_option("--trials-per-device", o.trials_per_device,
                 "trials trained at a time on each --device (sets --workers to devices x this)")
      ->check(CLI::Range(1, 64));
  app.add_option("--threads", o.threads, "LibTorch threads per worker (one is fastest at these batch sizes)")
      ->check(CLI::Range(1, 256));
  app.add_option("--seed", o.seed, "seed of the sampler, the split and every model");
  app.add_option("--batch-size", o.batch_size, "mini-batch size of the tutorial space (the recipe space searches it)")
      ->check(CLI::Range(1, 65536));
  app.add_option("--storage", o.storage,
                 "where the study is kept: sqlite:///abs/path.db, sqlite://relative.db, postgresql://..., or memory "
                 "(default: fashion_mlp_study.db beside the report, or in the working directory)")
      ->envname("TYPETUNE_STORAGE");
  app.add_option("--study", o.study, "the study's name in its storage (default: fashion-mlp-SPACE-seedN)")
      ->envname("TYPETUNE_STUDY");
  app.add_option("--front", o.front,
                 "parameters: search the objective against the model's trainable weights (two objectives: no "
                 "pruning, every trial trains --epochs, recipe: 12) and print the Pareto front, each model on it "
                 "tested; no baseline")
      ->check(CLI::IsMember({"parameters"}));
  app.add_option("--export", o.export_path, "also write the study as JSON Lines here");
  app.add_option("--report", o.report_path, "write the study's HTML report here");
  CLI11_PARSE(app, argc, argv);
  const bool recipe = o.space == "recipe";
  if (o.trials == 0) o.trials = recipe ? 20 : 24;
  // The recipe's ASHA rungs are at 3 and 12 epochs (3 x 4), then the end at 40. The wide,
  // regularised networks that win keep gaining until about epoch 40, while the unregularised
  // baseline stops gaining after about 20 (docs/torch.md); a reduction factor of 4 pays for the
  // length.
  if (o.epochs == 0) o.epochs = recipe && o.front.empty() ? 40 : 12;
  if (o.min_epochs == 0) o.min_epochs = recipe ? 3 : 1;
  if (o.eta == 0) o.eta = recipe ? 4 : 3;
  if (o.bootstrap < 0) o.bootstrap = recipe && !o.quick ? 1 : 0;
  // The recipe space searches label smoothing, which raises the plain validation loss of a
  // model that classifies as well: its trials compare on what the job reports, accuracy.
  if (o.objective.empty()) o.objective = recipe ? "val_accuracy" : "val_loss";
  if (o.quick) {
    o.epochs = std::min<std::int64_t>(o.epochs, 3);
    if (app.count("--trials") == 0) o.trials = 4;
    o.min_epochs = 1;
  }
  if (o.worker) o.baseline = false;
  try {
    o.devices = tt::torch::devices_from(o.device);
  } catch (const std::invalid_argument& e) {
    std::cerr << "fashion_mlp_search: --device: " << e.what() << '\n';
    return 2;
  }
  if (o.trials_per_device > 0) o.workers = o.devices.size() * o.trials_per_device;
  o.min_epochs = std::min(o.min_epochs, o.epochs);
  if (o.storage.empty()) {
    const auto dir = o.report_path.empty() ? std::filesystem::current_path()
                                           : std::filesystem::absolute(o.report_path).parent_path();
    o.storage = "sqlite://" + (dir / (o.quick ? "fashion_mlp_quick.db" : "fashion_mlp_study.db")).string();
  }
  const std::string study = !o.study.empty() ? o.study
                                             : "fashion-mlp-" + o.space + (o.front.empty() ? "" : "-front") +
                                                   (o.quick ? "-quick" : "") + "-seed" + std::to_string(o.seed);
  try {
    if (!o.front.empty()) {
      if (recipe) return run_front_job(fashion_mlp_recipe::space, fashion_mlp_recipe::build, o, study);
      return run_front_job(fashion_mlp::space, fashion_mlp::build, o, study);
    }
    if (recipe) return run_job(fashion_mlp_recipe::space, fashion_mlp_recipe::build, o, study);
    return run_job(fashion_mlp::space, fashion_mlp::build, o, study);
  } catch (const tt::storage_error& e) {
    std::cerr << "fashion_mlp_search: " << e.what() << '\n';
    return 2;
  }
}
