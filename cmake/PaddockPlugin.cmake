# paddock_add_plugin(NAME SOURCES file... [TORCH] [OUTPUT_DIRECTORY dir] [LINK target...])
#
# Builds a Paddock plugin: a MODULE library with hidden visibility whose only export is
# paddock_plugin_entry, linked to the Paddock core, with an $ORIGIN-relative RPATH so an
# installed tree runs from anywhere. TORCH links LibTorch, records its version in the
# plugin's build fingerprint and uses the precompiled torch header.
include_guard(GLOBAL)

# paddock_target_precompile_torch(TARGET): gives the target the precompiled torch/torch.h
# (which costs ~30 s per translation unit without it). Inside Paddock's own tree every target
# reuses the one header of paddock_torch_pch: with debug information a precompiled torch.h
# is ~780 MB, and one per target filled gigabytes of disk and of ccache. Out of tree the
# target precompiles its own.
function(paddock_target_precompile_torch target)
  if(NOT TARGET paddock_torch_pch)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    # The shared header is compiled position-independent, and GCC refuses a precompiled
    # header whose -fpic/-fpie setting differs from the compilation's. Its declarations carry
    # hidden visibility, so the executable's own types must too (else -Wattributes).
    target_compile_options(${target} PRIVATE ${CMAKE_CXX_COMPILE_OPTIONS_PIC})
    set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
  endif()
  target_precompile_headers(${target} REUSE_FROM paddock_torch_pch)
endfunction()

# paddock_target_use_torch(TARGET): links LibTorch and Paddock's torch SDK library, records
# the LibTorch version for the build fingerprint, and precompiles torch/torch.h. For plugins
# and their helper libraries.
function(paddock_target_use_torch target)
  if(TARGET Paddock::torch AND NOT TARGET paddock_torch)
    target_link_libraries(${target} PUBLIC Paddock::torch)
  else()
    target_link_libraries(${target} PUBLIC paddock_torch)
  endif()
  target_compile_definitions(${target} PUBLIC PADDOCK_PLUGIN_TORCH_VERSION="${Torch_VERSION}")
  paddock_target_precompile_torch(${target})
endfunction()

function(paddock_add_plugin name)
  cmake_parse_arguments(ARG "TORCH" "OUTPUT_DIRECTORY" "SOURCES;LINK" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    INSTALL_RPATH "$ORIGIN/../.."
    BUILD_RPATH "$ORIGIN/../..")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  elseif(DEFINED PADDOCK_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${PADDOCK_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
  if(TARGET Paddock::core AND NOT TARGET paddock_core)
    # Out of tree, against an installed SDK: find the core library at build time too.
    target_link_libraries(${name} PRIVATE Paddock::core)
    set_target_properties(${name} PROPERTIES BUILD_RPATH "$<TARGET_FILE_DIR:Paddock::core>")
  else()
    target_link_libraries(${name} PRIVATE paddock_core)
  endif()
  if(ARG_TORCH)
    if(DEFINED Paddock_TORCH_VERSION AND NOT Paddock_TORCH_VERSION STREQUAL "${Torch_VERSION}")
      message(FATAL_ERROR "${name}: Paddock was built against LibTorch ${Paddock_TORCH_VERSION} "
        "but this build found LibTorch ${Torch_VERSION}; the host would refuse the plugin")
    endif()
    paddock_target_use_torch(${name})
  endif()
  if(ARG_LINK)
    target_link_libraries(${name} PRIVATE ${ARG_LINK})
  endif()
endfunction()
