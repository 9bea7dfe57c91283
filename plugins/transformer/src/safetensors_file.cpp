// Opening a .safetensors file: map it, validate the layout, build views.
#include "paddock/transformer/safetensors_file.hpp"

#include "paddock/error.hpp"
#include "paddock/transformer/safetensors_header.hpp"

namespace paddock::transformer {

SafetensorsFile::SafetensorsFile(const std::filesystem::path& file) : file_(file) {
  SafetensorsLayout layout = parse_safetensors_layout(file_.bytes(), file.string());
  metadata_ = std::move(layout.metadata);
  const std::span<const std::byte> data = file_.bytes().subspan(layout.data_start);
  tensors_.reserve(layout.tensors.size());
  for (SafetensorsEntry& entry : layout.tensors) {
    index_.emplace(entry.name, tensors_.size());
    tensors_.push_back(TensorView{std::move(entry.name), entry.dtype, std::move(entry.shape),
                                  data.subspan(entry.begin, entry.end - entry.begin)});
  }
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  const auto found = index_.find(std::string(name));
  return found == index_.end() ? nullptr : &tensors_[found->second];
}

const TensorView& SafetensorsFile::tensor(std::string_view name) const {
  const TensorView* view = find(name);
  if (view == nullptr) {
    throw Error(path().string() + ": no tensor named '" + std::string(name) + "'");
  }
  return *view;
}

}  // namespace paddock::transformer
