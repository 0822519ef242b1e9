// The study export (JSON Lines and CSV): a study written and read back is the same study, and
// a corrupted line is refused with its line number, the trial and the field.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "mlp_space.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/describe.hpp"

namespace tt = typetune;

namespace {

// Two trials of the fashion MLP: one complete with sgd and two hidden layers, one pruned with
// adam and one layer, with a NaN among its intermediate values.
tt::study_export sample_study() {
  tt::study_export s;
  s.study.name = "fashion \"mlp\", v1";
  s.study.dir = tt::direction::maximize;
  s.study.space = tt::describe(fashion_mlp::space);
  s.study.attributes["objective"] = "validation accuracy";
  const auto& space = s.study.space;
  auto set = [&space](tt::assignment& a, const char* path, tt::param_value v) { a.values[*space.find(path)] = v; };

  tt::trial_record a;
  a.number = 0;
  a.state = tt::trial_state::complete;
  a.params.values.assign(space.size(), std::monostate{});
  set(a.params, "dense_bot", std::int64_t{150});
  set(a.params, "hidden", std::int64_t{2});
  set(a.params, "hidden[0].units", std::int64_t{75});
  set(a.params, "hidden[0].dropout", std::int64_t{1});
  set(a.params, "hidden[1].units", std::int64_t{100});
  set(a.params, "hidden[1].dropout", std::int64_t{2});
  set(a.params, "optimizer", std::int64_t{1});
  set(a.params, "optimizer.sgd.learning_rate", std::int64_t{0});
  set(a.params, "optimizer.sgd.momentum", std::int64_t{0});
  space.validate(a.params);
  a.value = 0.8875;
  a.intermediate = {{0, 0.8}, {1, 0.85}};
  a.metrics = {{"train_loss", 0.31}, {"epochs", 12}};
  a.duration_s = 12.5;
  a.seed = 18446744073709551615ull;
  a.start_time = 1795000000.25;
  a.peak_rss_bytes = 734003200;
  a.worker = "node-1:4242";

  tt::trial_record b;
  b.number = 1;
  b.state = tt::trial_state::pruned;
  b.params.values.assign(space.size(), std::monostate{});
  set(b.params, "dense_bot", std::int64_t{50});
  set(b.params, "hidden", std::int64_t{1});
  set(b.params, "hidden[0].units", std::int64_t{50});
  set(b.params, "hidden[0].dropout", std::int64_t{0});
  set(b.params, "optimizer", std::int64_t{0});
  set(b.params, "optimizer.adam.learning_rate", std::int64_t{2});
  space.validate(b.params);
  b.value = 0.5;
  b.intermediate = {{0, std::numeric_limits<double>::quiet_NaN()}, {1, std::numeric_limits<double>::infinity()}};
  b.message = "pruned at step 1, \"below the median\"";
  b.duration_s = 0.75;
  s.trials = {a, b};
  return s;
}

std::string to_text(const tt::study_export& s) {
  std::ostringstream out;
  tt::write_jsonl(out, s);
  return out.str();
}

tt::study_export from_text(const std::string& text) {
  std::istringstream in(text);
  return tt::read_jsonl(in);
}

// The export of sample_study() with its line `line` (1-based) edited by `edit`.
template <class Edit>
std::string corrupted(int line, Edit edit) {
  std::istringstream in(to_text(sample_study()));
  std::string out, l;
  for (int n = 1; std::getline(in, l); ++n) {
    if (n == line) edit(l);
    out += l + '\n';
  }
  return out;
}

void replace(std::string& s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a study export reads back as the same study") {
  const auto s = sample_study();
  const auto back = from_text(to_text(s));
  CHECK(back.study.name == s.study.name);
  CHECK(back.study.dir == tt::direction::maximize);
  CHECK(back.study.attributes == s.study.attributes);
  CHECK(back.study.space == s.study.space);
  REQUIRE(back.trials.size() == 2);
  const auto& a = back.trials[0];
  CHECK(a.params == s.trials[0].params);
  CHECK(a.value == 0.8875);
  CHECK(a.intermediate == s.trials[0].intermediate);
  CHECK(a.metrics == s.trials[0].metrics);
  CHECK(a.seed == 18446744073709551615ull);
  CHECK(a.start_time == 1795000000.25);
  CHECK(a.peak_rss_bytes == 734003200);
  CHECK(a.worker == "node-1:4242");
  const auto& b = back.trials[1];
  CHECK(b.state == tt::trial_state::pruned);
  CHECK(b.params == s.trials[1].params);
  CHECK(std::isnan(b.intermediate.at(0)));
  CHECK(std::isinf(b.intermediate.at(1)));
  CHECK(b.message == s.trials[1].message);
  CHECK(to_text(back) == to_text(s));
}

TEST_CASE("a trial line written with the old peak_device_bytes field still reads") {
  const auto s = sample_study();
  auto line = tt::trial_to_json(s.trials[0], s.study.space);
  REQUIRE(line.back() == '}');
  line.insert(line.size() - 1, ",\"peak_device_bytes\":1048576");
  const auto back = tt::trial_from_json(line, s.study.space);
  CHECK(back.params == s.trials[0].params);
  CHECK(back.value == s.trials[0].value);
  CHECK_THAT(tt::trial_to_json(back, s.study.space), !Catch::Contains("peak_device_bytes"));
}

TEST_CASE("a trial line shows parameters by path, with the choice itself") {
  const auto s = sample_study();
  const auto line = tt::trial_to_json(s.trials[0], s.study.space);
  CHECK_THAT(line, Catch::Contains("\"optimizer\":\"sgd\"") && Catch::Contains("\"hidden[1].units\":100") &&
                       Catch::Contains("\"hidden[0].dropout\":0.1") && Catch::Contains("\"state\":\"complete\""));
  CHECK_THAT(line, !Catch::Contains("adam"));
}

TEST_CASE("corrupted export lines are refused with the line, the trial and the field") {
  using Catch::Contains;
  auto error_of = [](const std::string& text) -> std::string {
    try {
      (void)from_text(text);
    } catch (const tt::export_error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(error_of(""), Contains("no header line"));
  CHECK_THAT(error_of("number,state\n"), Contains("line 1") && Contains("not valid JSON"));
  CHECK_THAT(error_of(corrupted(1, [](std::string& l) { replace(l, "typetune-study", "optuna"); })),
             Contains("not a typetune study export"));
  CHECK_THAT(error_of(corrupted(1, [](std::string& l) { replace(l, "\"version\":1", "\"version\":9"); })),
             Contains("version 9 is newer"));
  // A truncated space in the header.
  CHECK_THAT(error_of(corrupted(1, [](std::string& l) { l.resize(l.size() / 2); })), Contains("line 1"));
  CHECK_THAT(error_of(corrupted(2, [](std::string& l) { replace(l, "\"dense_bot\":150", "\"dense_bot\":\"150\""); })),
             Contains("line 2") && Contains("trial 0") && Contains("'dense_bot' must be an integer"));
  CHECK_THAT(error_of(corrupted(2, [](std::string& l) { replace(l, "\"dense_bot\":150", "\"dense_bot\":175"); })),
             Contains("trial 0") && Contains("'dense_bot' has a value outside the space"));
  CHECK_THAT(error_of(corrupted(2, [](std::string& l) { replace(l, "\"dense_bot\":150", "\"dense_top\":150"); })),
             Contains("unknown parameter 'dense_top'"));
  CHECK_THAT(error_of(corrupted(2, [](std::string& l) { replace(l, "\"optimizer\":\"sgd\"", "\"optimizer\":\"adam\""); })),
             Contains("trial 0: parameter 'optimizer.adam.learning_rate' is active but has no value"));
  CHECK_THAT(error_of(corrupted(2, [](std::string& l) { replace(l, "\"optimizer\":\"sgd\"", "\"optimizer\":\"lion\""); })),
             Contains("\"lion\", which is not one of its choices"));
  CHECK_THAT(error_of(corrupted(3, [](std::string& l) { replace(l, "\"state\":\"pruned\"", "\"state\":\"done\""); })),
             Contains("line 3") && Contains("trial 1") && Contains("unknown state 'done'"));
  CHECK_THAT(error_of(corrupted(3, [](std::string& l) { replace(l, "\"number\":1", "\"number\":0"); })),
             Contains("the number appears twice"));
  CHECK_THAT(error_of(corrupted(3, [](std::string& l) { replace(l, "\"duration_s\":0.75", "\"duration_s\":-1"); })),
             Contains("'duration_s' must be a finite non-negative number"));
  CHECK_THAT(error_of(corrupted(3, [](std::string& l) { l = l.substr(0, 40); })), Contains("line 3") && Contains("not valid JSON"));
}

TEST_CASE("the CSV table has a column per parameter, empty when inactive, and quotes text") {
  std::ostringstream out;
  tt::write_csv(out, sample_study());
  std::istringstream in(out.str());
  std::string header, first, second;
  std::getline(in, header);
  std::getline(in, first);
  std::getline(in, second);
  CHECK_THAT(header, Catch::StartsWith("number,state,value,dense_bot,hidden,hidden[0].units") &&
                         Catch::Contains(",epochs,train_loss,duration_s,"));
  CHECK_THAT(first, Catch::StartsWith("0,complete,0.8875,150,2,75,0.1,100,0.2,sgd,"));
  CHECK_THAT(second, Catch::StartsWith("1,pruned,0.5,50,1,50,0,,,adam,"));
  CHECK_THAT(second, Catch::EndsWith(",\"pruned at step 1, \"\"below the median\"\"\""));
}
