// describe_trial(): one line of text for a finished trial (see study_core.hpp).
#include "typetune/engine/study_core.hpp"

#include <cstdio>
#include <string>

namespace typetune {

std::string describe_trial(const space_desc& space, const trial_record& t, std::string_view metric) {
  char head[160];
  std::snprintf(head, sizeof head, "trial %llu %s", static_cast<unsigned long long>(t.number),
                std::string(to_string(t.state)).c_str());
  std::string line = head;
  const auto add = [&line](std::string_view name, double v) {
    char text[64];
    std::snprintf(text, sizeof text, "=%.6g", v);
    line += ' ';
    line += name;
    line += text;
  };
  if (t.value) add(metric, *t.value);
  for (const auto& [name, v] : t.metrics) add(name, v);
  char took[48];
  std::snprintf(took, sizeof took, " in %.3g s: ", t.duration_s);
  line += took;
  line += space.format(t.params);
  if (!t.message.empty()) line += " (" + t.message + ")";
  return line;
}

}  // namespace typetune
