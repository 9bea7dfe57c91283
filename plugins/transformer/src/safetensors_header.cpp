// Validation of the safetensors header and of how its tensors tile the data buffer.
#include "paddock/transformer/safetensors_header.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "paddock/error.hpp"

namespace paddock::transformer {
namespace {

using nlohmann::json;

// A header is at most three levels deep (header, tensor entry, shape). Deeper JSON is refused
// while it is parsed: nlohmann's dump() and copies recurse once per level, so a header of
// a million '[' would otherwise overflow the stack when an error message quotes it.
constexpr int kMaxHeaderNesting = 64;

std::string single_quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

std::string describe_shape(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

class LayoutParser {
 public:
  LayoutParser(std::span<const std::byte> bytes, std::string_view label)
      : bytes_(bytes), label_(label) {}

  SafetensorsLayout parse() {
    const std::uint64_t header_length = read_header_length();
    layout_.data_start = 8 + header_length;
    const json header = parse_header_json(header_length);
    for (const auto& [name, value] : header.items()) {
      if (name == "__metadata__") {
        read_metadata(value);
      } else {
        layout_.tensors.push_back(read_entry(name, value));
      }
    }
    check_coverage(bytes_.size() - layout_.data_start);
    return std::move(layout_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(std::string(label_) + ": " + message);
  }
  [[noreturn]] void fail_tensor(std::string_view name, const std::string& message) const {
    fail("tensor " + single_quoted(name) + ": " + message);
  }

  std::uint64_t read_header_length() const {
    if (bytes_.size() < 8) {
      fail("truncated file: " + std::to_string(bytes_.size()) +
           " bytes, too short for the 8-byte header length");
    }
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | std::to_integer<std::uint64_t>(bytes_[i]);
    if (length > kMaxSafetensorsHeaderBytes) {
      fail("header length " + std::to_string(length) + " exceeds the " +
           std::to_string(kMaxSafetensorsHeaderBytes) + "-byte limit");
    }
    if (length > bytes_.size() - 8) {
      fail("header length " + std::to_string(length) + " runs past the end of the file (" +
           std::to_string(bytes_.size() - 8) + " bytes follow the length field)");
    }
    return length;
  }

  json parse_header_json(std::uint64_t length) const {
    const std::string_view text(reinterpret_cast<const char*>(bytes_.data()) + 8,
                                static_cast<std::size_t>(length));
    if (text.empty() || text.front() != '{') fail("header: JSON must start with '{'");
    std::set<std::string> seen_names;
    std::string duplicate;
    const json::parser_callback_t check_keys_and_nesting = [&](int depth, json::parse_event_t event,
                                                               json& parsed) {
      if ((event == json::parse_event_t::object_start ||
           event == json::parse_event_t::array_start) &&
          depth >= kMaxHeaderNesting) {
        fail("header: JSON nested more than " + std::to_string(kMaxHeaderNesting) + " levels deep");
      }
      if (event == json::parse_event_t::key && depth == 1 && parsed.is_string()) {
        const auto& name = parsed.get_ref<const std::string&>();
        if (!seen_names.insert(name).second && duplicate.empty()) duplicate = name;
      }
      return true;
    };
    json header;
    try {
      header = json::parse(text, check_keys_and_nesting);
    } catch (const json::exception& error) {
      fail(std::string("header: not valid JSON: ") + error.what());
    }
    if (!header.is_object()) fail("header: JSON must be an object");
    if (!duplicate.empty()) fail("header: tensor " + single_quoted(duplicate) + " appears twice");
    return header;
  }

  void read_metadata(const json& value) {
    if (!value.is_object()) fail("header: __metadata__ must be an object of strings");
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) {
        fail("header: __metadata__ " + single_quoted(key) + " must be a string, not " +
             item.type_name());
      }
      layout_.metadata[key] = item.get<std::string>();
    }
  }

  SafetensorsEntry read_entry(const std::string& name, const json& value) const {
    SafetensorsEntry entry;
    entry.name = name;
    if (!value.is_object()) fail_tensor(name, "entry must be an object");

    const auto dtype_field = value.find("dtype");
    if (dtype_field == value.end()) fail_tensor(name, "missing field 'dtype'");
    if (!dtype_field->is_string()) fail_tensor(name, "field 'dtype' must be a string");
    const std::string& dtype_text = dtype_field->get_ref<const std::string&>();
    const auto dtype = parse_dtype(dtype_text);
    if (!dtype) {
      fail_tensor(name, "unknown dtype " + single_quoted(dtype_text) +
                            " (known: " + std::string(known_dtype_names()) + ")");
    }
    entry.dtype = *dtype;

    const auto shape_field = value.find("shape");
    if (shape_field == value.end()) fail_tensor(name, "missing field 'shape'");
    if (!shape_field->is_array()) fail_tensor(name, "field 'shape' must be an array");
    std::uint64_t elements = 1;
    bool overflow = false;
    for (const json& dimension : *shape_field) {
      if (!dimension.is_number_unsigned()) {
        fail_tensor(name,
                    "field 'shape' must hold non-negative integers, found " + dimension.dump());
      }
      const auto size = dimension.get<std::uint64_t>();
      if (size > static_cast<std::uint64_t>(INT64_MAX)) overflow = true;
      entry.shape.push_back(static_cast<std::int64_t>(size));
      overflow = overflow || __builtin_mul_overflow(elements, size, &elements);
    }
    std::uint64_t byte_count = 0;
    overflow = overflow || __builtin_mul_overflow(elements, dtype_size(entry.dtype), &byte_count);
    if (overflow) fail_tensor(name, "shape " + shape_field->dump() + " is too large");

    const auto offsets_field = value.find("data_offsets");
    if (offsets_field == value.end()) fail_tensor(name, "missing field 'data_offsets'");
    if (!offsets_field->is_array() || offsets_field->size() != 2 ||
        !(*offsets_field)[0].is_number_unsigned() || !(*offsets_field)[1].is_number_unsigned()) {
      fail_tensor(name,
                  "field 'data_offsets' must be [begin, end] with non-negative integers, found " +
                      offsets_field->dump());
    }
    entry.begin = (*offsets_field)[0].get<std::uint64_t>();
    entry.end = (*offsets_field)[1].get<std::uint64_t>();
    const std::uint64_t buffer_size = bytes_.size() - layout_.data_start;
    if (entry.begin > entry.end) {
      fail_tensor(name, "data_offsets " + offsets_field->dump() + " begin after they end");
    }
    if (entry.end > buffer_size) {
      fail_tensor(name, "data_offsets " + offsets_field->dump() +
                            " run past the end of the data buffer (" + std::to_string(buffer_size) +
                            " bytes; the file may be truncated)");
    }
    if (entry.end - entry.begin != byte_count) {
      fail_tensor(name, "data_offsets " + offsets_field->dump() + " hold " +
                            std::to_string(entry.end - entry.begin) + " bytes but " + dtype_text +
                            " shape " + describe_shape(entry.shape) + " needs " +
                            std::to_string(byte_count));
    }
    return entry;
  }

  void check_coverage(std::uint64_t buffer_size) {
    auto& tensors = layout_.tensors;
    std::sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t covered = 0;
    const SafetensorsEntry* previous = nullptr;
    for (const SafetensorsEntry& entry : tensors) {
      if (entry.begin < covered) {
        fail_tensor(entry.name, "data_offsets [" + std::to_string(entry.begin) + ", " +
                                    std::to_string(entry.end) + "] overlap tensor " +
                                    single_quoted(previous->name) + " [" +
                                    std::to_string(previous->begin) + ", " +
                                    std::to_string(previous->end) + "]");
      }
      if (entry.begin > covered) {
        fail("data bytes [" + std::to_string(covered) + ", " + std::to_string(entry.begin) +
             ") before tensor " + single_quoted(entry.name) + " belong to no tensor (a gap)");
      }
      covered = entry.end;
      previous = &entry;
    }
    if (covered != buffer_size) {
      fail("data bytes [" + std::to_string(covered) + ", " + std::to_string(buffer_size) +
           ") at the end of the file belong to no tensor");
    }
  }

  std::span<const std::byte> bytes_;
  std::string_view label_;
  SafetensorsLayout layout_;
};

}  // namespace

SafetensorsLayout parse_safetensors_layout(std::span<const std::byte> file_bytes,
                                           std::string_view file_label) {
  return LayoutParser(file_bytes, file_label).parse();
}

}  // namespace paddock::transformer
