// The samplers' proposals, pinned: for fixed seeds, the first 200 proposals of TPE (univariate
// and multivariate), the GP, the default sampler and Sobol on every space of the quality suite,
// as they were when tests/engine/data/golden_proposals.txt was written. A change that only moves
// code (the samplers' split into model and pipeline) must leave them identical; a change that
// means to alter them rewrites the file and says why in its note:
//   TYPETUNE_WRITE_GOLDEN=tests/engine/data/golden_proposals.txt build/release/tests/typetune_engine_tests "[golden]"
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "quality_suite.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

using namespace typetune;

namespace {

constexpr std::size_t proposals = 200;
constexpr std::uint64_t seed = 11;

// One line per proposal: "sampler problem number v0 v1 ...", "-" for an inactive parameter,
// integers as integers, reals with 17 significant digits (they read back to the same double).
std::string line(const std::string& sampler, const std::string& problem, const trial_record& t) {
  std::ostringstream out;
  out << sampler << ' ' << problem << ' ' << t.number;
  for (const auto& v : t.params.values) {
    out << ' ';
    if (std::holds_alternative<std::monostate>(v)) {
      out << '-';
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      out << *i;
    } else {
      char text[40];
      std::snprintf(text, sizeof text, "%.17g", std::get<double>(v));
      out << text;
    }
  }
  return out.str();
}

std::vector<std::string> current() {
  const std::vector<std::pair<std::string, std::function<std::unique_ptr<sampler>()>>> samplers = {
      {"tpe", [] { return make_tpe_sampler(); }},
      {"tpe-multivariate", [] { return make_tpe_sampler({.multivariate = true}); }},
      {"gp", [] { return make_gp_sampler(); }},
      {"auto", [] { return make_auto_sampler(); }},
      {"sobol", [] { return make_sobol_sampler(); }},
  };
  std::vector<std::string> lines;
  for (const auto& p : quality::all_problems()) {
    for (const auto& [name, make] : samplers) {
      auto s = make();
      for (const auto& t : quality::run(*s, p, seed, proposals)) lines.push_back(line(name, p.name, t));
    }
  }
  return lines;
}

std::vector<std::string> stored(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    if (!l.empty() && l.front() != '#') lines.push_back(l);
  return lines;
}

}  // namespace

TEST_CASE("the samplers' first 200 proposals on the quality suite are those of the golden file", "[golden]") {
  const auto now = current();
  if (const char* out = std::getenv("TYPETUNE_WRITE_GOLDEN")) {
    std::ofstream file(out);
    file << "# The samplers' first " << proposals << " proposals on the quality suite, seed " << seed
         << " (tests/engine/golden_proposals_test.cpp)\n";
    for (const auto& l : now) file << l << '\n';
    REQUIRE(file.good());
    WARN("wrote " << now.size() << " proposals to " << out);
    return;
  }
  const auto golden = stored(TYPETUNE_GOLDEN_PROPOSALS);
  REQUIRE(golden.size() == now.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (now[i] == golden[i]) continue;
    if (differ++ < 5) FAIL_CHECK("proposal " << i << " changed:\n  golden: " << golden[i] << "\n  now:    " << now[i]);
  }
  CHECK(differ == 0);
}
