// The SDK's ABI version. A host accepts a plugin when the majors are equal and the plugin's
// minor is not newer than the host's. Bump the minor when adding API a plugin may rely on,
// the major when changing or removing anything a built plugin uses.
#pragma once

#include <cstdint>

namespace paddock {

inline constexpr std::uint16_t kAbiMajor = 1;
inline constexpr std::uint16_t kAbiMinor = 1;

}  // namespace paddock
