// Documents of a space for people: a Markdown page (a table per scope) and a Graphviz graph of
// its branch and repeat structure, both from the runtime description alone.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

// The condition under which parameter i is active, its whole chain from the top, as
// "optimizer == sgd" or "hidden >= 2 and hidden[1].kind == conv"; "always" at the top level.
[[nodiscard]] std::string active_when(const space_desc& desc, std::size_t i);

// The scope a parameter belongs to: its path without its own name ("hidden[1]",
// "optimizer.sgd"), or "" at the top level.
[[nodiscard]] std::string scope_of(const param_desc& p);

// A Markdown page: the parameter count, the grid size (finite spaces), the hash, then one table
// per scope (top level first, then in the order the description lists them) with path, kind,
// range or choices, scale, step, default and the condition under which it is active.
// `title` heads the page; the text depends on nothing but the description and the title.
[[nodiscard]] std::string to_markdown(const space_desc& desc, std::string_view title);

// A Graphviz digraph: the space at the root, every parameter a node, every branch option and
// every repeat item a scope node under its branch or count, edges labelled with the value that
// activates them. Stable: node ids follow the description's order.
[[nodiscard]] std::string to_dot(const space_desc& desc, std::string_view title);

// Writes <dir>/<name>.md, <name>.json (space_desc::to_json) and <name>.dot, creating `dir`; the
// page and the graph carry a comment saying they are generated (after the page's title, at the
// top of the graph).
// A file whose content is already the same is left untouched, so its time stamp keeps.
// Throws std::runtime_error naming the file it could not write.
void write_space_docs(const space_desc& desc, const std::filesystem::path& dir, std::string_view name,
                      std::string_view title);

}  // namespace typetune
