// The Markdown and Graphviz docs of a space: a table per scope with every parameter's domain and
// condition, the graph's nodes and edges for branches and repeats, escaping, and the writer.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "../support/conditional_space.hpp"
#include "../unit/nested_spaces.hpp"
#include "cnn_space.hpp"
#include "mlp_space.hpp"
#include "typetune/desc/render.hpp"
#include "typetune/describe.hpp"

namespace tt = typetune;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("the Markdown page has the counts, the hash and one table per scope") {
  const auto d = tt::describe(fashion_mlp::space);
  const auto md = tt::to_markdown(d, "Fashion-MNIST MLP");
  CHECK(md.rfind("# Fashion-MNIST MLP\n", 0) == 0);
  CHECK(has(md, "| parameters | 10 "));
  CHECK(has(md, "| grid size | 3780 configurations |"));
  CHECK(has(md, "| space hash | `" + d.hash_text() + "` |"));
  // Top level, two repeat items, two branch options.
  CHECK(count(md, "\n## ") == 5);
  CHECK(count(md, "| path | kind | range or choices | scale | step | default | active when |") == 5);
  CHECK(has(md, "## Top level"));
  CHECK(has(md, "## `hidden[1]`\n\nActive when `hidden >= 2`."));
  CHECK(has(md, "## `optimizer.sgd`\n\nActive when `optimizer == sgd`."));
  CHECK(has(md, "| `dense_bot` | int | [50, 350] | linear | 50 |  | always |"));
  CHECK(has(md, "| `hidden` | int, repeat count | [1, 2] | linear | 1 |  | always |"));
  CHECK(has(md, "| `optimizer` | choice, branch | `adam`, `sgd` |  |  |  | always |"));
  CHECK(has(md, "| `hidden[0].dropout` | choice | `0`, `0.1`, `0.2` |  |  |  | hidden >= 1 |"));
  CHECK(has(md, "| `optimizer.sgd.momentum` | constant | `0.9` |  |  |  | optimizer == sgd |"));
  // Every parameter has its row.
  for (const auto& p : d.params) CHECK(has(md, "| `" + p.path + "` |"));
}

TEST_CASE("the Markdown page shows scales, real steps, defaults and a continuous space") {
  const auto md = tt::to_markdown(tt::describe(fashion_cnn::space), "CNN");
  CHECK(has(md, "| grid size | none: the space has a continuous parameter |"));
  CHECK(has(md, "| `dense_units` | int | [25, 150] | linear | 25 | `100` | always |"));
  CHECK(has(md, "| `conv[1].dropout` | real | [0, 0.5] | linear | 0.25 |  | conv >= 2 |"));
  CHECK(has(md, "| `conv[0].padding` | choice | `valid`, `same` |"));
  CHECK(has(
      md,
      "| `optimizer.adam.learning_rate` | real | [1e-04, 0.01] | log | continuous | `0.001` | optimizer == adam |"));
}

TEST_CASE("a nested parameter is active under its whole chain of conditions") {
  const auto d = tt::describe(nested::space);
  const auto slope = d.find("body.stacked.layers[1].act.leaky.slope");
  REQUIRE(slope.has_value());
  CHECK(tt::active_when(d, *slope) ==
        "body == stacked and body.stacked.layers >= 2 and body.stacked.layers[1].act == leaky");
  CHECK(tt::active_when(d, *d.find("head")) == "always");
  CHECK(tt::scope_of(d.params[*slope]) == "body.stacked.layers[1].act.leaky");
  CHECK(tt::scope_of(d.params[*d.find("head")]).empty());
  const auto md = tt::to_markdown(d, "nested");
  // The top level comes first although its first parameter (body) opens the branch.
  CHECK(md.find("## Top level") < md.find("## `body.stacked`"));
  CHECK(has(md, "| `head` | choice | `3`, `7` |  |  | `7` | always |"));
  CHECK(has(md, "| `body.stacked.layers[0].units` | int | [8, 64] | log | 1 |"));
}

TEST_CASE("a pipe or a backtick in a choice does not break the table") {
  constexpr auto space = tt::space(tt::choice<"sep">("a|b", "c`d"));
  const auto md = tt::to_markdown(tt::describe(space), "odd | title");
  CHECK(has(md, "| `sep` | choice | `a\\|b`, `` c`d `` |"));
}

TEST_CASE("the graph has a node per parameter and a scope node per option and repeat item") {
  const auto d = tt::describe(fashion_mlp::space);
  const auto dot = tt::to_dot(d, "Fashion-MNIST MLP");
  CHECK(has(dot, "digraph \"Fashion-MNIST MLP\" {\n"));
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  CHECK(has(dot, "space [label=\"Fashion-MNIST MLP\\n10 parameters, grid 3780\\nhash " + d.hash_text() + "\""));
  for (std::size_t i = 0; i < d.size(); ++i) CHECK(has(dot, "  p" + std::to_string(i) + " [label="));
  CHECK(has(dot, "p0 [label=\"dense_bot\\nint [50, 350] step 50\""));
  CHECK(has(dot, "space -> p0;"));
  // hidden (p1) opens two items; optimizer (p6) two options, each with its own parameters.
  CHECK(has(dot, "p1_2 [label=\"hidden[1]\", shape=folder"));
  CHECK(has(dot, "p1 -> p1_2 [label=\">= 2\"];"));
  CHECK(has(dot, "p1_2 -> p4;"));
  CHECK(has(dot, "p6 -> p6_1 [label=\"== sgd\"];"));
  CHECK(has(dot, "p9 [label=\"momentum\\nconstant {0.9}\""));
  CHECK(has(dot, "p6_1 -> p9;"));
  CHECK(count(dot, " -> ") == d.size() + 4);
}

TEST_CASE("an option without parameters still has its node, and quotes are escaped") {
  const auto dot = tt::to_dot(tt::describe(nested::space), "a \"quoted\" title");
  CHECK(has(dot, "digraph \"a \\\"quoted\\\" title\" {"));
  CHECK(has(dot, "p0_0 [label=\"body.plain\""));
  CHECK(has(dot, "p9 [label=\"head\\nchoice {3, 7}\\ndefault 7\""));
}

TEST_CASE("write_space_docs writes the page, the JSON and the graph, and leaves equal files alone") {
  const auto dir = std::filesystem::temp_directory_path() / "typetune_render_test";
  std::filesystem::remove_all(dir);
  const auto d = tt::describe(fashion_mlp::space);
  tt::write_space_docs(d, dir / "nested" / "dir", "fashion_mlp", "Fashion-MNIST MLP");
  const auto base = dir / "nested" / "dir" / "fashion_mlp";
  // The files are the documents with a note of where they come from (the page's after its title).
  auto page = tt::to_markdown(d, "Fashion-MNIST MLP");
  CHECK(page.find("Written by") == std::string::npos);
  page.insert(page.find("\n\n") + 2,
              "<!-- Written by typetune_add_space_docs from the space's type: change the "
              "space, not this page. -->\n\n");
  CHECK(read(base.string() + ".md") == page);
  CHECK(read(base.string() + ".dot") ==
        "// Written by typetune_add_space_docs from the space's type: change the space, not this file.\n" +
            tt::to_dot(d, "Fashion-MNIST MLP"));
  CHECK(tt::space_desc::from_json(read(base.string() + ".json")) == d);

  const auto md = base.string() + ".md";
  const auto old_time = std::filesystem::last_write_time(md) - std::chrono::hours(1);
  std::filesystem::last_write_time(md, old_time);
  tt::write_space_docs(d, dir / "nested" / "dir", "fashion_mlp", "Fashion-MNIST MLP");
  CHECK(std::filesystem::last_write_time(md) == old_time);
  tt::write_space_docs(d, dir / "nested" / "dir", "fashion_mlp", "Another title");
  CHECK(std::filesystem::last_write_time(md) != old_time);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a one_of condition reads as the set of the parent's values, in text, Markdown and Graphviz") {
  const auto d = tt::describe(conditional_space::space);
  CHECK(tt::active_when(d, *d.find("learning_rate")) == "optimizer in {adam, sgd}");
  CHECK(tt::active_when(d, *d.find("dropout_rate")) == "use_dropout in {true}");
  CHECK_THAT(d.to_text(), Catch::Contains("optimizer in {adam, sgd}"));
  CHECK_THAT(tt::to_markdown(d, "conditional"), Catch::Contains("optimizer in {adam, sgd}"));
  std::string edge = "p";
  edge += std::to_string(*d.find("optimizer"));
  edge += " -> p";
  edge += std::to_string(*d.find("learning_rate"));
  edge += " [label=\"in {adam, sgd}\"]";
  CHECK_THAT(tt::to_dot(d, "conditional"), Catch::Contains(edge));
}
