// libFuzzer target for parse_safetensors_layout: any bytes must either give a layout whose
// tensors tile the data buffer exactly, or throw paddock::Error. Anything else (another
// exception, a sanitizer report, a wrong layout) is a bug.
//
// Each input is parsed twice: as a whole file, and, when it starts with '{', as a header
// whose 8-byte length prefix is filled in here (the header runs to the last '}', the rest is
// the data buffer), so that mutations of the JSON are not all lost to a stale length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "paddock/error.hpp"
#include "paddock/transformer/safetensors_header.hpp"

namespace {

using paddock::transformer::SafetensorsLayout;

// The promises parse_safetensors_layout makes about a layout it returns.
void check_layout(const SafetensorsLayout& layout, std::size_t file_size) {
  if (layout.data_start < 8 || layout.data_start > file_size) std::abort();
  std::uint64_t covered = 0;
  for (const auto& tensor : layout.tensors) {
    if (tensor.begin != covered || tensor.end < tensor.begin) std::abort();
    covered = tensor.end;
  }
  if (covered != file_size - layout.data_start) std::abort();
}

void parse_and_check(std::span<const std::byte> file) {
  try {
    check_layout(paddock::transformer::parse_safetensors_layout(file, "fuzz.safetensors"),
                 file.size());
  } catch (const paddock::Error&) {
    // A refused file: the expected outcome for most inputs.
  }
}

std::vector<std::byte> with_length_prefix(std::string_view text) {
  const std::size_t header_end = text.rfind('}') + 1;
  std::vector<std::byte> file(8 + text.size());
  for (int i = 0; i < 8; ++i) {
    file[i] = static_cast<std::byte>((static_cast<std::uint64_t>(header_end) >> (8 * i)) & 0xff);
  }
  std::memcpy(file.data() + 8, text.data(), text.size());
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parse_and_check(std::span(reinterpret_cast<const std::byte*>(data), size));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text.front() == '{') parse_and_check(with_length_prefix(text));
  return 0;
}
