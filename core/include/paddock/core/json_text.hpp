// JSON text parsed as nlohmann's parse() does, with every problem of the text a parse_error
// that carries its byte. nlohmann reports one problem differently: a number too large for a
// double (1e999) is an out_of_range error with no position, which callers that catch
// parse_error to say where the text is wrong would let through.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace paddock::core {

namespace json_text_detail {

// Reads the text and remembers where nlohmann stopped at its first problem.
struct ErrorPosition : nlohmann::json_sax<nlohmann::json> {
  std::size_t position = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t at, const std::string&,
                   const nlohmann::detail::exception&) override {
    position = at;
    return false;
  }
};

}  // namespace json_text_detail

// `Json` is nlohmann::json or nlohmann::ordered_json.
template <class Json>
Json parse_json_text(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::out_of_range& error) {
    json_text_detail::ErrorPosition finder;
    nlohmann::json::sax_parse(text, &finder);
    // Its own message without the "[json.exception.out_of_range.406] " the new one repeats.
    const std::string what = error.what();
    const auto prefix_end = what.find("] ");
    throw nlohmann::json::parse_error::create(
        error.id, finder.position,
        prefix_end == std::string::npos ? what : what.substr(prefix_end + 2), nullptr);
  }
}

}  // namespace paddock::core
