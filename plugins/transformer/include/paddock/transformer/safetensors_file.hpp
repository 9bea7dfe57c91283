// One .safetensors file, memory-mapped and validated on open; tensors are views into the map.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "paddock/transformer/mapped_file.hpp"
#include "paddock/transformer/tensor_view.hpp"

namespace paddock::transformer {

class SafetensorsFile {
 public:
  // Maps and validates `file` (see parse_safetensors_layout for every check); throws
  // paddock::Error naming the file and the tensor or field at fault.
  explicit SafetensorsFile(const std::filesystem::path& file);

  const std::filesystem::path& path() const { return file_.path(); }
  // Ordered by data offset.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // nullptr when the file has no tensor of that name.
  const TensorView* find(std::string_view name) const;
  // Throws paddock::Error naming the file and the tensor when it is missing.
  const TensorView& tensor(std::string_view name) const;

 private:
  MappedFile file_;
  std::vector<TensorView> tensors_;
  std::unordered_map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace paddock::transformer
