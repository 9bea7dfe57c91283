// The error type every Paddock component throws. Messages say what went wrong and where.
#pragma once

#include <stdexcept>
#include <string>

#include "paddock/export.hpp"

namespace paddock {

class PADDOCK_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

// Thrown by NodeContext::throw_if_cancelled() after Ctrl-C or SIGTERM.
class PADDOCK_API Cancelled : public Error {
 public:
  Cancelled();
  ~Cancelled() override;
};

}  // namespace paddock
