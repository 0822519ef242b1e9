// The HTML report, from a real (engine) study of the tutorial's MLP space with a pruner: one
// mark per trial in the history, one line per complete trial in the parallel coordinates, a
// curve per trial that reported, the table, and importance that finds the parameter that
// matters.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include <typetune/study.hpp>

#include "mlp_space.hpp"
#include "typetune/report/html_report.hpp"

namespace tt = typetune;

namespace {

// Occurrences of `needle` in `text`.
std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The section of the page from `id`'s opening tag to the next </svg> (or </table>).
std::string section(const std::string& html, const std::string& id, const std::string& end = "</svg>") {
  const auto at = html.find("id=\"" + id + "\"");
  REQUIRE(at != std::string::npos);
  return html.substr(at, html.find(end, at) - at);
}

// A study whose objective depends mostly on dense_bot, with learning curves, pruning and one
// failure in every ten trials.
tt::study_export mlp_study(std::uint64_t trials) {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 7}, tt::median_pruner{});
  (void)study.optimize(
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
      tt::budget{.trials = trials, .workers = 1});
  return study.export_study("mlp <test> & \"quotes\"");
}

}  // namespace

TEST_CASE("the report shows every trial in the history, the table and the curves") {
  const auto s = mlp_study(40);
  std::size_t complete = 0, failed = 0, pruned = 0;
  for (const auto& t : s.trials) {
    complete += t.state == tt::trial_state::complete;
    failed += t.state == tt::trial_state::failed;
    pruned += t.state == tt::trial_state::pruned;
  }
  REQUIRE(s.trials.size() == 40);
  REQUIRE(failed == 4);
  std::ostringstream out;
  tt::write_html_report(out, s);
  const auto html = out.str();
  CHECK(count(section(html, "history"), "class=\"point ") == 40);
  CHECK(count(section(html, "history"), "class=\"point no-value state-failed\"") == failed);
  CHECK(count(section(html, "parallel"), "class=\"line\"") == complete);
  CHECK(count(section(html, "curves"), "class=\"curve state-pruned\"") +
            count(section(html, "curves"), "class=\"curve dot state-pruned\"") ==
        pruned);
  CHECK(count(section(html, "curves"), "class=\"curve ") == complete + pruned);
  CHECK(count(section(html, "trials", "</table>"), "<tr data-trial=") == 40);
  // The study's name is escaped, and nothing is loaded from elsewhere.
  CHECK_THAT(html, Catch::Contains("mlp &lt;test&gt; &amp; &quot;quotes&quot;"));
  CHECK_THAT(html, !Catch::Contains("src=\"http") && !Catch::Contains("href=\"http"));
  CHECK(count(html, "<link") == count(html, "<link rel=\"icon\" href=\"data:,\">"));
}

TEST_CASE("the report's parts: the timeline, the slices, the space, and rows a live page replaces") {
  auto s = mlp_study(30);
  // Two workers taking turns; one trial still running, one that records no start.
  for (auto& t : s.trials) {
    t.worker = t.number % 2 == 0 ? "host-a:1" : "host-b:2";
    t.start_time = 1'000'000.0 + static_cast<double>(t.number);
    t.duration_s = 0.5;
  }
  s.trials[28].state = tt::trial_state::running;
  s.trials[29].start_time = 0;
  tt::report_options options;
  options.now = 1'000'100.0;
  const auto sections = tt::report_sections(s, options);
  std::vector<std::string> ids;
  for (const auto& part : sections) ids.push_back(part.id);
  CHECK(ids == std::vector<std::string>{"summary", "history", "parallel", "importance", "curves", "timeline", "slices",
                                        "space"});
  const auto& timeline = sections[5].html;
  CHECK(count(timeline, "<rect class=\"bar-") == 29);
  CHECK(count(timeline, "<rect class=\"bar-running\" data-trial=\"28\"") == 1);
  CHECK_THAT(timeline, Catch::Contains(">host-a:1</text>") && Catch::Contains(">host-b:2</text>") &&
                           Catch::Contains("1 trials record no start time"));
  // A slice per parameter that is not a constant, a point per complete trial where it is active.
  std::size_t complete = 0, with_hidden0 = 0;
  for (const auto& t : s.trials)
    if (t.state == tt::trial_state::complete && t.value) {
      ++complete;
      with_hidden0 += t.params.is_active(*s.study.space.find("hidden[0].units")) ? 1 : 0;
    }
  const auto& slices = sections[6].html;
  const auto dense = slices.substr(slices.find("data-param=\"dense_bot\""));
  CHECK(count(dense.substr(0, dense.find("</svg>")), "<circle") == complete);
  const auto units = slices.substr(slices.find("data-param=\"hidden[0].units\""));
  CHECK(count(units.substr(0, units.find("</svg>")), "<circle") == with_hidden0);
  CHECK_THAT(sections[7].html, Catch::Contains("| `dense_bot` |") && Catch::Contains("digraph"));
  // The rows the live page puts in are the static table's rows.
  std::ostringstream out;
  tt::write_html_report(out, s);
  const auto table = tt::report_table_of(s);
  CHECK(table.metrics == std::vector<std::string>{"train_loss"});
  for (const auto& t : s.trials) CHECK_THAT(out.str(), Catch::Contains(tt::report_table_row(s, table, t)));
  CHECK_THAT(out.str(), Catch::Contains(tt::report_table_head(s, table)) && !Catch::Contains("data-live"));
}

TEST_CASE("importance puts the parameter that drives the objective first, per branch too") {
  const auto s = mlp_study(60);
  const auto scopes = tt::parameter_importance(s);
  REQUIRE(!scopes.empty());
  CHECK(scopes.front().label == "all trials");
  REQUIRE(!scopes.front().entries.empty());
  CHECK(scopes.front().entries.front().path == "dense_bot");
  CHECK(scopes.front().entries.front().share > 0.8);
  bool adam = false, sgd = false;
  for (const auto& scope : scopes) {
    for (std::size_t k = 1; k < scope.entries.size(); ++k) CHECK(scope.entries[k - 1].share >= scope.entries[k].share);
    if (scope.label == "optimizer = adam" || scope.label == "optimizer = sgd") {
      (scope.label == "optimizer = adam" ? adam : sgd) = true;
      REQUIRE(!scope.entries.empty());
      CHECK(scope.entries.front().path == "dense_bot");
      for (const auto& e : scope.entries)
        CHECK(e.path.find(scope.label == "optimizer = adam" ? ".sgd." : ".adam.") == std::string::npos);
    }
  }
  CHECK(adam);
  CHECK(sgd);
}

TEST_CASE("a study with no complete trial still gives a page that says so") {
  auto s = mlp_study(3);
  for (auto& t : s.trials) {
    t.state = tt::trial_state::failed;
    t.value.reset();
    t.intermediate.clear();
  }
  std::ostringstream out;
  tt::write_html_report(out, s);
  CHECK_THAT(out.str(), Catch::Contains("No trial has completed.") && Catch::Contains("Too few complete trials") &&
                            Catch::Contains("No trial reported intermediate values."));
  CHECK(count(section(out.str(), "history"), "class=\"point ") == 3);
}

TEST_CASE("attributes set after the search are shown on the page, escaped", "[attributes]") {
  auto study = tt::study(fashion_mlp::space, tt::maximize{"val_accuracy"}, tt::random{.seed = 3});
  (void)study.optimize(
      [](const fashion_mlp::mlp_params& p) {
        return tt::result{"val_accuracy", p.dense_bot / 350.0};
      },
      tt::budget{.trials = 6, .workers = 1});
  study.set_attributes({{"test_accuracy", "0.8912"},
                        {"baseline_test_accuracy", "0.8790"},
                        {"gain_points", "+1.22"},
                        {"gain_summary", "+1.22 points (95 % CI +0.41 to +2.03; McNemar p = 0.003): beyond <noise>"}});
  std::ostringstream out;
  tt::write_html_report(out, study.export_study("figures"));
  const auto html = out.str();
  CHECK_THAT(html, Catch::Contains("<p class=\"summary\">test_accuracy: <b>0.8912</b></p>"));
  CHECK_THAT(html, Catch::Contains("<p class=\"summary\">baseline_test_accuracy: <b>0.8790</b></p>"));
  CHECK_THAT(html, Catch::Contains("<p class=\"summary\">gain_points: <b>+1.22</b></p>"));
  CHECK_THAT(html, Catch::Contains("McNemar p = 0.003): beyond &lt;noise&gt;</b>"));
  CHECK_THAT(html, Catch::Contains("<p class=\"summary\">objective: <b>val_accuracy</b></p>"));
  CHECK_THAT(html, Catch::Contains("<p class=\"summary\">seed: <b>3</b></p>"));
  CHECK(count(html, ": <b>val_accuracy</b>") == 1);  // the objective's name is stored once, as "objective"
  // Before the plots: the figures are part of the summary at the top.
  CHECK(html.find("test_accuracy: <b>") < html.find("id=\"history\""));
}

TEST_CASE("a study stored before the objective's key was settled names its axes by its \"metric\"", "[attributes]") {
  auto s = mlp_study(10);
  s.study.attributes.erase("objective");  // as such a study reads back: "metric" only
  s.study.attributes["metric"] = "val_loss";
  std::ostringstream out;
  tt::write_html_report(out, s);
  const auto html = out.str();
  CHECK_THAT(section(html, "history"), Catch::Contains("rotate(-90)\" text-anchor=\"middle\">val_loss</text>"));
  CHECK(count(html, ": <b>val_loss</b>") == 1);
}
