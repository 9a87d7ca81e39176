# Build options shared by every target of the project.
option(BRIDGE_BUILD_TESTS "Build the unit and integration tests" ON)
option(BRIDGE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BRIDGE_FUZZ "Link the fuzz targets against libFuzzer (needs clang; implies the sanitizers)" OFF)
option(BRIDGE_STATIC_RUNTIME "Link libstdc++ and libgcc statically into bridge (faster start-up)" ON)

# ccache, when installed, unless the caller chose a launcher already
# (-DCMAKE_CXX_COMPILER_LAUNCHER= turns it off).
if(NOT DEFINED CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(BRIDGE_CCACHE ccache)
  if(BRIDGE_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${BRIDGE_CCACHE} CACHE STRING "Compiler launcher")
  endif()
endif()

if(BRIDGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BRIDGE_FUZZ needs clang (CXX=clang++)")
  endif()
  set(BRIDGE_SANITIZE ON)
endif()

if(BRIDGE_SANITIZE)
  set(bridge_sanitizers address,undefined)
  if(BRIDGE_FUZZ)
    # Coverage instrumentation for libFuzzer in every object, without
    # libFuzzer's main: the fuzz targets alone link it (tests/fuzz). The same
    # build serves the sanitizer test pass and the fuzzing runs.
    set(bridge_sanitizers fuzzer-no-link,${bridge_sanitizers})
  endif()
  # -fno-sanitize-recover: an undefined-behaviour report fails the test (or
  # ends the fuzzing run) instead of scrolling past.
  add_compile_options(-fsanitize=${bridge_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# bridge_uninstrumented(): for a directory of test helpers (the mock upstream,
# the hostile servers) that bridge's tests run against but that are not under
# test themselves. In a sanitizer build they are compiled and linked plainly:
# instrumenting them costs a third of their build time and finds nothing
# about bridge.
macro(bridge_uninstrumented)
  if(BRIDGE_SANITIZE)
    add_compile_options(-fno-sanitize=all)
    add_link_options(-fno-sanitize=all)
  endif()
endmacro()

# bridge_without_fuzz_coverage(): for a directory whose code no fuzz target
# runs (the unit tests). It keeps ASan and UBSan and drops libFuzzer's
# coverage instrumentation, which only a fuzz target reads.
macro(bridge_without_fuzz_coverage)
  if(BRIDGE_FUZZ)
    add_compile_options(-fno-sanitize=fuzzer-no-link)
  endif()
endmacro()

# bridge_sanitize_unoptimized(): for a directory whose code is light work for
# the tests that run it (the command layer, the unit tests). In a sanitizer
# build it is compiled without optimisation (-O0, after the build type's
# -O1): the instrumented objects take about half the time to build, which is
# most of the sanitizer build, and the checks are the same. The libraries
# under lib/ keep -O1: the readers, the redactor and the state store are
# where the sanitizer pass and the fuzzing spend their time.
macro(bridge_sanitize_unoptimized)
  if(BRIDGE_SANITIZE)
    add_compile_options(-O0)
  endif()
endmacro()

# Each function and object in a section of its own, in the shipped build:
# --gc-sections can then drop the unused ones one by one, and the functions a
# one-shot `ask` runs can be laid out together (app/CMakeLists.txt,
# cmake/hot-text.ld).
if(BRIDGE_STATIC_RUNTIME AND NOT BRIDGE_SANITIZE)
  add_compile_options(-ffunction-sections -fdata-sections)
endif()
