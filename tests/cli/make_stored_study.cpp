// Writes two real studies into a storage URL for the command-line test: "demo" (40 trials of
// the tutorial MLP space: complete, pruned by the median pruner, and one failure in ten, with
// attributes set after the search) and "other" (5 trials).
// With "front" after the URL it writes "front" alone instead: 30 trials of the same space with
// two objectives (val_loss and parameters, both minimised) and a constraint (latency_ms <= 3).
// With "hostile" it writes one study whose name and attribute hold terminal escape sequences.
// With "stream TRIALS MS SECONDS" it is one worker of study "stream" (the main job's recipe
// space, random search): it runs trials that each
// take MS milliseconds (reporting three intermediate values), until the study holds TRIALS
// trials or SECONDS have passed, and prints how many it ran and its rate; several processes
// run it at once as the workers of a search (the live server's tests and load benchmark).
// Trials from number 50 on also record a metric, "late_metric".
//   make_stored_study <storage URL> [front|hostile|stream TRIALS MS SECONDS]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

#include <typetune/study.hpp>

#include "mlp_recipe_space.hpp"
#include "mlp_space.hpp"

namespace tt = typetune;

namespace {

int stream(const std::string& url, std::uint64_t trials, int ms, double seconds) {
  // The main job's recipe space: continuous, so that no number of trials exhausts it.
  auto study = tt::study(fashion_mlp_recipe::space, tt::minimize{"val_loss"}, tt::random{}, tt::storage{url},
                         tt::study_name{"stream"});
  const auto start = std::chrono::steady_clock::now();
  const auto summary = study.optimize(
      [ms](tt::trial<fashion_mlp_recipe::recipe_params>& t) -> tt::outcome {
        const auto& p = t.params();
        const double loss = 0.2 + std::abs(p.dense_bot - 500) / 1000.0 + p.dropout_bot / 10.0;
        for (int step = 1; step <= 3; ++step) {
          std::this_thread::sleep_for(std::chrono::milliseconds(ms) / 3);
          t.report(step, loss + 0.3 / step);
        }
        // A metric that appears from trial 50 on: the live table gains a column.
        if (t.number() >= 50) t.set_metric("late_metric", loss * 2);
        return tt::result{"val_loss", loss};
      },
      tt::budget{.trials = trials,
                 .time_limit = std::chrono::duration<double>(seconds),
                 .workers = 1,
                 .study_trials = trials});
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("stream: %llu trials in %.3f s: %.3f trials/s\n", static_cast<unsigned long long>(summary.trials_started),
              took, static_cast<double>(summary.trials_started) / took);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool stream_mode = argc == 6 && std::string(argv[2]) == "stream";
  if (argc != 2 && !stream_mode &&
      !(argc == 3 && (std::string(argv[2]) == "front" || std::string(argv[2]) == "hostile"))) {
    std::cerr << "usage: make_stored_study <storage URL> [front|hostile|stream TRIALS MS SECONDS]\n";
    return 2;
  }
  const std::string url = argv[1];
  if (stream_mode) return stream(url, std::stoull(argv[3]), std::stoi(argv[4]), std::stod(argv[5]));
  if (argc == 3 && std::string(argv[2]) == "hostile") {
    // A name and an attribute holding what a terminal acts on: the window title set, the screen
    // cleared, text turned red, a C1 control (U+009B, CSI).
    auto hostile = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 3}, tt::storage{url},
                             tt::study_name{"x\x1b]0;PWNED\x07\x1b[2J"});
    (void)hostile.optimize(
        [](const fashion_mlp::mlp_params& p) {
          return tt::result{"val_loss", p.dense_bot / 100.0};
        },
        tt::budget{.trials = 2, .workers = 1});
    hostile.set_attributes({{"note\x1b[31m",
                             "red\xc2\x9b"
                             "2J"}});
    std::cout << "wrote the hostile study to " << url << '\n';
    return 0;
  }
  if (argc == 3) {
    auto front = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::minimize{"parameters"},
                           tt::constraint{.metric = "latency_ms", .max = 3}, tt::random{.seed = 5}, tt::storage{url},
                           tt::study_name{"front"});
    (void)front.optimize(
        [](const fashion_mlp::mlp_params& p) {
          double parameters = 784.0 * p.dense_bot + 10.0 * p.dense_bot;
          for (const auto& layer : p.hidden) parameters += layer.units * 10.0;
          const double loss = 0.2 + 30.0 / p.dense_bot + 0.02 * static_cast<double>(p.hidden.size());
          return tt::result{{"val_loss", loss}, {"parameters", parameters}, {"latency_ms", parameters / 80'000.0}};
        },
        tt::budget{.trials = 30, .workers = 1});
    std::cout << "wrote study front to " << url << '\n';
    return 0;
  }
  auto demo = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 7}, tt::median_pruner{},
                        tt::storage{url}, tt::study_name{"demo"});
  (void)demo.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) -> tt::outcome {
        if (t.number() % 10 == 9) throw std::runtime_error("out of patience");
        const auto& p = t.params();
        const double final_loss = 0.2 + std::abs(p.dense_bot - 250) / 100.0 +
                                  0.01 * static_cast<double>(p.hidden.size());
        for (int step = 0; step < 4; ++step) {
          t.report(step, final_loss + 0.5 / (step + 1));
          if (t.should_prune()) return tt::pruned;
        }
        t.set_metric("train_loss", final_loss * 0.9);
        return tt::result{"val_loss", final_loss};
      },
      tt::budget{.trials = 40, .workers = 1});
  // Figures a program computes after the search, kept with the study.
  demo.set_attributes({{"test_accuracy", "0.8912"}, {"baseline_test_accuracy", "0.8790"}, {"gain_points", "+1.22"}});
  auto other = tt::study(fashion_mlp::space, tt::maximize{"accuracy"}, tt::random{.seed = 1}, tt::storage{url},
                         tt::study_name{"other"});
  (void)other.optimize(
      [](const fashion_mlp::mlp_params& p) {
        return tt::result{"accuracy", p.dense_bot / 350.0};
      },
      tt::budget{.trials = 5, .workers = 1});
  std::cout << "wrote studies demo and other to " << url << '\n';
  return 0;
}
