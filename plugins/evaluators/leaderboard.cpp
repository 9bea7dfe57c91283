// Grouping win-rate reports into leaderboard rows and correlating the two columns.
#include "leaderboard.hpp"

#include <algorithm>
#include <map>

#include "paddock/error.hpp"
#include "statistics.hpp"
#include "win_rate_statistics.hpp"

namespace paddock::evaluators {

namespace {

using Json = nlohmann::ordered_json;

std::string report_label(std::size_t index) {
  return "report " + std::to_string(index + 1);
}

double number_or(const Json& report, const char* key, double fallback) {
  auto found = report.find(key);
  return found != report.end() && found->is_number() ? found->get<double>() : fallback;
}

std::string string_or(const Json& report, const char* key, const std::string& fallback) {
  auto found = report.find(key);
  return found != report.end() && found->is_string() ? found->get<std::string>() : fallback;
}

struct ParsedReport {
  std::string system;
  std::string role;
  EvaluationCell cell;
  std::optional<double> lc_win_rate;
  double avg_length = 0.0;
  std::map<std::string, double> scores;  // per prompt key: 100 for a win, 50 a tie, 0 a loss
};

ParsedReport parse_report(const Json& report, std::size_t index) {
  if (!report.is_object()) throw Error(report_label(index) + " is not a JSON object");
  auto system = report.find("system");
  if (system == report.end() || !system->is_string() ||
      system->get_ref<const std::string&>().empty()) {
    throw Error(report_label(index) +
                " has no 'system' name; is it the report of a win_rate node?");
  }
  auto win_rate = report.find("win_rate");
  if (win_rate == report.end() || !win_rate->is_number()) {
    throw Error(report_label(index) + " (system '" + system->get<std::string>() +
                "') has no numeric 'win_rate'");
  }
  ParsedReport parsed;
  parsed.system = system->get<std::string>();
  parsed.role = string_or(report, "role", "simulated");
  if (parsed.role != "simulated" && parsed.role != "human") {
    throw Error(report_label(index) + " (system '" + parsed.system + "') has role '" + parsed.role +
                "'; expected 'simulated' or 'human'");
  }
  parsed.cell.win_rate = win_rate->get<double>();
  parsed.cell.standard_error = number_or(report, "standard_error", 0.0);
  parsed.cell.n = static_cast<std::int64_t>(number_or(report, "n_total", 0.0));
  parsed.cell.judge = string_or(report, "judge", "");
  if (auto lc = report.find("lc_win_rate"); lc != report.end() && lc->is_number()) {
    parsed.lc_win_rate = lc->get<double>();
  }
  parsed.avg_length = number_or(report, "avg_length", 0.0);
  if (auto rows = report.find("per_prompt"); rows != report.end() && rows->is_array()) {
    for (const Json& row : *rows) {
      if (!row.is_object() || !row.contains("key") || !row["key"].is_string()) continue;
      const auto preference = row.find("preference");
      if (preference == row.end() || preference->is_null()) continue;  // unannotated
      if (!preference->is_number_integer() || preference->get<std::int64_t>() < 0 ||
          preference->get<std::int64_t>() > 2) {
        throw Error(report_label(index) + ": per_prompt preference " + preference->dump() +
                    " is not 0 (tie), 1, 2 or null");
      }
      // The points the win rate counts: a win 100, a tie 50, a loss 0.
      parsed.scores[row["key"].get<std::string>()] =
          100.0 * preference_score(preference->get<int>());
    }
  }
  return parsed;
}

// The mean and standard error of system - baseline over the prompts both have.
std::optional<PairedDifference> paired_difference(const ParsedReport& system,
                                                  const ParsedReport& baseline) {
  std::vector<double> differences;
  for (const auto& [key, score] : system.scores) {
    if (auto found = baseline.scores.find(key); found != baseline.scores.end())
      differences.push_back(score - found->second);
  }
  if (differences.size() < 2) return std::nullopt;
  PairedDifference result;
  result.n = static_cast<std::int64_t>(differences.size());
  result.difference = mean(differences);
  result.standard_error = standard_error_of_mean(differences).value_or(0.0);
  return result;
}

Json difference_to_json(const std::optional<PairedDifference>& difference) {
  if (!difference) return nullptr;
  return {{"difference", difference->difference},
          {"se", difference->standard_error},
          {"n", difference->n}};
}

Json cell_to_json(const EvaluationCell& cell) {
  return {{"win_rate", cell.win_rate},
          {"se", cell.standard_error},
          {"n", cell.n},
          {"judge", cell.judge}};
}

}  // namespace

Leaderboard build_leaderboard(std::span<const nlohmann::ordered_json> reports,
                              const std::string& baseline) {
  struct Group {
    std::vector<ParsedReport> simulated, human;
  };
  std::vector<std::string> order;  // systems in order of first appearance
  std::map<std::string, Group> groups;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    ParsedReport parsed = parse_report(reports[i], i);
    if (!groups.contains(parsed.system)) order.push_back(parsed.system);
    Group& group = groups[parsed.system];
    (parsed.role == "human" ? group.human : group.simulated).push_back(std::move(parsed));
  }

  Leaderboard leaderboard;
  const Group* baseline_group = nullptr;
  if (!baseline.empty()) {
    if (groups.contains(baseline)) {
      baseline_group = &groups[baseline];
      leaderboard.baseline = baseline;
    } else {
      leaderboard.notes.push_back("no differences from the baseline: no report names system '" +
                                  baseline + "'");
    }
  }
  for (const std::string& name : order) {
    const Group& group = groups[name];
    auto note_extra = [&](const std::vector<ParsedReport>& list, const char* role) {
      if (list.size() < 2) return;
      std::string judges;
      for (const auto& report : list) judges += (judges.empty() ? "" : ", ") + report.cell.judge;
      leaderboard.notes.push_back("system '" + name + "' has " + std::to_string(list.size()) + " " +
                                  role + " reports (judges " + judges +
                                  "); the leaderboard uses the first");
    };
    note_extra(group.simulated, "simulated");
    note_extra(group.human, "human");
    if (group.simulated.empty()) {
      leaderboard.notes.push_back("system '" + name +
                                  "' has only human reports and is left out: every leaderboard "
                                  "row needs a simulated win rate");
      continue;
    }
    const ParsedReport& simulated = group.simulated.front();
    LeaderboardEntry entry;
    entry.name = name;
    entry.simulated = simulated.cell;
    if (!group.human.empty()) entry.human = group.human.front().cell;
    entry.lc_win_rate = simulated.lc_win_rate;
    entry.avg_length = simulated.avg_length;
    if (baseline_group && name != baseline) {
      if (!baseline_group->simulated.empty())
        entry.simulated_vs_baseline =
            paired_difference(simulated, baseline_group->simulated.front());
      if (!group.human.empty() && !baseline_group->human.empty())
        entry.human_vs_baseline =
            paired_difference(group.human.front(), baseline_group->human.front());
    }
    leaderboard.systems.push_back(std::move(entry));
  }
  std::stable_sort(leaderboard.systems.begin(), leaderboard.systems.end(),
                   [](const LeaderboardEntry& a, const LeaderboardEntry& b) {
                     return a.simulated.win_rate > b.simulated.win_rate;
                   });

  std::vector<double> simulated, human;
  for (const auto& entry : leaderboard.systems) {
    if (!entry.human) continue;
    simulated.push_back(entry.simulated.win_rate);
    human.push_back(entry.human->win_rate);
  }
  if (simulated.size() < kMinimumSystemsForCorrelation) {
    leaderboard.notes.push_back("no rank correlation: " + std::to_string(simulated.size()) +
                                " systems have both a simulated and a human win rate; at least " +
                                std::to_string(kMinimumSystemsForCorrelation) + " are needed");
  } else {
    const auto spearman = spearman_correlation(simulated, human);
    const auto pearson = pearson_correlation(simulated, human);
    if (spearman && pearson) {
      leaderboard.rank_correlation =
          RankCorrelation{*spearman, *pearson, static_cast<std::int64_t>(simulated.size())};
    } else {
      leaderboard.notes.push_back(
          "no rank correlation: the simulated or the human win rates are all equal");
    }
  }
  return leaderboard;
}

nlohmann::ordered_json leaderboard_to_json(const Leaderboard& leaderboard) {
  Json systems = Json::array();
  for (const auto& entry : leaderboard.systems) {
    systems.push_back({
        {"name", entry.name},
        {"simulated", cell_to_json(entry.simulated)},
        {"human", entry.human ? cell_to_json(*entry.human) : Json(nullptr)},
        {"lc_win_rate", entry.lc_win_rate ? Json(*entry.lc_win_rate) : Json(nullptr)},
        {"avg_length", entry.avg_length},
        {"vs_baseline", leaderboard.baseline.empty()
                            ? Json(nullptr)
                            : Json{{"baseline", leaderboard.baseline},
                                   {"simulated", difference_to_json(entry.simulated_vs_baseline)},
                                   {"human", difference_to_json(entry.human_vs_baseline)}}},
    });
  }
  Json correlation = nullptr;
  if (leaderboard.rank_correlation) {
    correlation = {{"spearman", leaderboard.rank_correlation->spearman},
                   {"pearson", leaderboard.rank_correlation->pearson},
                   {"n_systems", leaderboard.rank_correlation->n_systems}};
  }
  return {{"systems", std::move(systems)},
          {"rank_correlation", std::move(correlation)},
          {"notes", leaderboard.notes}};
}

}  // namespace paddock::evaluators
