// Fixed word lists the families draw from. They are part of the world's definition: changing
// them changes every generated world, so treat edits like a version bump.
#pragma once

#include <span>
#include <string_view>

namespace paddock::world {

std::span<const std::string_view> nouns();       // lower-case common nouns, 3 to 9 letters
std::span<const std::string_view> adjectives();  // lower-case
std::span<const std::string_view> goods();       // exports of the fictional countries
std::span<const std::string_view> animals();
std::span<const std::string_view> name_syllables();  // pieces of fictional place names

}  // namespace paddock::world
