#include "paddock/core/openmp_environment.hpp"

#include <cstdlib>

namespace paddock::core {

bool prefer_passive_openmp_waits() {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) {
    return false;  // the user chose
  }
  return ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0) == 0;
}

}  // namespace paddock::core
