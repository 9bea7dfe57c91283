// SVG text for bar, scatter and line charts.
#include "svg_charts.hpp"

#include <algorithm>
#include <cmath>

#include "markup.hpp"

namespace paddock::evaluators {

namespace {

constexpr const char* kPalette[] = {"#4c78a8", "#f58518", "#54a24b", "#e45756",
                                    "#72b7b2", "#b279a2", "#9d755d", "#bab0ac"};

std::string number(double value) {
  return format_fixed(value, 2);
}

// A short tick label: no trailing zeros beyond what the tick spacing needs.
std::string tick_label(double value, double spacing) {
  int decimals = 0;
  while (decimals < 6 && std::fabs(spacing * std::pow(10.0, decimals) -
                                   std::round(spacing * std::pow(10.0, decimals))) > 1e-6) {
    ++decimals;
  }
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e6 || (magnitude > 0 && magnitude < 1e-4)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2g", value);
    return buffer;
  }
  return format_fixed(value, decimals);
}

std::string open_svg(int width, int height, const std::string& title, const char* kind) {
  return "<svg class=\"chart " + std::string(kind) + "\" role=\"img\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\" aria-label=\"" +
         escape_html(title) + "\"><title>" + escape_html(title) + "</title>";
}

std::string text(double x, double y, const std::string& content, const char* anchor = "start",
                 const char* css_class = "") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" + anchor +
         "\" class=\"" + css_class + "\">" + escape_html(content) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const char* css_class) {
  return "<line x1=\"" + number(x1) + "\" y1=\"" + number(y1) + "\" x2=\"" + number(x2) +
         "\" y2=\"" + number(y2) + "\" class=\"" + css_class + "\"/>";
}

// Maps data values on [low, high] to pixels on [from, to].
struct Scale {
  double low, high, from, to;
  double operator()(double value) const {
    if (high == low) return (from + to) / 2;
    return from + (value - low) / (high - low) * (to - from);
  }
};

std::pair<double, double> value_range(const std::vector<double>& values) {
  if (values.empty()) return {0.0, 1.0};
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  double a = *low, b = *high;
  if (a == b) {
    const double pad = a == 0 ? 1.0 : std::fabs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  return {a, b};
}

std::string shorten(const std::string& label, std::size_t limit) {
  if (label.size() <= limit) return label;
  std::size_t cut = limit - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut) + "…";
}

}  // namespace

const char* series_colour(std::size_t index) {
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

std::vector<double> nice_ticks(double low, double high, int target) {
  if (!(high > low)) return {low};
  const double rough = (high - low) / std::max(1, target);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double spacing = power;
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    spacing = factor * power;
    if (spacing >= rough) break;
  }
  std::vector<double> ticks;
  const double first = std::floor(low / spacing + 1e-9) * spacing;
  for (double tick = first; tick < high + spacing * 0.999; tick += spacing) {
    ticks.push_back(std::fabs(tick) < spacing * 1e-9 ? 0.0 : tick);
    if (ticks.size() > 50) break;
  }
  return ticks;
}

std::string render_bar_chart(const BarChart& chart) {
  const int label_width = 170, plot_width = 400, row_height = 24, top = 34, bottom = 30;
  const int width = label_width + plot_width + 70;
  const int height = top + static_cast<int>(chart.bars.size()) * row_height + bottom;
  const Scale x{0.0, chart.axis_maximum, static_cast<double>(label_width),
                static_cast<double>(label_width + plot_width)};
  const double plot_bottom = top + static_cast<double>(chart.bars.size()) * row_height;

  std::string svg = open_svg(width, height, chart.title, "bar-chart");
  svg += text(10, 20, chart.title, "start", "chart-title");
  for (double tick : nice_ticks(0.0, chart.axis_maximum, 4)) {
    if (tick > chart.axis_maximum + 1e-9) break;
    svg += line(x(tick), top, x(tick), plot_bottom, "grid");
    svg +=
        text(x(tick), plot_bottom + 16, tick_label(tick, chart.axis_maximum / 4), "middle", "tick");
  }
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const double y = top + static_cast<double>(i) * row_height;
    const double value = std::clamp(bar.value, 0.0, chart.axis_maximum);
    std::string tooltip = bar.label + ": " + format_fixed(bar.value, 1);
    if (bar.error) tooltip += " ± " + format_fixed(*bar.error, 1);
    svg += text(label_width - 8, y + row_height * 0.65, shorten(bar.label, 26), "end", "label");
    svg += "<rect class=\"bar\" x=\"" + number(x(0)) + "\" y=\"" + number(y + 4) + "\" width=\"" +
           number(x(value) - x(0)) + "\" height=\"" + number(row_height - 8) + "\" fill=\"" +
           chart.colour + "\"><title>" + escape_html(tooltip) + "</title></rect>";
    double label_x = x(value);
    if (bar.error) {
      const double low = x(std::clamp(bar.value - *bar.error, 0.0, chart.axis_maximum));
      const double high = x(std::clamp(bar.value + *bar.error, 0.0, chart.axis_maximum));
      const double middle = y + row_height / 2.0;
      svg += line(low, middle, high, middle, "error-bar");
      svg += line(low, middle - 5, low, middle + 5, "error-bar");
      svg += line(high, middle - 5, high, middle + 5, "error-bar");
      label_x = std::max(label_x, high);
    }
    svg += text(label_x + 5, y + row_height * 0.65, format_fixed(bar.value, 1), "start", "value");
  }
  if (chart.reference_line && *chart.reference_line <= chart.axis_maximum) {
    svg += line(x(*chart.reference_line), top - 4, x(*chart.reference_line), plot_bottom,
                "reference-line");
  }
  svg += line(x(0), top, x(0), plot_bottom, "axis");
  svg += "</svg>";
  return svg;
}

std::string render_scatter_chart(const ScatterChart& chart) {
  const int width = 640, height = 380, left = 60, right = 30, top = 40, bottom = 50;
  std::vector<double> xs, ys;
  for (const auto& point : chart.points) {
    xs.push_back(point.x);
    ys.push_back(point.y);
  }
  auto [x_low, x_high] = value_range(xs);
  auto [y_low, y_high] = value_range(ys);
  const std::vector<double> x_ticks = nice_ticks(x_low, x_high, 5);
  const std::vector<double> y_ticks = nice_ticks(y_low, y_high, 5);
  const Scale x{x_ticks.front(), x_ticks.back(), static_cast<double>(left),
                static_cast<double>(width - right)};
  const Scale y{y_ticks.front(), y_ticks.back(), static_cast<double>(height - bottom),
                static_cast<double>(top)};
  const double x_spacing = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1.0;
  const double y_spacing = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1.0;

  std::string svg = open_svg(width, height, chart.title, "scatter-chart");
  svg += text(10, 20, chart.title, "start", "chart-title");
  for (double tick : x_ticks) {
    svg += line(x(tick), top, x(tick), height - bottom, "grid");
    svg += text(x(tick), height - bottom + 16, tick_label(tick, x_spacing), "middle", "tick");
  }
  for (double tick : y_ticks) {
    svg += line(left, y(tick), width - right, y(tick), "grid");
    svg += text(left - 6, y(tick) + 4, tick_label(tick, y_spacing), "end", "tick");
  }
  svg += line(left, height - bottom, width - right, height - bottom, "axis");
  svg += line(left, top, left, height - bottom, "axis");
  svg += text((left + width - right) / 2.0, height - 12, chart.x_label, "middle", "axis-label");
  svg += "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(14 " +
         number((top + height - bottom) / 2.0) + ") rotate(-90)\">" + escape_html(chart.y_label) +
         "</text>";
  for (const auto& point : chart.points) {
    const std::string series =
        point.series >= 0 && static_cast<std::size_t>(point.series) < chart.series_names.size()
            ? chart.series_names[static_cast<std::size_t>(point.series)]
            : "";
    svg += "<circle class=\"point\" cx=\"" + number(x(point.x)) + "\" cy=\"" + number(y(point.y)) +
           "\" r=\"5\" fill=\"" + series_colour(static_cast<std::size_t>(point.series)) +
           "\"><title>" +
           escape_html(point.label + (series.empty() ? "" : " (" + series + ")") + ": " +
                       format_fixed(point.x, 0) + ", " + format_fixed(point.y, 1)) +
           "</title></circle>";
    svg += text(x(point.x) + 7, y(point.y) - 6, shorten(point.label, 20), "start", "point-label");
  }
  for (std::size_t i = 0; i < chart.series_names.size(); ++i) {
    const double legend_x = width - right - 150.0, legend_y = 18.0 + 14.0 * static_cast<double>(i);
    svg += "<circle cx=\"" + number(legend_x) + "\" cy=\"" + number(legend_y - 4) +
           "\" r=\"4\" fill=\"" + series_colour(i) + "\"/>";
    svg += text(legend_x + 8, legend_y, chart.series_names[i], "start", "legend");
  }
  svg += "</svg>";
  return svg;
}

std::string render_line_chart(const LineChart& chart) {
  const int left = 52, right_margin = 52, top = 44, bottom = 40;
  const int width = chart.width, height = chart.height;
  std::vector<double> xs, left_ys, right_ys;
  bool has_right = false;
  for (const auto& series : chart.series) {
    has_right = has_right || series.right_axis;
    for (const auto& [px, py] : series.points) {
      xs.push_back(px);
      (series.right_axis ? right_ys : left_ys).push_back(py);
    }
  }
  const int right = has_right ? right_margin : 16;
  auto [x_low, x_high] = value_range(xs);
  auto [l_low, l_high] = value_range(left_ys);
  auto [r_low, r_high] = value_range(right_ys);
  const std::vector<double> x_ticks = nice_ticks(x_low, x_high, 4);
  const std::vector<double> l_ticks = nice_ticks(l_low, l_high, 4);
  const std::vector<double> r_ticks = nice_ticks(r_low, r_high, 4);
  const Scale x{x_ticks.front(), x_ticks.back(), static_cast<double>(left),
                static_cast<double>(width - right)};
  const Scale y_left{l_ticks.front(), l_ticks.back(), static_cast<double>(height - bottom),
                     static_cast<double>(top)};
  const Scale y_right{r_ticks.front(), r_ticks.back(), static_cast<double>(height - bottom),
                      static_cast<double>(top)};
  auto spacing = [](const std::vector<double>& ticks) {
    return ticks.size() > 1 ? ticks[1] - ticks[0] : 1.0;
  };

  std::string svg = open_svg(width, height, chart.title, "line-chart");
  svg += text(8, 16, chart.title, "start", "chart-title");
  for (double tick : x_ticks) {
    svg += line(x(tick), top, x(tick), height - bottom, "grid");
    svg +=
        text(x(tick), height - bottom + 14, tick_label(tick, spacing(x_ticks)), "middle", "tick");
  }
  for (double tick : l_ticks) {
    svg += line(left, y_left(tick), width - right, y_left(tick), "grid");
    svg += text(left - 5, y_left(tick) + 4, tick_label(tick, spacing(l_ticks)), "end", "tick");
  }
  if (has_right) {
    for (double tick : r_ticks) {
      svg += text(width - right + 5, y_right(tick) + 4, tick_label(tick, spacing(r_ticks)), "start",
                  "tick");
    }
    svg += line(width - right, top, width - right, height - bottom, "axis");
  }
  svg += line(left, height - bottom, width - right, height - bottom, "axis");
  svg += line(left, top, left, height - bottom, "axis");
  svg += text((left + width - right) / 2.0, height - 8, chart.x_label, "middle", "axis-label");

  double legend_x = 8;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const LineSeries& series = chart.series[i];
    const Scale& y = series.right_axis ? y_right : y_left;
    std::string path;
    for (const auto& [px, py] : series.points) {
      path += (path.empty() ? "M" : " L") + number(x(px)) + " " + number(y(py));
    }
    svg += "<path class=\"series\" d=\"" + path + "\" stroke=\"" + series_colour(i) + "\"><title>" +
           escape_html(series.label) + "</title></path>";
    if (series.points.size() <= 40) {
      for (const auto& [px, py] : series.points) {
        svg += "<circle cx=\"" + number(x(px)) + "\" cy=\"" + number(y(py)) +
               "\" r=\"2.5\" fill=\"" + series_colour(i) + "\"><title>" +
               escape_html(series.label + " @ " + tick_label(px, 1) + ": " + format_fixed(py, 4)) +
               "</title></circle>";
      }
    }
    // A lone series named like the chart needs no legend.
    if (chart.series.size() == 1 && series.label == chart.title) continue;
    std::string legend = series.label;
    if (series.right_axis && has_right) legend += " (right)";
    svg += "<rect x=\"" + number(legend_x) + "\" y=\"24\" width=\"10\" height=\"3\" fill=\"" +
           series_colour(i) + "\"/>";
    svg += text(legend_x + 13, 29, legend, "start", "legend");
    legend_x += 24 + 6.2 * static_cast<double>(legend.size());
  }
  if (!chart.left_label.empty()) {
    svg += "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(11 " +
           number((top + height - bottom) / 2.0) + ") rotate(-90)\">" +
           escape_html(chart.left_label) + "</text>";
  }
  if (has_right && !chart.right_label.empty()) {
    svg += "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(" +
           number(width - 8.0) + " " + number((top + height - bottom) / 2.0) + ") rotate(90)\">" +
           escape_html(chart.right_label) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace paddock::evaluators
