// Keeps the code in Markdown docs equal to the compiled examples it quotes. A quoted block is a
// fenced block right after a marker naming a region of a source file:
//
//   <!-- snippet: examples/mlp_space.hpp [space] -->
//   ```cpp
//   ...the lines between the two `// [space]` lines of examples/mlp_space.hpp, dedented...
//   ```
//
// Every ```cpp block of a checked file must be such a quote. Exits 1 naming the file, the line
// and the region when a block differs, a region is missing or a C++ block quotes nothing; with
// --update it rewrites the blocks from their regions instead.
//   snippet_check [--update] <source root> <markdown file>...
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// The lines between the first two `// [region]` markers, without their common indentation.
std::optional<std::vector<std::string>> region(const fs::path& source, const std::string& name, std::string& why) {
  if (!fs::exists(source)) {
    why = "there is no file " + source.string();
    return std::nullopt;
  }
  const auto lines = lines_of(source);
  const std::string marker = "// [" + name + "]";
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto start = lines[i].find_first_not_of(" \t");
    if (start != std::string::npos && lines[i].compare(start, std::string::npos, marker) == 0) at.push_back(i);
  }
  if (at.size() != 2) {
    why = source.string() + " has " + std::to_string(at.size()) + " '" + marker + "' lines, not the 2 that open and close a region";
    return std::nullopt;
  }
  std::vector<std::string> out(lines.begin() + static_cast<long>(at[0]) + 1, lines.begin() + static_cast<long>(at[1]));
  std::size_t indent = std::string::npos;
  for (const auto& l : out)
    if (!blank(l)) indent = std::min(indent, l.find_first_not_of(' '));
  for (auto& l : out) l = blank(l) ? std::string() : l.substr(indent == std::string::npos ? 0 : indent);
  return out;
}

struct problem {
  fs::path file;
  std::size_t line;
  std::string what;
  bool fixed_by_update = false;  // a block that differs from its region, not a missing region
};

}  // namespace

// A marker line: "<!-- snippet: <source path> [<region>] -->", trailing blanks allowed.
static bool parse_marker(const std::string& line, std::string& source, std::string& name) {
  const std::string head = "<!-- snippet: ";
  if (line.rfind(head, 0) != 0) return false;
  const auto space = line.find(' ', head.size());
  if (space == std::string::npos || space == head.size()) return false;
  source = line.substr(head.size(), space - head.size());
  if (source.find_first_of("\t") != std::string::npos || line.compare(space, 2, " [") != 0) return false;
  const auto close = line.find(']', space + 2);
  if (close == std::string::npos || close == space + 2) return false;
  name = line.substr(space + 2, close - space - 2);
  if (line.compare(close, 5, "] -->") != 0) return false;
  return line.find_first_not_of(" \t\r", close + 5) == std::string::npos;
}

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool update = !args.empty() && args.front() == "--update";
  if (update) args.erase(args.begin());
  if (args.size() < 2) {
    std::cerr << "usage: snippet_check [--update] <source root> <markdown file>...\n";
    return 2;
  }
  const fs::path root = args.front();
  std::vector<problem> problems;
  std::size_t quoted = 0;
  try {
    for (std::size_t f = 1; f < args.size(); ++f) {
      const fs::path file = fs::path(args[f]).is_absolute() ? fs::path(args[f]) : root / args[f];
      const auto lines = lines_of(file);
      std::vector<std::string> rewritten;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string source, name;
        if (parse_marker(lines[i], source, name)) {
          rewritten.push_back(lines[i]);
          if (i + 1 >= lines.size() || lines[i + 1].rfind("```", 0) != 0) {
            problems.push_back({file, i + 1, "the snippet marker of " + source + " [" + name + "] is not followed by a fenced block"});
            continue;
          }
          std::size_t end = i + 2;
          while (end < lines.size() && lines[end].rfind("```", 0) != 0) ++end;
          if (end >= lines.size()) {
            problems.push_back({file, i + 2, "the block quoting " + source + " [" + name + "] is not closed"});
            break;
          }
          const std::vector<std::string> block(lines.begin() + static_cast<long>(i) + 2, lines.begin() + static_cast<long>(end));
          std::string why;
          const auto expected = region(root / source, name, why);
          ++quoted;
          if (!expected) {
            problems.push_back({file, i + 1, "the snippet quotes " + source + " [" + name + "], but " + why});
          } else if (block != *expected) {
            std::size_t k = 0;
            while (k < block.size() && k < expected->size() && block[k] == (*expected)[k]) ++k;
            const auto shown = [](const std::vector<std::string>& v, std::size_t at) {
              return at < v.size() ? "'" + v[at] + "'" : std::string("<end of block>");
            };
            problems.push_back({file, i + 3 + k,
                                "the snippet differs from " + source + " [" + name + "]: the doc has " + shown(block, k) +
                                    ", the source " + shown(*expected, k),
                                true});
          }
          rewritten.push_back(lines[i + 1]);
          if (expected && update) rewritten.insert(rewritten.end(), expected->begin(), expected->end());
          else rewritten.insert(rewritten.end(), block.begin(), block.end());
          rewritten.push_back(lines[end]);
          i = end;
          continue;
        }
        if (lines[i].rfind("```cpp", 0) == 0 || lines[i].rfind("```c++", 0) == 0) {
          problems.push_back({file, i + 1, "a C++ block that quotes no example: put the code in a compiled example "
                                           "between '// [name]' lines and mark the block with <!-- snippet: path [name] -->"});
          // Skip to its end so that its lines are not read as markers.
          rewritten.push_back(lines[i]);
          while (++i < lines.size() && lines[i].rfind("```", 0) != 0) rewritten.push_back(lines[i]);
          if (i < lines.size()) rewritten.push_back(lines[i]);
          continue;
        }
        rewritten.push_back(lines[i]);
      }
      if (update && rewritten != lines) {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        for (const auto& l : rewritten) out << l << '\n';
        std::cout << "snippets: rewrote " << file.string() << '\n';
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "snippets: " << e.what() << '\n';
    return 2;
  }
  if (quoted == 0) {
    std::cerr << "snippets: no <!-- snippet: ... --> marker in the files checked\n";
    return 1;
  }
  if (update)
    std::erase_if(problems, [](const problem& p) { return p.fixed_by_update; });
  if (problems.empty()) {
    std::cout << "snippets: " << quoted << " quoted blocks equal their example regions\n";
    return 0;
  }
  for (const auto& p : problems) std::cerr << p.file.string() << ':' << p.line << ": " << p.what << '\n';
  std::cerr << "snippets: " << problems.size() << " of the docs' code blocks do not match the examples; build the "
               "target update_snippets to copy the regions into the docs\n";
  return 1;
}
