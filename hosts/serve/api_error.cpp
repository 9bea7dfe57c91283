// ApiError: OpenAI-style error bodies.
#include "api_error.hpp"

namespace paddock::serve {

ApiError::ApiError(int status, std::string message, std::string type, std::string param,
                   std::string code)
    : std::runtime_error(std::move(message)),
      status_(status),
      type_(std::move(type)),
      param_(std::move(param)),
      code_(std::move(code)) {}

nlohmann::ordered_json ApiError::body() const {
  nlohmann::ordered_json error = {{"message", what()}, {"type", type_}};
  error["param"] = param_.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(param_);
  error["code"] = code_.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(code_);
  return {{"error", error}};
}

ApiError invalid_field(const std::string& param, const std::string& message) {
  return ApiError(400, message, "invalid_request_error", param);
}

}  // namespace paddock::serve
