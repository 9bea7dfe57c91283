// The annotation fields of the JSON Lines cache.
#include "annotation_cache.hpp"

namespace paddock::annotators {

AnnotationCache::AnnotationCache(std::filesystem::path file, std::shared_ptr<spdlog::logger> log)
    : cache_(std::move(file), "annotation cache", std::move(log)) {}

std::optional<CachedAnnotation> AnnotationCache::find(const std::string& key) const {
  const auto fields = cache_.find(key);
  if (!fields) return std::nullopt;
  try {
    CachedAnnotation entry;
    const auto& preference = fields->at("preference");
    if (!preference.is_null()) entry.preference = preference.get<int>();
    entry.annotator = fields->value("annotator", "");
    entry.raw = fields->value("raw", "");
    return entry;
  } catch (const std::exception&) {
    return std::nullopt;  // a line of another shape: ask again
  }
}

void AnnotationCache::append(const std::vector<std::pair<std::string, CachedAnnotation>>& entries) {
  std::vector<std::pair<std::string, nlohmann::ordered_json>> lines;
  lines.reserve(entries.size());
  for (const auto& [key, entry] : entries) {
    nlohmann::ordered_json fields = {
        {"annotator", entry.annotator}, {"preference", nullptr}, {"raw", entry.raw}};
    if (entry.preference) fields["preference"] = *entry.preference;
    lines.emplace_back(key, std::move(fields));
  }
  cache_.append(lines);
}

}  // namespace paddock::annotators
