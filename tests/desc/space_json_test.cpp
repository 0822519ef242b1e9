// The runtime description's JSON, both ways: every example space round-trips exactly, and a
// malformed or tampered document is refused with a message naming what is wrong.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cnn_space.hpp"
#include "mlp_space.hpp"
#include "regression_space.hpp"
#include "rnn_space.hpp"
#include "typetune/desc/space_desc.hpp"
#include "typetune/describe.hpp"
#include "../support/conditional_space.hpp"

namespace tt = typetune;
using nlohmann::json;

namespace {

void check_round_trip(const tt::space_desc& d) {
  const auto text = d.to_json();
  const auto back = tt::space_desc::from_json(text);
  CHECK(back == d);
  CHECK(back.hash_text() == d.hash_text());
  CHECK(back.grid_size() == d.grid_size());
  CHECK(back.to_json() == text);
}

// Edits one field of the fashion MLP's description and returns from_json's error text.
template <class Edit>
std::string error_after(Edit edit) {
  auto doc = json::parse(tt::describe(fashion_mlp::space).to_json());
  edit(doc);
  try {
    (void)tt::space_desc::from_json(doc.dump());
  } catch (const tt::description_error& e) {
    return e.what();
  }
  return "no error";
}

json& param(json& doc, const std::string& path) {
  for (auto& p : doc["params"])
    if (p["path"] == path) return p;
  throw std::logic_error("no parameter " + path);
}

}  // namespace

TEST_CASE("every example space round-trips through JSON") {
  SECTION("fashion MLP") { check_round_trip(tt::describe(fashion_mlp::space)); }
  SECTION("fashion CNN") { check_round_trip(tt::describe(fashion_cnn::space)); }
  SECTION("RNN") { check_round_trip(tt::describe(sequence_rnn::space)); }
  SECTION("regression") { check_round_trip(tt::describe(housing_regression::space)); }
}

TEST_CASE("the JSON document carries typed values, the hash and the grid size") {
  const auto d = tt::describe(fashion_mlp::space);
  const auto doc = json::parse(d.to_json());
  CHECK(doc["format"] == "typetune-space");
  CHECK(doc["version"] == 1);
  CHECK(doc["hash"] == d.hash_text());
  CHECK(doc["parameter_count"] == d.size());
  CHECK(doc["grid_size"] == *d.grid_size());
  bool saw_units = false, saw_sgd_child = false;
  for (const auto& p : doc["params"]) {
    if (p["path"] == "hidden[1].units") {
      saw_units = true;
      CHECK(p["low"].is_number_integer());
      CHECK(p["active_if"]["rule"] == "at_least");
      CHECK(p["active_if"]["value"] == 2);
    }
    if (p.contains("active_if") && p["active_if"]["rule"] == "equals" && p["active_if"]["value"] == "sgd") saw_sgd_child = true;
  }
  CHECK(saw_units);
  CHECK(saw_sgd_child);
}

TEST_CASE("integers at the exact limit and extreme reals keep their values") {
  tt::space_desc d;
  tt::param_desc big;
  big.path = big.name = "big";
  big.kind = tt::param_kind::integer;
  big.type = tt::value_type::integer;
  big.low = -9007199254740992.0;
  big.high = 9007199254740992.0;
  big.step = 1;
  big.default_value = std::int64_t{9007199254740991};
  tt::param_desc tiny;
  tiny.path = tiny.name = "tiny";
  tiny.kind = tt::param_kind::real;
  tiny.type = tt::value_type::real;
  tiny.low = 4.9406564584124654e-324;
  tiny.high = 1.7976931348623157e308;
  tiny.log = true;
  d.params = {big, tiny};
  check_round_trip(d);
  const auto back = tt::space_desc::from_json(d.to_json());
  CHECK(std::get<std::int64_t>(back.params[0].default_value) == 9007199254740991);
  CHECK(back.params[1].low == 4.9406564584124654e-324);
}

TEST_CASE("from_json refuses a malformed document and names what is wrong") {
  using Catch::Contains;
  CHECK_THROWS_WITH(tt::space_desc::from_json("{\"format\": \"typetune-space\", \"version\": 1, \"params\": ["),
                    Contains("not valid JSON"));
  CHECK_THROWS_WITH(tt::space_desc::from_json("[1, 2]"), Contains("not a JSON object"));
  CHECK_THROWS_WITH(tt::space_desc::from_json("{\"params\": []}"), Contains("not a typetune space description"));
  CHECK_THROWS_WITH(tt::space_desc::from_json("{\"format\": \"typetune-space\", \"version\": 7, \"params\": []}"),
                    Contains("version 7 is newer"));
  // A truncated document: every prefix of a real one is refused, never read half.
  const auto full = tt::describe(fashion_mlp::space).to_json(-1);
  for (std::size_t n = 0; n < full.size(); n += 37)
    CHECK_THROWS_AS(tt::space_desc::from_json(full.substr(0, n)), tt::description_error);

  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["low"] = "64"; }),
             Contains("parameter 'dense_bot'") && Contains("'low' must be an integer"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["low"] = 4096; }),
             Contains("parameter 'dense_bot'") && Contains("is above high"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["kind"] = "float"; }),
             Contains("'kind' is 'float', not one of: int, real, choice, constant"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["low"] = 1e300; }), Contains("must be an integer"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["high"] = std::int64_t{1} << 60; }), Contains("+-2^53"));
  CHECK_THAT(error_after([](json& d) { param(d, "optimizer")["choices"][0] = 3; }),
             Contains("parameter 'optimizer'") && Contains("does not fit the parameter's type 'string'"));
  CHECK_THAT(error_after([](json& d) { param(d, "hidden[1].units")["active_if"]["parent"] = "nowhere"; }),
             Contains("parameter 'hidden[1].units'") && Contains("'nowhere' is not an earlier parameter"));
  CHECK_THAT(error_after([](json& d) {
               for (auto& p : d["params"])
                 if (p.contains("active_if") && p["active_if"]["rule"] == "equals") p["active_if"]["value"] = "rmsprop";
             }),
             Contains("\"rmsprop\" is not an option of 'optimizer'"));
  CHECK_THAT(error_after([](json& d) { d["params"].push_back(d["params"][0]); }), Contains("the path appears twice"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["high"] = 1000; }), Contains("does not match the parameters'"));
  CHECK_THAT(error_after([](json& d) { param(d, "dense_bot")["default"] = 5000; }),
             Contains("parameter 'dense_bot'") && Contains("outside the parameter's range"));
}

TEST_CASE("check() holds a hand-built description to the same rules") {
  tt::space_desc d;
  tt::param_desc p;
  p.path = p.name = "lr";
  p.kind = tt::param_kind::real;
  p.type = tt::value_type::real;
  p.low = 0;
  p.high = 1;
  p.log = true;
  d.params = {p};
  CHECK_THROWS_WITH(d.check(), Catch::Contains("parameter 'lr'") && Catch::Contains("log scale needs low > 0"));
  d.params[0].log = false;
  CHECK_NOTHROW(d.check());
  d.params[0].active_if = tt::condition{0, tt::condition::rule::equals, 0};
  CHECK_THROWS_WITH(d.check(), Catch::Contains("parent must come before it"));
}

TEST_CASE("one_of conditions: JSON both ways, the hash, the rules check() keeps") {
  using Catch::Contains;
  const auto d = tt::describe(conditional_space::space);
  check_round_trip(d);
  const auto doc = json::parse(d.to_json());
  bool saw_shared = false;
  for (const auto& p : doc["params"]) {
    if (p["path"] != "learning_rate") continue;
    saw_shared = true;
    CHECK(p["active_if"] == json{{"parent", "optimizer"}, {"rule", "one_of"}, {"values", {"adam", "sgd"}}});
  }
  CHECK(saw_shared);

  auto edited = [&](auto edit) {
    auto copy = d;
    edit(*copy.params[*copy.find("learning_rate")].active_if);
    return copy;
  };
  CHECK(edited([](tt::condition& c) { c.values = {0}; }).hash() != d.hash());
  CHECK_THROWS_WITH(edited([](tt::condition& c) { c.values = {}; }).check(),
                    Contains("parameter 'learning_rate'") && Contains("at least one"));
  CHECK_THROWS_WITH(edited([](tt::condition& c) { c.values = {1, 0}; }).check(), Contains("once each, in the parent's order"));
  CHECK_THROWS_WITH(edited([](tt::condition& c) { c.values = {0, 3}; }).check(), Contains("names value #3 of 'optimizer'"));
  CHECK_THROWS_WITH(edited([](tt::condition& c) { c.parent = 0; }).check(), Contains("is not a branch or a choice"));

  auto bad = doc;
  for (auto& p : bad["params"])
    if (p["path"] == "learning_rate") p["active_if"]["values"] = {"adam", "nadam"};
  CHECK_THROWS_WITH(tt::space_desc::from_json(bad.dump()), Contains("\"nadam\" is not a value of 'optimizer'"));
}
