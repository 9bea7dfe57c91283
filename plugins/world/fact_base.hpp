// The world's seeded fictional fact base: countries with a capital, currency, main export,
// river and national animal. Lookup and description tasks ask about it; a model can only
// know these facts by learning them from the world's own training data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace paddock::world {

struct Country {
  std::string name;
  std::string capital;
  std::string currency;
  std::string export_good;
  std::string river;
  std::string animal;
};

class FactBase {
 public:
  // `count` countries with distinct names and capitals, drawn from `seed`.
  static FactBase generate(std::uint64_t seed, std::size_t count);

  const std::vector<Country>& countries() const { return countries_; }

 private:
  std::vector<Country> countries_;
};

}  // namespace paddock::world
