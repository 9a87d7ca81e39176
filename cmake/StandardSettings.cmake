# Build options shared by every target of the project.
option(BRIDGE_BUILD_TESTS "Build the unit and integration tests" ON)
option(BRIDGE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BRIDGE_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

if(BRIDGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
