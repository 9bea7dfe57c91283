// Generation of the fictional fact base; see fact_base.hpp.
#include "fact_base.hpp"

#include <random>
#include <unordered_set>

#include "draw.hpp"
#include "text_util.hpp"
#include "vocabulary.hpp"

namespace paddock::world {
namespace {

std::string make_name(std::mt19937_64& rng, int syllables, std::string_view ending) {
  std::string name;
  for (int i = 0; i < syllables; ++i) name += pick(rng, name_syllables());
  name += ending;
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

// A name not used before (by any kind of entity), so every fact has one unambiguous owner.
std::string fresh_name(std::mt19937_64& rng, std::unordered_set<std::string>& used, int syllables,
                       std::string_view ending) {
  for (;;) {
    std::string name = make_name(rng, syllables, ending);
    if (used.insert(to_lower(name)).second) return name;
    if (uniform01(rng) < 0.1) ++syllables;  // grow names when a length runs out of room
  }
}

}  // namespace

FactBase FactBase::generate(std::uint64_t seed, std::size_t count) {
  static constexpr std::string_view kCountryEndings[] = {"ia", "or", "and", "ania", "istan", "a"};
  static constexpr std::string_view kCityEndings[] = {"burg", "port", "ton", "ville", "mar", ""};
  std::mt19937_64 rng(seed);
  FactBase base;
  std::unordered_set<std::string> used;
  for (const auto& noun : nouns()) used.insert(std::string(noun));
  for (std::size_t i = 0; i < count; ++i) {
    Country country;
    country.name =
        fresh_name(rng, used, uniform_int(rng, 2, 3), pick(rng, std::span(kCountryEndings)));
    country.capital = fresh_name(rng, used, 2, pick(rng, std::span(kCityEndings)));
    country.currency = to_lower(fresh_name(rng, used, 2, ""));
    country.export_good = std::string(pick(rng, goods()));
    country.river = fresh_name(rng, used, 2, "");
    country.animal = std::string(pick(rng, animals()));
    base.countries_.push_back(std::move(country));
  }
  return base;
}

}  // namespace paddock::world
