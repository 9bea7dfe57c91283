// A registry holding only the fixture_good plugin, shared by the core tests.
#pragma once

#include "paddock/core/plugin_registry.hpp"

namespace paddock::testing {

inline const core::PluginRegistry& fixture_registry() {
  static core::PluginRegistry* registry = [] {
    auto* r = new core::PluginRegistry();
    r->load_directories({std::filesystem::path(PADDOCK_FIXTURE_DIR) / "good"});
    return r;
  }();
  return *registry;
}

}  // namespace paddock::testing
