// ByteTrie: insertion keeps each node's children sorted; lookups binary-search them.
#include "paddock/transformer/byte_trie.hpp"

#include <algorithm>

namespace paddock::transformer {
namespace {

template <class Children>
auto find_child(Children& children, unsigned char byte) {
  return std::lower_bound(children.begin(), children.end(), byte,
                          [](const auto& entry, unsigned char b) { return entry.first < b; });
}

}  // namespace

ByteTrie::ByteTrie() : nodes_(1) {}

void ByteTrie::insert(std::string_view key, std::int32_t value) {
  std::size_t node = root();
  for (const char character : key) {
    const auto byte = static_cast<unsigned char>(character);
    auto& children = nodes_[node].children;
    auto found = find_child(children, byte);
    if (found != children.end() && found->first == byte) {
      node = found->second;
      continue;
    }
    const auto next = static_cast<std::uint32_t>(nodes_.size());
    children.insert(found, {byte, next});  // `children` is not used after nodes_ grows
    nodes_.emplace_back();
    node = next;
  }
  if (nodes_[node].value == kNoValue) ++key_count_;
  nodes_[node].value = value;
}

std::size_t ByteTrie::child(std::size_t node, unsigned char byte) const {
  const auto& children = nodes_[node].children;
  const auto found = find_child(children, byte);
  if (found == children.end() || found->first != byte) return kNoNode;
  return found->second;
}

std::size_t ByteTrie::longest_prefix(std::string_view text) const {
  std::size_t longest = 0;
  std::size_t node = root();
  for (std::size_t length = 0; length < text.size(); ++length) {
    node = child(node, static_cast<unsigned char>(text[length]));
    if (node == kNoNode) break;
    if (nodes_[node].value != kNoValue) longest = length + 1;
  }
  return longest;
}

}  // namespace paddock::transformer
