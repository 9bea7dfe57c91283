// Loading and durably appending the JSON Lines annotation cache.
#include "annotation_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"

namespace paddock::annotators {
namespace {

std::string system_error(const std::string& what, const std::filesystem::path& file) {
  return what + " '" + file.string() + "': " + std::strerror(errno);
}

void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

AnnotationCache::AnnotationCache(std::filesystem::path file, std::shared_ptr<spdlog::logger> log)
    : file_(std::move(file)), log_(std::move(log)) {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
  const bool existed = std::filesystem::exists(file_);
  if (existed) load();
  descriptor_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw Error(system_error("cannot open the annotation cache", file_));
  if (!existed) sync_directory(file_.has_parent_path() ? file_.parent_path() : ".");
}

AnnotationCache::~AnnotationCache() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void AnnotationCache::load() {
  std::string text;
  {
    std::ifstream stream(file_, std::ios::binary);
    if (!stream) throw Error("cannot read the annotation cache '" + file_.string() + "'");
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    text = buffer.str();
  }
  std::size_t start = 0, line = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    ++line;
    if (end == std::string::npos) {
      // A torn last line: the process died inside a write. Cut it off so the next append
      // starts on a line of its own.
      ++lines_dropped_;
      if (log_) {
        log_->warn("annotation cache {}: dropping an incomplete last line ({} bytes)",
                   file_.string(), text.size() - start);
      }
      if (::truncate(file_.c_str(), static_cast<off_t>(start)) != 0) {
        throw Error(system_error("cannot repair the annotation cache", file_));
      }
      break;
    }
    const std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      const auto object = nlohmann::json::parse(row);
      CachedAnnotation entry;
      const auto& preference = object.at("preference");
      if (!preference.is_null()) entry.preference = preference.get<int>();
      entry.annotator = object.value("annotator", "");
      entry.raw = object.value("raw", "");
      entries_[object.at("key").get<std::string>()] = std::move(entry);
    } catch (const std::exception&) {
      ++lines_dropped_;
      if (log_) log_->warn("annotation cache {}:{}: unreadable line skipped", file_.string(), line);
    }
  }
}

std::optional<CachedAnnotation> AnnotationCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

void AnnotationCache::append(const std::vector<std::pair<std::string, CachedAnnotation>>& entries) {
  if (entries.empty()) return;
  std::string block;
  for (const auto& [key, entry] : entries) {
    nlohmann::ordered_json object = {
        {"key", key}, {"annotator", entry.annotator}, {"preference", nullptr}, {"raw", entry.raw}};
    if (entry.preference) object["preference"] = *entry.preference;
    block += object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    block += '\n';
  }
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  while (written < block.size()) {
    const ssize_t n = ::write(descriptor_, block.data() + written, block.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(system_error("cannot append to the annotation cache", file_));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(descriptor_) != 0)
    throw Error(system_error("cannot fsync the annotation cache", file_));
  for (const auto& [key, entry] : entries) entries_[key] = entry;
}

std::size_t AnnotationCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace paddock::annotators
