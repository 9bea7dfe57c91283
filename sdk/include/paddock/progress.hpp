// Progress reporting for long nodes: a bar on a terminal, periodic plain lines otherwise.
#pragma once

#include <cstdint>
#include <string>

#include "paddock/export.hpp"

namespace paddock {

class PADDOCK_API Progress {
 public:
  virtual ~Progress();
  virtual void advance(std::uint64_t steps = 1) = 0;
  // Adds `count` processed tokens so the display shows a tokens/s rate.
  virtual void add_tokens(std::uint64_t count) = 0;
  // A short status shown after the bar, e.g. "loss 1.93".
  virtual void set_status(std::string status) = 0;
  virtual void finish() = 0;
};

}  // namespace paddock
