# Warnings for the project's own targets. -Werror is on when the CI
# environment variable is set, so that local builds stay usable while CI
# refuses any new warning.
add_library(bridge_warnings INTERFACE)
target_compile_options(bridge_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual)
if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND NOT "$ENV{CI}" STREQUAL "false")
  target_compile_options(bridge_warnings INTERFACE -Werror)
endif()
