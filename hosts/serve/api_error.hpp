// An error answered to an API client in OpenAI's shape:
//   {"error": {"message": ..., "type": ..., "param": ... | null, "code": ... | null}}
// with the HTTP status that goes with it. Thrown while a request is read and checked.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace paddock::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string type = "invalid_request_error",
           std::string param = "", std::string code = "");

  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }
  // The JSON body; empty param and code become null.
  nlohmann::ordered_json body() const;

 private:
  int status_;
  std::string type_, param_, code_;
};

// A 400 about one field of the request body.
ApiError invalid_field(const std::string& param, const std::string& message);

}  // namespace paddock::serve
