# Runs one libFuzzer target for a bounded time as a ctest test (cmake -P run_fuzzer.cmake).
# Inputs: FUZZER (the executable), SEED_CORPUS (read-only seeds), GENERATED_CORPUS (seeds
# written at configure time; optional), DICTIONARY (optional), WORK_DIR (emptied first; new
# corpus entries and crash inputs go there), MAX_SECONDS, MAX_RUNS, MAX_LEN (the longest
# input tried, default 8192), SEED, and SKIP_REASON, which when set makes the test report
# itself skipped instead.
if(SKIP_REASON)
  # tests/fuzz/CMakeLists.txt sets SKIP_REGULAR_EXPRESSION to this marker.
  message("PADDOCK_FUZZ_SKIPPED: ${SKIP_REASON}")
  return()
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/corpus")
if(NOT MAX_LEN)
  set(MAX_LEN 8192)
endif()
set(optional_arguments)
if(DICTIONARY AND EXISTS "${DICTIONARY}")
  list(APPEND optional_arguments "-dict=${DICTIONARY}")
endif()
set(corpora "${WORK_DIR}/corpus")
foreach(directory IN ITEMS "${SEED_CORPUS}" "${GENERATED_CORPUS}")
  if(directory AND IS_DIRECTORY "${directory}")
    list(APPEND corpora "${directory}")
  endif()
endforeach()
execute_process(
  COMMAND "${FUZZER}"
    -seed=${SEED}
    -max_total_time=${MAX_SECONDS}
    -runs=${MAX_RUNS}
    -max_len=${MAX_LEN}
    -timeout=10
    -rss_limit_mb=2048
    ${optional_arguments}
    -artifact_prefix=${WORK_DIR}/
    -print_final_stats=1
    -print_funcs=0
    ${corpora}
  RESULT_VARIABLE exit_code)

if(NOT exit_code EQUAL 0)
  file(GLOB findings "${WORK_DIR}/crash-*" "${WORK_DIR}/leak-*" "${WORK_DIR}/oom-*"
       "${WORK_DIR}/timeout-*" "${WORK_DIR}/slow-unit-*")
  list(JOIN findings "\n  " finding_list)
  message(FATAL_ERROR
    "${FUZZER} exited with ${exit_code}: it found a bug (or could not run). Inputs it saved:\n"
    "  ${finding_list}\n"
    "Reproduce with: ${FUZZER} <input>; add the input to tests/fuzz/corpus/ once fixed.")
endif()
