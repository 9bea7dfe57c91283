// Template: parsing through jinja_parser.
#include "jinja_template.hpp"

#include "jinja_parser.hpp"

namespace paddock::serve::jinja {

Body Template::parse(std::string_view source) {
  return parse_template(source);
}

}  // namespace paddock::serve::jinja
