// The plugin entry point. Every plugin exports one C symbol, `paddock_plugin_entry`, that
// returns its descriptor. The host reads the descriptor, checks the ABI version and build
// fingerprint, and only then calls `register_types`. Nothing registers itself at load time.
//
// Write one in a plugin's source file:
//   PADDOCK_PLUGIN("my_plugin", "0.1.0", "What it offers.", register_my_plugin)
// where `void register_my_plugin(paddock::Registrar&)` adds the node types.
#pragma once

#include <cstdint>

#include <spdlog/version.h>
#include <nlohmann/json.hpp>

#include "paddock/build_config.hpp"
#include "paddock/export.hpp"
#include "paddock/registrar.hpp"
#include "paddock/version.hpp"

extern "C" {

struct paddock_plugin_descriptor {
  std::uint32_t struct_size;  // sizeof(paddock_plugin_descriptor) as the plugin saw it
  std::uint16_t abi_major;
  std::uint16_t abi_minor;
  const char* name;
  const char* version;
  const char* description;
  const char* build_fingerprint;  // see PADDOCK_BUILD_FINGERPRINT
  void (*register_types)(paddock::Registrar& registrar);
  void* reserved[8];  // zero; room for later fields without changing the size check
};

typedef const paddock_plugin_descriptor* (*paddock_plugin_entry_fn)(void);
}

#define PADDOCK_PLUGIN_ENTRY_SYMBOL "paddock_plugin_entry"

// Torch version a plugin was compiled against; paddock_add_plugin(... TORCH) defines it.
#ifndef PADDOCK_PLUGIN_TORCH_VERSION
#define PADDOCK_PLUGIN_TORCH_VERSION "none"
#endif

#define PADDOCK_STRINGIFY_DETAIL(x) #x
#define PADDOCK_STRINGIFY(x) PADDOCK_STRINGIFY_DETAIL(x)

#if defined(__clang__)
#define PADDOCK_COMPILER_ID "clang-" PADDOCK_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define PADDOCK_COMPILER_ID "gcc-" PADDOCK_STRINGIFY(__GNUC__)
#else
#define PADDOCK_COMPILER_ID "unknown"
#endif

#if defined(_LIBCPP_VERSION)
#define PADDOCK_STDLIB_ID "libc++"
#define PADDOCK_CXX11_ABI_ID "n/a"
#else
#define PADDOCK_STDLIB_ID "libstdc++"
#define PADDOCK_CXX11_ABI_ID PADDOCK_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#endif

// spdlog and nlohmann_json types cross the plugin boundary, so their versions count too.
#define PADDOCK_LIBRARIES_ID \
  "spdlog=" PADDOCK_STRINGIFY(SPDLOG_VER_MAJOR) "." PADDOCK_STRINGIFY(SPDLOG_VER_MINOR) \
  ";json=" PADDOCK_STRINGIFY(NLOHMANN_JSON_VERSION_MAJOR) "." PADDOCK_STRINGIFY(        \
      NLOHMANN_JSON_VERSION_MINOR)

// What the host compares: the standard library, its string ABI, the spdlog and JSON
// library versions and the LibTorch version must match (a plugin without LibTorch says
// "none" and fits any host); the compiler is recorded for messages only.
#define PADDOCK_BUILD_FINGERPRINT                                                        \
  "stdlib=" PADDOCK_STDLIB_ID ";cxx11abi=" PADDOCK_CXX11_ABI_ID ";" PADDOCK_LIBRARIES_ID \
  ";torch=" PADDOCK_PLUGIN_TORCH_VERSION ";compiler=" PADDOCK_COMPILER_ID

#define PADDOCK_PLUGIN(NAME, VERSION, DESCRIPTION, REGISTER_FUNCTION)                       \
  extern "C" PADDOCK_API const paddock_plugin_descriptor* paddock_plugin_entry(void) {      \
    static const paddock_plugin_descriptor descriptor = {sizeof(paddock_plugin_descriptor), \
                                                         paddock::kAbiMajor,                \
                                                         paddock::kAbiMinor,                \
                                                         NAME,                              \
                                                         VERSION,                           \
                                                         DESCRIPTION,                       \
                                                         PADDOCK_BUILD_FINGERPRINT,         \
                                                         &REGISTER_FUNCTION,                \
                                                         {}};                               \
    return &descriptor;                                                                     \
  }
