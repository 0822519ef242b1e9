// The HTML study report: every plot is SVG written here from the export's numbers, so the page
// needs nothing but a browser. Marks carry data-trial attributes, which the page's script uses
// to highlight one trial across plots and table, and the browser test to count them.
#include "typetune/report/html_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "typetune/desc/direction.hpp"
#include "typetune/desc/render.hpp"

namespace typetune {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Numbers as people read them on a plot: four significant digits.
std::string short_num(double v) {
  if (!std::isfinite(v)) return format_real(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Coordinates with one decimal: enough for a screen, and a smaller file.
std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

bool has_value(const trial_record& t) { return t.value && std::isfinite(*t.value); }

// A linear map from [lo, hi] to [a, b]; a degenerate range maps to the middle.
struct scale {
  double lo, hi, a, b;
  [[nodiscard]] double operator()(double v) const {
    if (!(hi > lo)) return (a + b) / 2;
    return a + (v - lo) / (hi - lo) * (b - a);
  }
};

std::pair<double, double> padded_range(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi == lo) return {lo - 0.5, hi + 0.5};
  const double pad = (hi - lo) * 0.05;
  return {lo - pad, hi + pad};
}

// Five "nice" ticks over [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  std::vector<double> out;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

// Where a parameter's value sits on its axis: log10 for log scales, the index for choices.
double axis_value(const param_desc& p, const param_value& v) {
  if (const auto* d = std::get_if<double>(&v)) return p.log ? std::log10(*d) : *d;
  const auto i = static_cast<double>(std::get<std::int64_t>(v));
  if (p.kind == param_kind::integer && p.log) return std::log10(i);
  return i;
}

std::pair<double, double> axis_range(const param_desc& p) {
  switch (p.kind) {
    case param_kind::integer:
    case param_kind::real: return p.log ? std::pair{std::log10(p.low), std::log10(p.high)} : std::pair{p.low, p.high};
    case param_kind::categorical:
    case param_kind::constant: return {0.0, static_cast<double>(p.choices.empty() ? 0 : p.choices.size() - 1)};
  }
  return {0, 1};
}

// Colour of a trial's line from its rank among the values: best is dark blue, worst light.
std::string rank_colour(double t) {
  t = std::clamp(t, 0.0, 1.0);
  const int r = static_cast<int>(std::lround(8 + t * (190 - 8)));
  const int g = static_cast<int>(std::lround(48 + t * (215 - 48)));
  const int b = static_cast<int>(std::lround(107 + t * (235 - 107)));
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

struct frame {
  double width = 960, height = 340, left = 64, right = 24, top = 20, bottom = 44;
  [[nodiscard]] double x0() const { return left; }
  [[nodiscard]] double x1() const { return width - right; }
  [[nodiscard]] double y0() const { return height - bottom; }  // bottom edge (screen y grows down)
  [[nodiscard]] double y1() const { return top; }
};

// Axes with ticks. `x_names` labels the x positions 0, 1, ... by name instead (a choice's
// options); `x_log` labels a log10 axis with the values themselves.
void axes(std::ostream& out, const frame& f, const scale& xs, const scale& ys, std::string_view xlabel,
          std::string_view ylabel, bool integer_x, const std::vector<std::string>& x_names = {}, bool x_log = false) {
  out << "<g class=\"axes\">";
  out << "<line x1=\"" << px(f.x0()) << "\" y1=\"" << px(f.y0()) << "\" x2=\"" << px(f.x1()) << "\" y2=\"" << px(f.y0())
      << "\"/>";
  out << "<line x1=\"" << px(f.x0()) << "\" y1=\"" << px(f.y0()) << "\" x2=\"" << px(f.x0()) << "\" y2=\"" << px(f.y1())
      << "\"/>";
  for (double v : ticks(ys.lo, ys.hi)) {
    const double y = ys(v);
    out << "<line class=\"grid\" x1=\"" << px(f.x0()) << "\" y1=\"" << px(y) << "\" x2=\"" << px(f.x1()) << "\" y2=\""
        << px(y) << "\"/>";
    out << "<text x=\"" << px(f.x0() - 6) << "\" y=\"" << px(y + 4) << "\" text-anchor=\"end\">" << short_num(v)
        << "</text>";
  }
  for (std::size_t i = 0; i < x_names.size(); ++i)
    out << "<text x=\"" << px(xs(static_cast<double>(i))) << "\" y=\"" << px(f.y0() + 16)
        << "\" text-anchor=\"middle\">" << html_escape(x_names[i]) << "</text>";
  for (double v : x_names.empty() ? ticks(xs.lo, xs.hi) : std::vector<double>{}) {
    if (integer_x && v != std::floor(v)) continue;
    const double x = xs(v);
    out << "<text x=\"" << px(x) << "\" y=\"" << px(f.y0() + 16) << "\" text-anchor=\"middle\">"
        << short_num(x_log ? std::pow(10, v) : v) << "</text>";
  }
  out << "<text class=\"label\" x=\"" << px((f.x0() + f.x1()) / 2) << "\" y=\"" << px(f.height - 6)
      << "\" text-anchor=\"middle\">" << html_escape(xlabel) << "</text>";
  out << "<text class=\"label\" transform=\"translate(14," << px((f.y0() + f.y1()) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << html_escape(ylabel) << "</text>";
  out << "</g>";
}

// Above this many trials a mark's tooltip holds the trial's number, state and value alone (its
// parameters are in its table row, which hovering the mark highlights), and a slice is drawn as
// one path of dots: the page of a study of 10,000 trials stays a few megabytes, not seventy.
constexpr std::size_t detailed_marks = 2000;

std::string trial_title(const study_export& s, const trial_record& t) {
  std::string text = "Trial " + std::to_string(t.number) + " (" + std::string(to_string(t.state)) + ")";
  if (t.value) text += ": " + short_num(*t.value);
  if (s.trials.size() > detailed_marks) return text;
  const auto params = s.study.space.format(t.params);
  if (!params.empty()) text += "\n" + params;
  if (!t.message.empty()) text += "\n" + t.message;
  return html_escape(text);
}

std::string objective_name(const study_export& s) {
  auto name = typetune::objective_name(s.study);
  return name.empty() ? "objective" : name;
}

void history_plot(std::ostream& out, const study_export& s, bool best_line) {
  const frame f;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::uint64_t last = 0;
  for (const auto& t : s.trials) {
    last = std::max(last, t.number);
    if (has_value(t)) {
      lo = std::min(lo, *t.value);
      hi = std::max(hi, *t.value);
    }
  }
  const auto [ylo, yhi] = padded_range(lo, hi);
  const scale xs{-0.5, static_cast<double>(last) + 0.5, f.x0(), f.x1()};
  const scale ys{ylo, yhi, f.y0(), f.y1()};
  out << "<svg id=\"history\" class=\"plot\" viewBox=\"0 0 " << f.width << ' ' << f.height
      << "\" role=\"img\" aria-label=\"Objective value by trial, with the best so far\">";
  axes(out, f, xs, ys, "trial", objective_name(s), true);
  // Best so far, over complete trials, as a step line.
  std::string best_path;
  std::optional<double> best;
  for (const auto& t : s.trials) {
    if (t.state != trial_state::complete || !has_value(t)) continue;
    const bool better = !best || typetune::better(s.study.dir, *t.value, *best);
    const double x = xs(static_cast<double>(t.number));
    if (!best) best_path += "M" + px(x) + " " + px(ys(*t.value));
    else best_path += " H" + px(x) + (better ? " V" + px(ys(*t.value)) : "");
    if (better) best = *t.value;
  }
  if (best && best_line) {
    best_path += " H" + px(f.x1());
    out << "<path class=\"best\" d=\"" << best_path << "\"/>";
  }
  for (const auto& t : s.trials) {
    const double x = xs(static_cast<double>(t.number));
    const auto state = std::string(to_string(t.state));
    if (has_value(t)) {
      out << "<circle class=\"point state-" << state << "\" data-trial=\"" << t.number << "\" cx=\"" << px(x)
          << "\" cy=\"" << px(ys(*t.value)) << "\" r=\"4\"><title>" << trial_title(s, t) << "</title></circle>";
    } else {
      // No value (failed, diverged, running, ...): a cross on the axis, so that every trial shows.
      const double y = f.y0();
      out << "<path class=\"point no-value state-" << state << "\" data-trial=\"" << t.number << "\" d=\"M" << px(x - 4)
          << ' ' << px(y - 4) << " L" << px(x + 4) << ' ' << px(y + 4) << " M" << px(x - 4) << ' ' << px(y + 4) << " L"
          << px(x + 4) << ' ' << px(y - 4) << "\"><title>" << trial_title(s, t) << "</title></path>";
    }
  }
  out << "</svg>";
}

// A study with several objectives: the complete trials on two of its objectives (i on x, j on
// y), each trial of the Pareto front marked, its front joined by a line; an infeasible trial is
// drawn hollow. One plot per pair of objectives.
void pareto_plot(std::ostream& out, const study_export& s, const objective_set& goals, std::size_t i, std::size_t j,
                 const std::vector<const trial_record*>& front) {
  const frame f;
  std::vector<std::pair<const trial_record*, std::array<double, 2>>> points;
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const auto& t : s.trials) {
    if (t.state != trial_state::complete) continue;
    const auto values = goals.values(t);
    if (!values[i] || !values[j] || !std::isfinite(*values[i]) || !std::isfinite(*values[j])) continue;
    points.push_back({&t, {*values[i], *values[j]}});
    xlo = std::min(xlo, *values[i]);
    xhi = std::max(xhi, *values[i]);
    ylo = std::min(ylo, *values[j]);
    yhi = std::max(yhi, *values[j]);
  }
  const auto [x0, x1] = padded_range(xlo, xhi);
  const auto [y0, y1] = padded_range(ylo, yhi);
  const scale xs{x0, x1, f.x0(), f.x1()};
  const scale ys{y0, y1, f.y0(), f.y1()};
  const auto& xo = goals.objectives[i];
  const auto& yo = goals.objectives[j];
  out << "<svg id=\"pareto-" << i << '-' << j << "\" class=\"plot pareto\" viewBox=\"0 0 " << f.width << ' ' << f.height
      << "\" role=\"img\" aria-label=\"" << html_escape(xo.name) << " against " << html_escape(yo.name)
      << ", the Pareto front marked\">";
  axes(out, f, xs, ys, xo.name + " (" + std::string(to_string(xo.dir)) + ")",
       yo.name + " (" + std::string(to_string(yo.dir)) + ")", false);
  // The front's trials in the order of the x objective: the line through them.
  std::vector<std::array<double, 2>> line;
  for (const auto& [t, v] : points)
    if (std::find(front.begin(), front.end(), t) != front.end()) line.push_back(v);
  std::sort(line.begin(), line.end());
  if (line.size() > 1) {
    std::string d;
    for (const auto& v : line) d += (d.empty() ? "M" : " L") + px(xs(v[0])) + " " + px(ys(v[1]));
    out << "<path class=\"front-line\" d=\"" << d << "\"/>";
  }
  for (const auto& [t, v] : points) {
    const bool on_front = std::find(front.begin(), front.end(), t) != front.end();
    const bool feasible = !goals.constrained() || goals.feasible(*t);
    out << "<circle class=\"" << (on_front ? "front-point" : "point state-complete") << (feasible ? "" : " infeasible")
        << "\" data-trial=\"" << t->number << "\" cx=\"" << px(xs(v[0])) << "\" cy=\"" << px(ys(v[1])) << "\" r=\""
        << (on_front ? 5 : 4) << "\"><title>" << trial_title(s, *t) << "\n"
        << html_escape(xo.name) << " " << short_num(v[0]) << ", " << html_escape(yo.name) << " " << short_num(v[1])
        << (feasible ? "" : " (infeasible)") << "</title></circle>";
  }
  out << "</svg>";
}

void parallel_plot(std::ostream& out, const study_export& s) {
  const auto& space = s.study.space;
  std::vector<std::size_t> axes_params;
  for (std::size_t i = 0; i < space.size(); ++i)
    if (space.params[i].kind != param_kind::constant) axes_params.push_back(i);
  const std::size_t n_axes = axes_params.size() + 1;  // + the objective
  frame f;
  f.width = std::max(960.0, 110.0 * static_cast<double>(n_axes));
  f.height = 420;
  f.top = 110;
  f.bottom = 30;
  const scale xs{0, static_cast<double>(n_axes > 1 ? n_axes - 1 : 1), f.x0() + 20, f.x1() - 40};

  std::vector<const trial_record*> done;
  for (const auto& t : s.trials)
    if (t.state == trial_state::complete && has_value(t)) done.push_back(&t);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* t : done) {
    lo = std::min(lo, *t->value);
    hi = std::max(hi, *t->value);
  }
  if (done.empty()) {
    lo = 0;
    hi = 1;
  }
  // Rank colours: the best trial darkest, drawn last (on top).
  std::vector<const trial_record*> order = done;
  std::sort(order.begin(), order.end(), [dir = s.study.dir](const trial_record* a, const trial_record* b) {
    return better(dir, *b->value, *a->value);  // worst first
  });

  out << "<svg id=\"parallel\" class=\"plot\" viewBox=\"0 0 " << px(f.width) << ' ' << f.height
      << "\" role=\"img\" aria-label=\"Parallel coordinates of the complete trials\">";
  auto axis_scale = [&](std::size_t k) -> scale {
    if (k == axes_params.size()) {
      const auto [a, b] = padded_range(lo, hi);
      return {a, b, f.y0(), f.y1()};
    }
    const auto [a, b] = axis_range(space.params[axes_params[k]]);
    return {a, b, f.y0(), f.y1()};
  };
  for (std::size_t k = 0; k < n_axes; ++k) {
    const double x = xs(static_cast<double>(k));
    const bool objective = k == axes_params.size();
    const std::string label = objective ? objective_name(s) : space.params[axes_params[k]].path;
    out << "<g class=\"axis\"><line x1=\"" << px(x) << "\" y1=\"" << px(f.y0()) << "\" x2=\"" << px(x) << "\" y2=\""
        << px(f.y1()) << "\"/>";
    out << "<text class=\"label\" transform=\"translate(" << px(x) << ',' << px(f.y1() - 10) << ") rotate(-35)\">"
        << html_escape(label) << "</text>";
    const auto ys = axis_scale(k);
    if (!objective && space.params[axes_params[k]].kind == param_kind::categorical) {
      const auto& p = space.params[axes_params[k]];
      for (std::size_t c = 0; c < p.choices.size(); ++c)
        out << "<text x=\"" << px(x + 4) << "\" y=\"" << px(ys(static_cast<double>(c)) + 4) << "\">"
            << html_escape(p.format(param_value{static_cast<std::int64_t>(c)})) << "</text>";
    } else {
      const bool log = !objective && space.params[axes_params[k]].log;
      for (double v : {ys.lo, ys.hi})
        out << "<text x=\"" << px(x + 4) << "\" y=\"" << px(ys(v) + 4) << "\">" << short_num(log ? std::pow(10, v) : v)
            << "</text>";
    }
    out << "</g>";
  }
  for (std::size_t r = 0; r < order.size(); ++r) {
    const auto& t = *order[r];
    std::string d;
    bool pen = false;
    for (std::size_t k = 0; k < n_axes; ++k) {
      const bool objective = k == axes_params.size();
      if (!objective && !t.params.is_active(axes_params[k])) {
        pen = false;
        continue;
      }
      const double v = objective ? *t.value : axis_value(space.params[axes_params[k]], t.params.values[axes_params[k]]);
      d += (pen ? " L" : (d.empty() ? "M" : " M")) + px(xs(static_cast<double>(k))) + " " + px(axis_scale(k)(v));
      pen = true;
    }
    const double shade = order.size() > 1 ? 1.0 - static_cast<double>(r) / static_cast<double>(order.size() - 1) : 0.0;
    out << "<path class=\"line\" data-trial=\"" << t.number << "\" stroke=\"" << rank_colour(shade) << "\" d=\"" << d
        << "\"><title>" << trial_title(s, t) << "</title></path>";
  }
  out << "</svg>";
}

void importance_plot(std::ostream& out, const std::vector<importance_scope>& scopes) {
  if (scopes.empty()) {
    out << "<p class=\"note\">Too few complete trials to measure importance (a scope needs 4).</p>";
    return;
  }
  for (const auto& scope : scopes) {
    const double row = 22, label_w = 260, bar_w = 520;
    const double h = 28 + row * static_cast<double>(std::max<std::size_t>(scope.entries.size(), 1));
    out << "<figure class=\"importance\"><figcaption>" << html_escape(scope.label) << " (" << scope.trials
        << " complete trials)</figcaption>";
    out << "<svg class=\"plot importance-plot\" viewBox=\"0 0 " << px(label_w + bar_w + 80) << ' ' << px(h) << "\">";
    double y = 10;
    if (scope.entries.empty())
      out << "<text x=\"0\" y=\"" << px(y + 12) << "\">no parameter varies enough here to tell</text>";
    for (const auto& e : scope.entries) {
      out << "<text x=\"" << px(label_w - 8) << "\" y=\"" << px(y + 14) << "\" text-anchor=\"end\">"
          << html_escape(e.path) << "</text>";
      out << "<rect class=\"bar\" x=\"" << px(label_w) << "\" y=\"" << px(y + 3) << "\" width=\""
          << px(std::max(1.0, e.share * bar_w)) << "\" height=\"" << px(row - 6) << "\"><title>" << html_escape(e.path)
          << ": " << short_num(e.share) << " of the variance (" << e.trials << " trials)</title></rect>";
      out << "<text x=\"" << px(label_w + e.share * bar_w + 6) << "\" y=\"" << px(y + 14) << "\">" << short_num(e.share)
          << "</text>";
      y += row;
    }
    out << "</svg></figure>";
  }
}

void curves_plot(std::ostream& out, const study_export& s) {
  const frame f;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  double slo = lo, shi = -lo;
  std::size_t with_curve = 0;
  for (const auto& t : s.trials) {
    bool any = false;
    for (const auto& [step, v] : t.intermediate) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      slo = std::min(slo, static_cast<double>(step));
      shi = std::max(shi, static_cast<double>(step));
      any = true;
    }
    with_curve += any ? 1 : 0;
  }
  if (with_curve == 0) {
    out << "<p class=\"note\">No trial reported intermediate values.</p>";
    return;
  }
  const auto [ylo, yhi] = padded_range(lo, hi);
  const auto [xlo, xhi] = padded_range(slo, shi);
  const scale xs{xlo, xhi, f.x0(), f.x1()};
  const scale ys{ylo, yhi, f.y0(), f.y1()};
  out << "<svg id=\"curves\" class=\"plot\" viewBox=\"0 0 " << f.width << ' ' << f.height
      << "\" role=\"img\" aria-label=\"Intermediate values by step\">";
  axes(out, f, xs, ys, "step", "intermediate value", true);
  for (const auto& t : s.trials) {
    std::string d;
    std::size_t points = 0;
    for (const auto& [step, v] : t.intermediate) {
      if (!std::isfinite(v)) continue;
      d += (d.empty() ? "M" : " L") + px(xs(static_cast<double>(step))) + " " + px(ys(v));
      ++points;
    }
    if (points == 0) continue;
    if (points == 1) {  // stopped after its first report: a dot
      const auto& [step, v] = *std::find_if(t.intermediate.begin(), t.intermediate.end(),
                                            [](const auto& sv) { return std::isfinite(sv.second); });
      out << "<circle class=\"curve dot state-" << to_string(t.state) << "\" data-trial=\"" << t.number << "\" cx=\""
          << px(xs(static_cast<double>(step))) << "\" cy=\"" << px(ys(v)) << "\" r=\"3.5\"><title>" << trial_title(s, t)
          << "</title></circle>";
      continue;
    }
    out << "<path class=\"curve state-" << to_string(t.state) << "\" data-trial=\"" << t.number << "\" d=\"" << d
        << "\"><title>" << trial_title(s, t) << "</title></path>";
  }
  out << "</svg>";
}

constexpr const char* style = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1b1f24;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dee4;padding-bottom:4px}
.summary{color:#57606a}.summary b{color:#1b1f24}.note{color:#57606a;font-style:italic}
svg.plot{width:100%;height:auto;background:#fff;font-size:11px}
.axes line,.axis line{stroke:#57606a;stroke-width:1}.axes .grid{stroke:#eaeef2}.label{font-size:12px;fill:#1b1f24}
.point{stroke:#fff;stroke-width:1}.point.state-complete{fill:#1f6feb}.point.state-pruned{fill:#d29922}
.point.no-value{stroke:#cf222e;stroke-width:2;fill:none}.best{fill:none;stroke:#2da44e;stroke-width:2}
.front-point{fill:#2da44e;stroke:#fff;stroke-width:1}.front-line{fill:none;stroke:#2da44e;stroke-width:1.5;stroke-dasharray:5 3}
.infeasible{fill:#fff;stroke:#8c959f;stroke-width:1.5}
.line{fill:none;stroke-width:1.5;opacity:.75}.curve{fill:none;stroke-width:1.5;opacity:.8;stroke-linecap:round}
.curve{stroke:#8c959f}.curve.state-complete{stroke:#1f6feb}.curve.state-pruned{stroke:#d29922;stroke-dasharray:4 3}
.curve.dot{stroke:none;fill:#8c959f}.curve.dot.state-complete{fill:#1f6feb}.curve.dot.state-pruned{fill:#d29922}
.bar{fill:#8250df}.importance{margin:8px 0}.importance figcaption{font-weight:600}
.hl{stroke:#cf222e!important;stroke-width:3!important;opacity:1!important}tr.hl td{background:#fff8c5}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;font-size:12px}th,td{padding:3px 8px;border-bottom:1px solid #eaeef2;text-align:left;white-space:nowrap}
th{cursor:pointer;background:#f6f8fa;position:sticky;top:0}tr.state-failed td,tr.state-diverged td{color:#cf222e}tr.state-pruned td{color:#9a6700}
.legend span{margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;vertical-align:middle}
.timeline .bar-complete{fill:#1f6feb}.timeline .bar-pruned{fill:#d29922}.timeline .bar-running{fill:#2da44e}
.timeline rect{fill:#cf222e;stroke:#fff;stroke-width:.5}.dots{stroke:#1f6feb;stroke-width:5;stroke-linecap:round;opacity:.6}.slices{display:flex;flex-wrap:wrap;gap:8px}.slices svg.plot{width:380px}
pre.space{background:#f6f8fa;padding:8px 12px;overflow-x:auto;font-size:12px}#live-status{color:#57606a;font-size:12px}
#live-status.stale{color:#cf222e}
)";

// What both pages run: highlighting one trial across plots and table (delegated from the
// document, so marks a live page puts in later take part), sorting the table by a heading, and
// the counts of what the page shows, kept on <body data-*> for the browser tests.
constexpr const char* script = R"(
(function(){
  var tt=window.typetune={};
  function marks(n){return document.querySelectorAll('[data-trial="'+n+'"]');}
  function highlight(e,on){
    var el=e.target.closest?e.target.closest('[data-trial]'):null;
    if(el)marks(el.dataset.trial).forEach(function(m){m.classList.toggle('hl',on);});
  }
  document.addEventListener('mouseover',function(e){highlight(e,true);});
  document.addEventListener('mouseout',function(e){highlight(e,false);});
  var table=document.getElementById('trials');
  table.tHead.addEventListener('click',function(e){
    var th=e.target.closest('th');
    if(!th)return;
    var col=th.cellIndex,asc=th.dataset.order!=='asc',num=th.dataset.type==='num';
    th.dataset.order=asc?'asc':'desc';
    var rows=Array.prototype.slice.call(table.tBodies[0].rows);
    rows.sort(function(a,b){
      var x=a.cells[col].textContent,y=b.cells[col].textContent;
      if(num){x=x===''?Infinity:parseFloat(x);y=y===''?Infinity:parseFloat(y);return asc?x-y:y-x;}
      return asc?x.localeCompare(y):y.localeCompare(x);
    });
    rows.forEach(function(r){table.tBodies[0].appendChild(r);});
  });
  tt.count=function(){
    var b=document.body.dataset;
    b.historyPoints=document.querySelectorAll('#history .point').length;
    b.frontPoints=document.querySelectorAll('.pareto .front-point').length;
    b.parallelLines=document.querySelectorAll('#parallel .line').length;
    b.curves=document.querySelectorAll('#curves .curve').length;
    b.timelineBars=document.querySelectorAll('#timeline rect[data-trial]').length;
    b.slicePoints=document.querySelectorAll('.slices circle[data-trial]').length;
    b.tableRows=table.tBodies[0].rows.length;
    b.rendered='yes';
  };
  tt.count();
})();
)";

// A live page's part (typetune serve): it asks the server for what changed since the version
// it holds, every data-interval milliseconds, and puts in the sections, table head and rows
// that come back; data-updates counts the answers that changed something.
constexpr const char* live_script = R"(
(function(){
  var d=document.body.dataset,status=document.getElementById('live-status');
  var interval=Math.max(100,parseInt(d.interval||'1000',10));
  d.updates='0';d.failures='0';
  function put(u){
    var changed=false;
    if(u.sections){
      Object.keys(u.sections).forEach(function(id){
        var el=document.getElementById('sec-'+id);
        if(el)el.innerHTML=u.sections[id];
      });
      d.plotsVersion=u.plots_version;changed=true;
    }
    var table=document.getElementById('trials'),body=table.tBodies[0];
    if(u.thead!==undefined){table.tHead.innerHTML=u.thead;body.innerHTML='';d.columns=u.columns;changed=true;}
    u.rows.forEach(function(r){
      var holder=document.createElement('tbody');
      holder.innerHTML=r[1];
      var row=holder.firstElementChild,old=body.querySelector('tr[data-trial="'+r[0]+'"]');
      if(old)body.replaceChild(row,old);else body.appendChild(row);
      changed=true;
    });
    d.version=u.version;
    if(changed){d.updates=String(parseInt(d.updates,10)+1);window.typetune.count();}
    status.className='';
    status.textContent='Live: version '+u.version+', checked '+new Date().toLocaleTimeString();
  }
  function poll(){
    var q=d.live+'&since='+d.version+'&plots='+d.plotsVersion+'&columns='+encodeURIComponent(d.columns);
    fetch(q,{cache:'no-store'}).then(function(r){
      if(!r.ok)return r.text().then(function(t){throw new Error(r.status+' '+t);});
      return r.json();
    }).then(put).catch(function(e){
      d.failures=String(parseInt(d.failures,10)+1);
      status.className='stale';
      status.textContent='Not updating ('+e.message+'); trying again';
    }).then(function(){setTimeout(poll,interval);});
  }
  setTimeout(poll,interval);
})();
)";

// Trials per worker over time, the view that shows an idle or dead worker on a cluster: one
// lane per worker (in the order they first started a trial), one bar per trial from its start
// to its end, coloured by state; a running trial's bar ends at `now`. Trials that record no
// start time are counted in a note.
void timeline_plot(std::ostream& out, const study_export& s, double now) {
  std::vector<std::string> lanes;
  std::vector<std::pair<const trial_record*, std::size_t>> bars;
  double t0 = std::numeric_limits<double>::infinity(), t1 = -t0;
  std::size_t unknown = 0;
  std::vector<const trial_record*> by_start;
  for (const auto& t : s.trials) {
    if (t.start_time > 0 && std::isfinite(t.start_time) && std::isfinite(t.duration_s)) by_start.push_back(&t);
    else ++unknown;
  }
  std::stable_sort(by_start.begin(), by_start.end(),
                   [](const trial_record* a, const trial_record* b) { return a->start_time < b->start_time; });
  double latest = 0;
  for (const auto* t : by_start) latest = std::max(latest, t->start_time + std::max(0.0, t->duration_s));
  const double end_running = now > 0 ? std::max(now, latest) : latest;
  auto end_of = [&](const trial_record& t) {
    return t.state == trial_state::running ? std::max(end_running, t.start_time)
                                           : t.start_time + std::max(0.0, t.duration_s);
  };
  for (const auto* t : by_start) {
    const std::string worker = t->worker.empty() ? "(unknown worker)" : t->worker;
    auto lane = std::find(lanes.begin(), lanes.end(), worker);
    if (lane == lanes.end()) lane = lanes.insert(lanes.end(), worker);
    bars.emplace_back(t, static_cast<std::size_t>(lane - lanes.begin()));
    t0 = std::min(t0, t->start_time);
    t1 = std::max(t1, end_of(*t));
  }
  if (bars.empty()) {
    out << "<p class=\"note\">No trial records when it started.</p>";
    return;
  }
  frame f;
  f.left = 170;
  const double lane_h = 22;
  f.height = f.top + f.bottom + lane_h * static_cast<double>(lanes.size());
  const scale xs{0, std::max(t1 - t0, 1e-9), f.x0(), f.x1()};
  out << "<svg id=\"timeline\" class=\"plot timeline\" viewBox=\"0 0 " << f.width << ' ' << px(f.height)
      << "\" role=\"img\" aria-label=\"Trials per worker over time\">";
  out << "<g class=\"axes\"><line x1=\"" << px(f.x0()) << "\" y1=\"" << px(f.y0()) << "\" x2=\"" << px(f.x1())
      << "\" y2=\"" << px(f.y0()) << "\"/>";
  for (double v : ticks(0, t1 - t0))
    out << "<text x=\"" << px(xs(v)) << "\" y=\"" << px(f.y0() + 16) << "\" text-anchor=\"middle\">" << short_num(v)
        << "</text>";
  out << "<text class=\"label\" x=\"" << px((f.x0() + f.x1()) / 2) << "\" y=\"" << px(f.height - 6)
      << "\" text-anchor=\"middle\">seconds since the first trial started</text>";
  for (std::size_t i = 0; i < lanes.size(); ++i)
    out << "<text x=\"" << px(f.x0() - 6) << "\" y=\"" << px(f.top + lane_h * (static_cast<double>(i) + 0.5) + 4)
        << "\" text-anchor=\"end\">" << html_escape(lanes[i]) << "</text>";
  out << "</g>";
  for (const auto& [t, lane] : bars) {
    const double x = xs(t->start_time - t0);
    const double w = std::max(1.0, xs(end_of(*t) - t0) - x);
    out << "<rect class=\"bar-" << to_string(t->state) << "\" data-trial=\"" << t->number << "\" x=\"" << px(x)
        << "\" y=\"" << px(f.top + lane_h * static_cast<double>(lane) + 3) << "\" width=\"" << px(w) << "\" height=\""
        << px(lane_h - 6) << "\"><title>" << trial_title(s, *t) << "\n"
        << html_escape(t->worker) << ", " << short_num(t->start_time - t0) << " s to " << short_num(end_of(*t) - t0)
        << " s</title></rect>";
  }
  out << "</svg>";
  if (unknown > 0) out << "<p class=\"note\">" << unknown << " trials record no start time and are not shown.</p>";
}

// The objective against each parameter, one small plot per parameter over the complete trials
// where it is active; a choice's options sit at evenly spaced positions, spread a little by
// trial number so that equal values stay visible.
void slice_plots(std::ostream& out, const study_export& s) {
  const auto& space = s.study.space;
  std::vector<const trial_record*> done;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& t : s.trials)
    if (t.state == trial_state::complete && has_value(t)) {
      done.push_back(&t);
      lo = std::min(lo, *t.value);
      hi = std::max(hi, *t.value);
    }
  if (done.empty()) {
    out << "<p class=\"note\">No trial has completed.</p>";
    return;
  }
  const auto [ylo, yhi] = padded_range(lo, hi);
  out << "<div class=\"slices\">";
  for (std::size_t i = 0; i < space.size(); ++i) {
    const auto& p = space.params[i];
    if (p.kind == param_kind::constant) continue;
    frame f;
    f.width = 380;
    f.height = 260;
    f.left = 56;
    const bool choice = p.kind == param_kind::categorical;
    auto [xlo, xhi] = axis_range(p);
    if (choice) {
      xlo -= 0.5;
      xhi += 0.5;
    } else {
      std::tie(xlo, xhi) = padded_range(xlo, xhi);
    }
    const scale xs{xlo, xhi, f.x0(), f.x1()};
    const scale ys{ylo, yhi, f.y0(), f.y1()};
    std::vector<std::string> names;
    if (choice)
      for (std::size_t c = 0; c < p.choices.size(); ++c)
        names.push_back(p.format(param_value{static_cast<std::int64_t>(c)}));
    out << "<svg class=\"plot slice\" data-param=\"" << html_escape(p.path) << "\" viewBox=\"0 0 " << f.width << ' '
        << f.height << "\" role=\"img\" aria-label=\"" << html_escape(objective_name(s)) << " against "
        << html_escape(p.path) << "\">";
    axes(out, f, xs, ys, p.path + (p.log ? " (log scale)" : ""), objective_name(s), p.kind == param_kind::integer,
         names, p.log);
    std::string dots;  // many trials: one path, a zero-length segment with round caps per trial
    for (const auto* t : done) {
      if (!t->params.is_active(i)) continue;
      double x = axis_value(p, t->params.values[i]);
      if (choice) x += (static_cast<double>((t->number * 2654435761u) % 1000) / 1000.0 - 0.5) * 0.3;
      if (done.size() > detailed_marks) {
        dots += 'M';
        dots += px(xs(x));
        dots += ' ';
        dots += px(ys(*t->value));
        dots += "h0";
        continue;
      }
      out << "<circle class=\"point state-complete\" data-trial=\"" << t->number << "\" cx=\"" << px(xs(x))
          << "\" cy=\"" << px(ys(*t->value)) << "\" r=\"3\"><title>" << trial_title(s, *t) << "</title></circle>";
    }
    if (!dots.empty()) out << "<path class=\"dots\" d=\"" << dots << "\"/>";
    out << "</svg>";
  }
  out << "</div>";
}

// The space's generated documents, as `typetune space` and write_space_docs give them.
void space_docs(std::ostream& out, const study_export& s) {
  const std::string title = "Search space of " + s.study.name;
  out << "<details open><summary>Markdown</summary><pre class=\"space\">"
      << html_escape(to_markdown(s.study.space, title))
      << "</pre></details><details><summary>Graphviz (dot -Tsvg draws it)</summary><pre class=\"space\">"
      << html_escape(to_dot(s.study.space, title)) << "</pre></details>";
}

std::string section_html(const std::function<void(std::ostream&)>& write) {
  std::ostringstream out;
  write(out);
  return std::move(out).str();
}

}  // namespace

std::vector<report_section> report_sections(const study_export& s, const report_options& options) {
  const auto& space = s.study.space;
  for (const auto& t : s.trials) {
    if (t.params.values.size() != space.size())
      throw std::invalid_argument("typetune: report: trial " + std::to_string(t.number) +
                                  " does not fit the study's space");
  }
  std::vector<report_section> out;
  const auto goals = objectives_of(s.study);
  const auto front = goals.several() ? pareto_front_trials(s) : std::vector<const trial_record*>{};
  out.push_back({"summary", section_html([&](std::ostream& o) {
                   std::map<trial_state, std::size_t> by_state;
                   for (const auto& t : s.trials) ++by_state[t.state];
                   o << "<p class=\"summary\">" << s.trials.size() << " trials";
                   for (const auto& [state, n] : by_state) o << " · " << n << ' ' << to_string(state);
                   o << " · " << to_string(s.study.dir) << " · " << space.size() << " parameters · space "
                     << space.hash_text() << "</p>\n";
                   // Every attribute, those a program set after the search included; an older
                   // study's "metric" only where it does not repeat "objective".
                   const auto objective = s.study.attributes.find("objective");
                   for (const auto& [k, v] : s.study.attributes) {
                     if (k == "metric" && objective != s.study.attributes.end() && objective->second == v) continue;
                     o << "<p class=\"summary\">" << html_escape(k) << ": <b>" << html_escape(v) << "</b></p>";
                   }
                   if (goals.several() || goals.constrained())
                     o << "<p class=\"summary\">Objectives: " << html_escape(goals.to_text()) << "</p>\n";
                   const trial_record* best = best_complete_trial(s);
                   if (goals.several())
                     o << "<p class=\"summary\">Pareto front: <b>" << front.size() << "</b> trials</p>\n";
                   else if (best)
                     o << "<p class=\"summary\">Best: trial <b>" << best->number << "</b> with <b>"
                       << short_num(*best->value) << "</b> · " << html_escape(space.format(best->params)) << "</p>\n";
                   else o << "<p class=\"summary\">No trial has completed.</p>\n";
                 })});
  out.push_back({"history", section_html([&](std::ostream& o) {
                   o << "<h2>Optimisation history</h2><p class=\"legend\"><span><i style=\"background:#1f6feb\"></i>"
                        "complete</span><span><i style=\"background:#d29922\"></i>pruned</span><span><i "
                        "style=\"background:#cf222e\"></i>no value (failed, diverged, running)</span><span><i "
                        "style=\"background:#2da44e\"></i>best so far</span></p>";
                   history_plot(o, s, !goals.several());
                 })});
  if (goals.several())
    out.push_back({"pareto", section_html([&](std::ostream& o) {
                     o << "<h2>Pareto front</h2><p class=\"legend\"><span><i style=\"background:#2da44e\"></i>on the "
                          "front</span><span><i style=\"background:#1f6feb\"></i>complete</span>"
                       << (goals.constrained() ? "<span><i style=\"background:#fff;border:1px solid "
                                                 "#8c959f\"></i>infeasible</span>"
                                               : "")
                       << "</p><p class=\"note\">The complete trials on two objectives at a time; the front holds the "
                          "feasible trials that no other is at least as good as on every objective and better on "
                          "one.</p>";
                     for (std::size_t i = 0; i < goals.size(); ++i)
                       for (std::size_t j = i + 1; j < goals.size(); ++j) pareto_plot(o, s, goals, i, j, front);
                   })});
  out.push_back({"parallel", section_html([&](std::ostream& o) {
                   o << "<h2>Parallel coordinates</h2><p class=\"note\">One line per complete trial, darker for "
                        "better values; a line breaks where a parameter is not active.</p>";
                   parallel_plot(o, s);
                 })});
  out.push_back({"importance", section_html([&](std::ostream& o) {
                   o << "<h2>Parameter importance</h2><p class=\"note\">Share of the objective's variance explained "
                        "by each parameter alone, beyond what chance would explain (ε²), in the whole space and "
                        "within each branch option.</p>";
                   importance_plot(o, parameter_importance(s));
                 })});
  out.push_back({"curves", section_html([&](std::ostream& o) {
                   o << "<h2>Learning curves</h2><p class=\"legend\"><span><i style=\"background:#1f6feb\"></i>"
                        "complete</span><span><i style=\"background:#d29922\"></i>pruned (dashed)</span></p>";
                   curves_plot(o, s);
                 })});
  out.push_back({"timeline", section_html([&](std::ostream& o) {
                   o << "<h2>Timeline</h2><p class=\"legend\"><span><i style=\"background:#1f6feb\"></i>complete"
                        "</span><span><i style=\"background:#d29922\"></i>pruned</span><span><i "
                        "style=\"background:#2da44e\"></i>running</span><span><i style=\"background:#cf222e\"></i>"
                        "failed, diverged, interrupted</span></p><p class=\"note\">Each worker's trials over time: a "
                        "gap is a worker waiting, a lane that stops early a worker that died.</p>";
                   timeline_plot(o, s, options.now);
                 })});
  out.push_back({"slices", section_html([&](std::ostream& o) {
                   o << "<h2>Slices</h2><p class=\"note\">The objective against each parameter, over the complete "
                        "trials where the parameter is active (above "
                     << detailed_marks << " of them, as dots without a tooltip).</p>";
                   slice_plots(o, s);
                 })});
  out.push_back({"space", section_html([&](std::ostream& o) {
                   o << "<h2>Search space</h2>";
                   space_docs(o, s);
                 })});
  return out;
}

std::string report_table::signature(const study_export& study) const {
  std::string sig = study.study.space.hash_text();
  for (const auto& m : metrics) {
    sig += '|';
    sig += m;
  }
  return sig;
}

report_table report_table_of(const study_export& s) {
  report_table table;
  for (const auto& t : s.trials)
    for (const auto& [name, v] : t.metrics)
      if (std::find(table.metrics.begin(), table.metrics.end(), name) == table.metrics.end())
        table.metrics.push_back(name);
  std::sort(table.metrics.begin(), table.metrics.end());
  return table;
}

std::string report_table_head(const study_export& s, const report_table& table) {
  std::ostringstream out;
  out << "<tr><th data-type=\"num\">#</th><th>state</th><th data-type=\"num\">value</th>";
  for (const auto& p : s.study.space.params)
    out << "<th" << (p.kind == param_kind::integer || p.kind == param_kind::real ? " data-type=\"num\"" : "") << ">"
        << html_escape(p.path) << "</th>";
  for (const auto& m : table.metrics) out << "<th data-type=\"num\">" << html_escape(m) << "</th>";
  out << "<th data-type=\"num\">seconds</th><th data-type=\"num\">peak MiB</th><th>worker</th><th>message</th></tr>";
  return std::move(out).str();
}

std::string report_table_row(const study_export& s, const report_table& table, const trial_record& t) {
  const auto& space = s.study.space;
  std::ostringstream out;
  out << "<tr data-trial=\"" << t.number << "\" class=\"state-" << to_string(t.state) << "\"><td>" << t.number
      << "</td><td>" << to_string(t.state) << "</td><td>" << (t.value ? short_num(*t.value) : "") << "</td>";
  for (std::size_t i = 0; i < space.size() && i < t.params.values.size(); ++i)
    out << "<td>" << (t.params.is_active(i) ? html_escape(space.params[i].format(t.params.values[i])) : "") << "</td>";
  for (const auto& m : table.metrics) {
    const auto it = t.metrics.find(m);
    out << "<td>" << (it == t.metrics.end() ? "" : short_num(it->second)) << "</td>";
  }
  out << "<td>" << short_num(t.duration_s) << "</td><td>"
      << (t.peak_rss_bytes ? short_num(static_cast<double>(t.peak_rss_bytes) / (1024.0 * 1024.0)) : "") << "</td><td>"
      << html_escape(t.worker) << "</td><td>" << html_escape(t.message) << "</td></tr>";
  return std::move(out).str();
}

void write_html_report(std::ostream& out, const study_export& s, const report_options& options) {
  const auto sections = report_sections(s, options);
  const std::string title = options.title.empty() ? "Study " + s.study.name : options.title;
  const bool live = !options.live_updates.empty();
  const auto table = report_table_of(s);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width\"><link rel=\"icon\" href=\"data:,\"><title>"
      << html_escape(title) << "</title><style>" << style << "</style></head>\n<body";
  if (live)
    out << " data-live=\"" << html_escape(options.live_updates) << "\" data-version=\"" << options.live_version
        << "\" data-plots-version=\"" << options.live_version << "\" data-columns=\"" << html_escape(table.signature(s))
        << "\" data-interval=\"" << options.live_interval_ms << "\"";
  out << ">\n<h1>" << html_escape(title) << "</h1>";
  if (live) out << "<p id=\"live-status\">Live: version " << options.live_version << "</p>";
  for (const auto& section : sections)
    out << "<section id=\"sec-" << section.id << "\">" << section.html << "</section>\n";
  out << "<h2>Trials</h2><p class=\"note\">Click a heading to sort; hover a row or a mark to find the trial "
         "everywhere.</p><div class=\"table-wrap\"><table id=\"trials\"><thead>"
      << report_table_head(s, table) << "</thead><tbody>";
  for (const auto& t : s.trials) out << report_table_row(s, table, t);
  out << "</tbody></table></div>\n<script>" << script << "</script>\n";
  if (live) out << "<script>" << live_script << "</script>\n";
  out << "</body></html>\n";
}

}  // namespace typetune
