// The Markdown and Graphviz documents of a space description, and the writer that puts them
// beside its JSON. Plain runtime code over space_desc: the docs of every space share it.
#include "typetune/desc/render.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace typetune {
namespace {

// One condition as the text table shows it: "optimizer == sgd", "hidden >= 2".
std::string condition_text(const space_desc& desc, const condition& c) {
  return typetune::condition_text(desc.params.at(c.parent), c);
}

// Markdown table cells: a pipe would end the cell (inside code spans too, in GitHub's tables).
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

std::string code(std::string_view text) {
  const std::string fence = text.find('`') == std::string_view::npos ? "`" : "`` ";
  const std::string close = fence == "`" ? "`" : " ``";
  return fence + cell(text) + close;
}

std::string kind_text(const param_desc& p) {
  std::string out(to_string(p.kind));
  if (p.role == param_role::branch) out += ", branch";
  else if (p.role == param_role::count) out += ", repeat count";
  return out;
}

std::string domain_text(const param_desc& p) {
  switch (p.kind) {
    case param_kind::integer:
    case param_kind::real: return std::string("[") + format_real(p.low) + ", " + format_real(p.high) + "]";
    case param_kind::categorical:
    case param_kind::constant: {
      std::string out;
      for (std::size_t i = 0; i < p.choices.size(); ++i) {
        if (i != 0) out += ", ";
        out += code(p.format(param_value{static_cast<std::int64_t>(i)}));
      }
      return out;
    }
  }
  return {};
}

std::string scale_text(const param_desc& p) {
  if (p.kind == param_kind::integer || p.kind == param_kind::real) return p.log ? "log" : "linear";
  return {};
}

std::string step_text(const param_desc& p) {
  if (p.kind == param_kind::integer) return format_real(p.step);
  if (p.kind == param_kind::real) return p.step > 0 ? format_real(p.step) : "continuous";
  return {};
}

std::string default_text(const param_desc& p) {
  if (p.kind == param_kind::constant || std::holds_alternative<std::monostate>(p.default_value)) return {};
  return code(p.format(p.default_value));
}

std::string grid_text(const space_desc& desc) {
  const auto grid = desc.grid_size();
  if (!grid) return "none: the space has a continuous parameter";
  return std::to_string(*grid) + " configurations";
}

// DOT string literals: quotes and backslashes escaped; "\n" written on purpose stays a line break.
std::string dot_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + '"';
}

std::string dot_domain(const param_desc& p) {
  std::string out(to_string(p.kind));
  if (p.role == param_role::count) out = "repeat count";
  else if (p.role == param_role::branch) out = "branch";
  switch (p.kind) {
    case param_kind::integer:
    case param_kind::real:
      out += " [";
      out += format_real(p.low) + ", " + format_real(p.high) + "]";
      if (p.step > 0 && !(p.kind == param_kind::integer && p.step == 1)) {
        out += " step ";
        out += format_real(p.step);
      }
      if (p.log) out += " log";
      break;
    case param_kind::categorical:
    case param_kind::constant:
      if (p.role == param_role::branch) break;  // the options are nodes of their own
      out += " {";
      for (std::size_t i = 0; i < p.choices.size(); ++i)
        out += (i != 0 ? ", " : "") + p.format(param_value{static_cast<std::int64_t>(i)});
      out += "}";
      break;
  }
  if (p.kind != param_kind::constant && !std::holds_alternative<std::monostate>(p.default_value)) {
    out += "\ndefault ";
    out += p.format(p.default_value);
  }
  return out;
}

std::string scope_node(std::size_t parent, std::int64_t value) {
  std::string id = "p";
  id += std::to_string(parent);
  id += '_';
  id += std::to_string(value);
  return id;
}

void write_if_changed(const std::filesystem::path& file, const std::string& content) {
  {
    std::ifstream in(file, std::ios::binary);
    if (in) {
      const std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (old == content) return;
    }
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error(std::string("typetune: could not write ") + file.string());
}

}  // namespace

std::string scope_of(const param_desc& p) {
  if (p.path.size() <= p.name.size()) return {};
  return p.path.substr(0, p.path.size() - p.name.size() - 1);
}

std::string active_when(const space_desc& desc, std::size_t i) {
  std::vector<std::string> chain;
  for (auto c = desc.params.at(i).active_if; c; c = desc.params.at(c->parent).active_if)
    chain.push_back(condition_text(desc, *c));
  if (chain.empty()) return "always";
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) out += (out.empty() ? "" : " and ") + *it;
  return out;
}

std::string to_markdown(const space_desc& desc, std::string_view title) {
  std::ostringstream out;
  out << "# " << title << "\n\n";
  out << "| | |\n|---|---|\n";
  bool conditional = false;
  for (const auto& p : desc.params) conditional = conditional || p.active_if.has_value();
  out << "| parameters | " << desc.size() << (conditional ? " (repeat items and branch options expanded)" : "")
      << " |\n";
  out << "| grid size | " << grid_text(desc) << " |\n";
  out << "| space hash | `" << desc.hash_text() << "` |\n";

  // Scopes in the order of their first parameter; the top level first even when it starts later.
  std::vector<std::string> scopes{""};
  for (const auto& p : desc.params) {
    const auto s = scope_of(p);
    bool seen = false;
    for (const auto& known : scopes) seen = seen || known == s;
    if (!seen) scopes.push_back(s);
  }
  for (const auto& scope : scopes) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < desc.size(); ++i)
      if (scope_of(desc.params[i]) == scope) members.push_back(i);
    if (members.empty()) continue;
    out << "\n## " << (scope.empty() ? std::string("Top level") : code(scope)) << "\n\n";
    if (!scope.empty()) out << "Active when " << code(active_when(desc, members.front())) << ".\n\n";
    out << "| path | kind | range or choices | scale | step | default | active when |\n";
    out << "|---|---|---|---|---|---|---|\n";
    for (const auto i : members) {
      const auto& p = desc.params[i];
      out << "| " << code(p.path) << " | " << kind_text(p) << " | " << domain_text(p) << " | " << scale_text(p) << " | "
          << step_text(p) << " | " << default_text(p) << " | " << cell(active_when(desc, i)) << " |\n";
    }
  }
  return out.str();
}

std::string to_dot(const space_desc& desc, std::string_view title) {
  std::ostringstream out;
  out << "digraph " << dot_quoted(title) << " {\n";
  out << "  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.2, ranksep=0.4];\n";
  out << "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n";
  out << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  const auto grid = desc.grid_size();
  out << "  space [label="
      << dot_quoted(std::string(title) + "\n" + std::to_string(desc.size()) + " parameters, " +
                    (grid ? std::string("grid ") + std::to_string(*grid) : std::string("continuous")) + "\nhash " +
                    desc.hash_text())
      << ", shape=box, style=bold];\n";
  for (std::size_t i = 0; i < desc.size(); ++i) {
    const auto& p = desc.params[i];
    const std::string id = std::string("p") + std::to_string(i);
    const char* style = p.role == param_role::plain ? "rounded" : "\"rounded,bold\"";
    out << "  " << id << " [label=" << dot_quoted(p.name + "\n" + dot_domain(p)) << ", style=" << style << "];\n";
    if (p.active_if && p.active_if->kind == condition::rule::one_of) {
      // Under several values of its parent: one edge from the parent, labelled with the set.
      const auto& parent = desc.params[p.active_if->parent];
      const std::string text = typetune::condition_text(parent, *p.active_if);
      out << "  p" << p.active_if->parent << " -> " << id
          << " [label=" << dot_quoted(text.substr(parent.path.size() + 1)) << "];\n";
    } else if (p.active_if) out << "  " << scope_node(p.active_if->parent, p.active_if->value) << " -> " << id << ";\n";
    else out << "  space -> " << id << ";\n";
    // The scopes this parameter opens: one per option of a branch, one per item of a repeat.
    if (p.role == param_role::branch) {
      for (std::size_t k = 0; k < p.choices.size(); ++k) {
        const auto value = static_cast<std::int64_t>(k);
        const auto option = p.format(param_value{value});
        out << "  " << scope_node(i, value) << " [label=" << dot_quoted(p.name + "." + option)
            << ", shape=folder, style=filled, fillcolor=\"#eef3fb\"];\n";
        out << "  " << id << " -> " << scope_node(i, value) << " [label=" << dot_quoted(std::string("== ") + option)
            << "];\n";
      }
    } else if (p.role == param_role::count) {
      // Item k-1 is active when the count is at least k, whatever the count's lower bound.
      for (std::int64_t k = 1; k <= static_cast<std::int64_t>(p.high); ++k) {
        out << "  " << scope_node(i, k) << " [label=" << dot_quoted(p.name + "[" + std::to_string(k - 1) + "]")
            << ", shape=folder, style=filled, fillcolor=\"#eefbf0\"];\n";
        out << "  " << id << " -> " << scope_node(i, k)
            << " [label=" << dot_quoted(std::string(">= ") + std::to_string(k)) << "];\n";
      }
    }
  }
  out << "}\n";
  return out.str();
}

void write_space_docs(const space_desc& desc, const std::filesystem::path& dir, std::string_view name,
                      std::string_view title) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(std::string("typetune: could not create ") + dir.string() + ": " + ec.message());
  const std::string base(name);
  // The files say where they come from, after the Markdown page's title: a person who edits
  // one by hand learns that the next build writes it again.
  auto markdown = to_markdown(desc, title);
  markdown.insert(
      markdown.find("\n\n") + 2,
      "<!-- Written by typetune_add_space_docs from the space's type: change the space, not this page. -->\n\n");
  write_if_changed(dir / (base + ".md"), markdown);
  write_if_changed(dir / (base + ".json"), desc.to_json() + "\n");
  write_if_changed(dir / (base + ".dot"),
                   "// Written by typetune_add_space_docs from the space's type: change the space, not this file.\n" +
                       to_dot(desc, title));
}

}  // namespace typetune
