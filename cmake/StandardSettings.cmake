# Build options shared by every target of the project.
option(BRIDGE_BUILD_TESTS "Build the unit and integration tests" ON)
option(BRIDGE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BRIDGE_FUZZ "Build the libFuzzer targets (needs clang)" OFF)
option(BRIDGE_STATIC_RUNTIME "Link libstdc++ and libgcc statically into bridge (faster start-up)" ON)

if(BRIDGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(BRIDGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BRIDGE_FUZZ needs clang (CXX=clang++)")
  endif()
  # Coverage instrumentation for the library; each fuzz target links libFuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
