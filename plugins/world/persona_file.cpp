// Parsing persona definitions with toml++; see persona_file.hpp.
#include "persona_file.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "families.hpp"
#include "paddock/core/files.hpp"
#include "paddock/error.hpp"
#include "text_util.hpp"
#include "utility.hpp"

namespace paddock::world {
namespace {

constexpr std::string_view kPersonaKeys[] = {
    "name",         "description",  "temperature",   "correctness",  "helpfulness",
    "detail",       "length",       "repetition",    "ending",       "prefer_longer",
    "prefer_lists", "prefer_first", "misjudge_rate", "cannot_verify"};

class PersonaReader {
 public:
  explicit PersonaReader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const {
    throw Error(source_ + ":" + std::to_string(where.begin.line) + ":" +
                std::to_string(where.begin.column) + ": error: " + message);
  }

  std::vector<PersonaSpec> read(const toml::table& root) {
    for (const auto& [key, node] : root) {
      if (key.str() != "persona" && key.str() != "version") {
        fail(key.source(), "unknown top-level key '" + std::string(key.str()) +
                               "'; a persona file holds `version` and [[persona]] tables");
      }
    }
    if (const toml::node* version = root.get("version")) {
      const auto* value = version->as_integer();
      if (value == nullptr || (value->get() != 1 && value->get() != 2))
        fail(version->source(),
             "'version' (the world version the personas judge for) must be 1 or 2");
      version_ = static_cast<int>(value->get());
    }
    const toml::node* personas = root.get("persona");
    if (personas == nullptr) {
      throw Error(source_ + ":1:1: error: no [[persona]] table; define at least one persona");
    }
    const toml::array* list = personas->as_array();
    if (list == nullptr)
      fail(personas->source(), "'persona' must be written as [[persona]] tables");
    std::vector<PersonaSpec> specs;
    for (const toml::node& entry : *list) {
      const toml::table* table = entry.as_table();
      if (table == nullptr) fail(entry.source(), "each persona must be a table ([[persona]])");
      specs.push_back(read_persona(*table));
      for (std::size_t i = 0; i + 1 < specs.size(); ++i) {
        if (specs[i].name == specs.back().name) {
          fail((*table)["name"].node()->source(),
               "persona name '" + specs.back().name + "' is used twice");
        }
      }
    }
    if (specs.empty()) {
      fail(personas->source(), "the [[persona]] list is empty; define at least one persona");
    }
    return specs;
  }

 private:
  PersonaSpec read_persona(const toml::table& table) {
    for (const auto& [key, node] : table) {
      bool known = false;
      for (std::string_view allowed : kPersonaKeys) known = known || key.str() == allowed;
      if (!known) {
        std::vector<std::string> allowed_keys(std::begin(kPersonaKeys), std::end(kPersonaKeys));
        fail(key.source(), "unknown persona key '" + std::string(key.str()) +
                               "'; allowed keys: " + join(allowed_keys, ", "));
      }
    }
    PersonaSpec spec;
    spec.version = version_;
    spec.weights = mean_human_weights(version_);
    const toml::node* name = table.get("name");
    if (name == nullptr) fail(table.source(), "this persona has no 'name'");
    if (!name->is_string()) fail(name->source(), "'name' must be a string");
    spec.name = name->as_string()->get();
    if (spec.name.empty()) fail(name->source(), "'name' must not be empty");
    for (char c : spec.name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        fail(name->source(),
             "'name' may hold only letters, digits and underscores, got '" + spec.name + "'");
      }
    }
    if (const toml::node* text = table.get("description")) {
      if (!text->is_string()) fail(text->source(), "'description' must be a string");
      spec.description = text->as_string()->get();
    }
    read_number(table, "temperature", spec.temperature, 1e-6, 1e6);
    read_number(table, "correctness", spec.weights.correctness, 0.0, 1e6);
    read_number(table, "helpfulness", spec.weights.helpfulness, -1e6, 1e6);
    read_number(table, "detail", spec.weights.detail, -1e6, 1e6);
    read_number(table, "length", spec.weights.length, -1e6, 1e6);
    read_number(table, "repetition", spec.weights.repetition, -1e6, 1e6);
    read_number(table, "ending", spec.weights.ending, -1e6, 1e6);
    read_number(table, "prefer_longer", spec.prefer_longer, -1e6, 1e6);
    read_number(table, "prefer_lists", spec.prefer_lists, -1e6, 1e6);
    read_number(table, "prefer_first", spec.prefer_first, -1e6, 1e6);
    read_number(table, "misjudge_rate", spec.misjudge_rate, 0.0, 0.5);
    if (const toml::node* families = table.get("cannot_verify")) {
      const toml::array* list = families->as_array();
      if (list == nullptr)
        fail(families->source(), "'cannot_verify' must be a list of family names");
      for (const toml::node& item : *list) {
        if (!item.is_string())
          fail(item.source(), "'cannot_verify' must hold family names (strings)");
        const std::string family = item.as_string()->get();
        if (find_family(family) == nullptr) {
          fail(item.source(),
               "unknown family '" + family + "'; known families: " + join(family_names(), ", "));
        }
        spec.cannot_verify.push_back(family);
      }
    }
    return spec;
  }

  void read_number(const toml::table& table, const char* key, double& value, double minimum,
                   double maximum) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return;
    if (const auto* integer = node->as_integer()) {
      value = static_cast<double>(integer->get());
    } else if (const auto* floating = node->as_floating_point()) {
      value = floating->get();
    } else {
      fail(node->source(), std::string("'") + key + "' must be a number");
    }
    if (!std::isfinite(value) || value < minimum || value > maximum) {
      std::ostringstream range;
      range << "'" << key << "' must lie in [" << minimum << ", " << maximum << "], got " << value;
      if (minimum > 0) {
        range.str("");
        range << "'" << key << "' must be above 0, got " << value;
      }
      fail(node->source(), range.str());
    }
  }

  std::string source_;
  int version_ = 1;  // a file without `version` is version 1's
};

}  // namespace

std::vector<PersonaSpec> parse_personas(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    throw Error(source_name + ":" + std::to_string(error.source().begin.line) + ":" +
                std::to_string(error.source().begin.column) +
                ": error: " + std::string(error.description()));
  }
  return PersonaReader(source_name).read(root);
}

std::vector<PersonaSpec> load_personas_file(const std::filesystem::path& file) {
  core::refuse_special_file(file);  // a FIFO or a device would never end
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    throw Error(file.string() +
                ": cannot open the persona file (does it exist and is it "
                "readable?)");
  }
  std::ostringstream text;
  text << stream.rdbuf();
  return parse_personas(text.str(), file.string());
}

}  // namespace paddock::world
