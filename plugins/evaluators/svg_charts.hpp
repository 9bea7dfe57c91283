// Inline SVG charts for report.html, written as text so the report needs no JavaScript,
// no fonts or images from elsewhere, and no network: horizontal bars with error bars, a
// labelled scatter plot and line charts (optionally with a second y axis on the right).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace paddock::evaluators {

struct Bar {
  std::string label;
  double value = 0.0;
  std::optional<double> error;  // drawn as value ± error
};

struct BarChart {
  std::string title;
  std::vector<Bar> bars;
  double axis_maximum = 100.0;
  std::optional<double> reference_line = 50.0;  // a dashed vertical line, e.g. 50 % = par
  std::string colour = "#4c78a8";
};

struct ScatterPoint {
  std::string label;
  double x = 0.0;
  double y = 0.0;
  int series = 0;  // index into ScatterChart::series_names, picks the colour
};

struct ScatterChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> series_names;
  std::vector<ScatterPoint> points;
};

struct LineSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y), ascending x
  bool right_axis = false;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string left_label;
  std::string right_label;  // used when a series is on the right axis
  std::vector<LineSeries> series;
  int width = 380;
  int height = 230;
};

// Round tick values covering [low, high], about `target` of them (1, 2, 2.5 or 5 times a power
// of ten apart). The first tick is <= low and the last >= high.
std::vector<double> nice_ticks(double low, double high, int target = 5);

std::string render_bar_chart(const BarChart& chart);
std::string render_scatter_chart(const ScatterChart& chart);
std::string render_line_chart(const LineChart& chart);

// The colour of series `index` in every chart.
const char* series_colour(std::size_t index);

}  // namespace paddock::evaluators
