// Before the first LibTorch plugin loads OpenBLAS: choose a kernel that fits the CPU when
// OpenBLAS would fall back to a generic one (core/blas_kernel_choice.hpp), probing each
// candidate in a child process (`paddock blas-check --json`), and `paddock blas-check` itself.
#pragma once

#include <spdlog/logger.h>

#include <string>
#include <vector>

#include "paddock/core/blas_kernel_choice.hpp"

namespace paddock::host {

// Sets OPENBLAS_CORETYPE (and PADDOCK_BLAS_CHOSEN, so child processes such as --nproc ranks
// know who chose it) when a faster kernel passed its check. Does nothing when the user set
// OPENBLAS_CORETYPE, when PADDOCK_BLAS_KERNEL=keep, or when OpenBLAS is already loaded.
// Call before loading plugins; log the result with log_blas_choice once a logger exists.
core::KernelChoice choose_blas_before_loading();
void log_blas_choice(const core::KernelChoice& choice, spdlog::logger& log);

// `paddock blas-check [--kernel NAME] [--json]`: loads OpenBLAS (with OPENBLAS_CORETYPE=NAME),
// prints its kernel and whether its products are correct. Exit 0 when they are, 1 when not,
// 2 on a bad command line or when no OpenBLAS can be loaded.
int blas_check_command(const std::vector<std::string>& arguments);

}  // namespace paddock::host
