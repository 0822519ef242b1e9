// Compares the committed docs of spaces (docs/spaces/) with the ones the build just wrote, and
// says what changed: the space, each parameter that differs and in which field, then any page,
// graph or picture that differs. Exits 1 on any difference, 2 on a usage or I/O error.
//   space_docs_drift <committed dir> <generated dir> <name>...
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "typetune/desc/render.hpp"
#include "typetune/desc/space_desc.hpp"

namespace fs = std::filesystem;
namespace tt = typetune;

namespace {

std::optional<std::string> read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string choices_text(const tt::param_desc& p) {
  std::string out = "{";
  for (std::size_t i = 0; i < p.choices.size(); ++i)
    out += (i != 0 ? ", " : "") + p.format(tt::param_value{static_cast<std::int64_t>(i)});
  return out + "}";
}

// Field by field, as a person would name them: "high 350 -> 400".
std::vector<std::string> field_changes(const tt::space_desc& old_desc, std::size_t i, const tt::space_desc& new_desc,
                                       std::size_t j) {
  const auto& a = old_desc.params[i];
  const auto& b = new_desc.params[j];
  std::vector<std::string> out;
  auto field = [&](const char* name, const std::string& before, const std::string& after) {
    if (before != after) out.push_back(std::string(name) + " " + before + " -> " + after);
  };
  field("kind", std::string(tt::to_string(a.kind)), std::string(tt::to_string(b.kind)));
  field("role", std::string(tt::to_string(a.role)), std::string(tt::to_string(b.role)));
  field("type", std::string(tt::to_string(a.type)), std::string(tt::to_string(b.type)));
  field("low", tt::format_real(a.low), tt::format_real(b.low));
  field("high", tt::format_real(a.high), tt::format_real(b.high));
  field("step", tt::format_real(a.step), tt::format_real(b.step));
  field("scale", a.log ? "log" : "linear", b.log ? "log" : "linear");
  field("choices", choices_text(a), choices_text(b));
  field("default", a.format(a.default_value), b.format(b.default_value));
  field("active when", tt::active_when(old_desc, i), tt::active_when(new_desc, j));
  field("position", std::to_string(i), std::to_string(j));
  return out;
}

// The parameters that differ, by path; empty when the descriptions are equal.
std::vector<std::string> parameter_changes(const tt::space_desc& committed, const tt::space_desc& generated) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < committed.size(); ++i) {
    const auto& path = committed.params[i].path;
    const auto j = generated.find(path);
    if (!j) {
      out.push_back("parameter " + path + " is in docs/spaces but no longer in the space");
      continue;
    }
    const auto changes = field_changes(committed, i, generated, *j);
    if (changes.empty()) continue;
    std::string line = "parameter " + path + " differs (docs/spaces -> build):";
    for (std::size_t k = 0; k < changes.size(); ++k) line += (k != 0 ? "; " : " ") + changes[k];
    out.push_back(line);
  }
  for (const auto& p : generated.params)
    if (!committed.find(p.path)) out.push_back("parameter " + p.path + " is new in the space, not yet in docs/spaces");
  return out;
}

// The first line where two texts differ, shown from both sides.
std::string first_difference(const std::string& committed, const std::string& generated) {
  std::istringstream a(committed);
  std::istringstream b(generated);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "they differ in line endings";
    if (!more_a || !more_b || la != lb)
      return "line " + std::to_string(line) + ": committed '" + (more_a ? la : std::string("<end>")) + "', generated '" +
             (more_b ? lb : std::string("<end>")) + "'";
  }
}

// Node ids of a DOT graph ("  p3 [label=...") and the node titles of the SVG that dot drew
// from it: version-independent, unlike the SVG's coordinates.
std::set<std::string> dot_nodes(const std::string& dot) {
  std::set<std::string> out;
  std::istringstream in(dot);
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos || start != 2) continue;
    const auto end = line.find(" [label=");
    if (end == std::string::npos || line.find(" -> ") < end) continue;
    out.insert(line.substr(start, end - start));
  }
  return out;
}

std::set<std::string> svg_nodes(const std::string& svg) {
  std::set<std::string> out;
  const std::string marker = "class=\"node\"";
  for (auto at = svg.find(marker); at != std::string::npos; at = svg.find(marker, at + 1)) {
    const auto open = svg.find("<title>", at);
    const auto close = svg.find("</title>", open);
    if (open == std::string::npos || close == std::string::npos) break;
    out.insert(svg.substr(open + 7, close - open - 7));
  }
  return out;
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

// Every difference of one space's docs, each line naming the space.
std::vector<std::string> compare(const fs::path& committed_dir, const fs::path& generated_dir, const std::string& name) {
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what) { problems.push_back(name + ": " + what); };

  const auto generated_json = read(generated_dir / (name + ".json"));
  if (!generated_json) {
    problem("the build wrote no " + (generated_dir / (name + ".json")).string());
    return problems;
  }
  const auto generated = tt::space_desc::from_json(*generated_json);
  const auto committed_json = read(committed_dir / (name + ".json"));
  if (!committed_json) {
    problem("docs/spaces has no " + name + ".json (a space without committed docs)");
    return problems;
  }
  // The committed document is read without its hash, so that a hand edit shows as the
  // parameter it changed rather than as a hash mismatch; the hash is compared on its own.
  std::string committed_hash;
  std::optional<tt::space_desc> committed;
  try {
    auto doc = nlohmann::json::parse(*committed_json);
    if (doc.is_object() && doc.contains("hash") && doc["hash"].is_string()) {
      committed_hash = doc["hash"].get<std::string>();
      doc.erase("hash");
    }
    committed = tt::space_desc::from_json(doc.dump());
  } catch (const std::exception& e) {
    problem(name + ".json in docs/spaces is not a space description any more: " + e.what());
  }
  if (committed) {
    for (const auto& change : parameter_changes(*committed, generated)) problem(change);
    if (committed_hash != generated.hash_text())
      problem("space hash " + (committed_hash.empty() ? std::string("<none>") : committed_hash) + " in docs/spaces, " +
              generated.hash_text() + " from the build");
    if (*committed_json != *generated_json) {
      if (problems.empty()) problem(name + ".json differs in its text: " + first_difference(*committed_json, *generated_json));
    }
  }

  for (const char* extension : {".md", ".dot"}) {
    const auto file = name + extension;
    const auto built = read(generated_dir / file);
    const auto kept = read(committed_dir / file);
    if (!built) problem("the build wrote no " + file);
    else if (!kept) problem("docs/spaces has no " + file);
    else if (*built != *kept) problem(file + " differs from the build's: " + first_difference(*kept, *built));
  }

  // The picture: its nodes must be the graph's, and its text the text dot draws today when the
  // build has dot. Coordinates and the Graphviz version are left out.
  const auto kept_svg = read(committed_dir / (name + ".svg"));
  const auto built_dot = read(generated_dir / (name + ".dot"));
  if (!kept_svg) {
    problem("docs/spaces has no " + name + ".svg");
  } else if (built_dot) {
    const auto want = dot_nodes(*built_dot);
    const auto have = svg_nodes(*kept_svg);
    if (want != have) {
      std::set<std::string> missing;
      std::set<std::string> extra;
      std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::inserter(missing, missing.end()));
      std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::inserter(extra, extra.end()));
      problem(name + ".svg was not drawn from the current graph: nodes missing from it: " + joined(missing) +
              "; nodes the graph no longer has: " + joined(extra));
    }
  }
  return problems;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " <committed dir> <generated dir> <name>...\n";
    return 2;
  }
  const fs::path committed_dir = argv[1];
  const fs::path generated_dir = argv[2];
  std::vector<std::string> problems;
  try {
    for (int i = 3; i < argc; ++i) {
      const auto found = compare(committed_dir, generated_dir, argv[i]);
      problems.insert(problems.end(), found.begin(), found.end());
    }
  } catch (const std::exception& e) {
    std::cerr << "space docs: " << e.what() << '\n';
    return 2;
  }
  if (problems.empty()) {
    std::cout << "space docs: docs/spaces matches the build for " << argc - 3 << " spaces\n";
    return 0;
  }
  std::cerr << "space docs: docs/spaces differs from what the build generates:\n";
  for (const auto& p : problems) std::cerr << "  " << p << '\n';
  std::cerr << "Rebuild the target update_space_docs (it copies the generated files into docs/spaces) and "
               "commit them, after checking that the change is meant.\n";
  return 1;
}
