// Loading and durably appending a JSON Lines cache.
#include "paddock/api_client/jsonl_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "paddock/error.hpp"

namespace paddock::api_client {
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

JsonlCache::JsonlCache(std::filesystem::path file, std::string label,
                       std::shared_ptr<spdlog::logger> log)
    : file_(std::move(file)), label_(std::move(label)), log_(std::move(log)) {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
  const bool existed = std::filesystem::exists(file_);
  if (existed) load();
  descriptor_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw Error(system_error("cannot open the " + label_, file_));
  if (!existed) sync_directory(file_.has_parent_path() ? file_.parent_path() : ".");
}

JsonlCache::~JsonlCache() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void JsonlCache::load() {
  std::string text;
  {
    std::ifstream stream(file_, std::ios::binary);
    if (!stream) throw Error("cannot read the " + label_ + " '" + file_.string() + "'");
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
        log_->warn("{} {}: dropping an incomplete last line ({} bytes)", label_, file_.string(),
                   text.size() - start);
      }
      if (::truncate(file_.c_str(), static_cast<off_t>(start)) != 0) {
        throw Error(system_error("cannot repair the " + label_, file_));
      }
      break;
    }
    const std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      auto object = nlohmann::ordered_json::parse(row);
      std::string key = object.at("key").get<std::string>();
      object.erase("key");
      entries_[std::move(key)] = std::move(object);
    } catch (const std::exception&) {
      ++lines_dropped_;
      if (log_) log_->warn("{} {}:{}: unreadable line skipped", label_, file_.string(), line);
    }
  }
}

std::optional<nlohmann::ordered_json> JsonlCache::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  return found->second;
}

void JsonlCache::append(
    const std::vector<std::pair<std::string, nlohmann::ordered_json>>& entries) {
  if (entries.empty()) return;
  std::string block;
  for (const auto& [key, fields] : entries) {
    nlohmann::ordered_json object = {{"key", key}};
    for (const auto& [name, value] : fields.items()) object[name] = value;
    block += object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    block += '\n';
  }
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  while (written < block.size()) {
    const ssize_t n = ::write(descriptor_, block.data() + written, block.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(system_error("cannot append to the " + label_, file_));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(descriptor_) != 0) throw Error(system_error("cannot fsync the " + label_, file_));
  for (const auto& [key, fields] : entries) entries_[key] = fields;
}

std::size_t JsonlCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace paddock::api_client
