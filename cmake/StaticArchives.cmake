# Libraries linked from their static archives when the system has them.
#
# A one-shot `bridge ask` is mostly process start-up, and every shared library
# is one more object the dynamic loader finds, maps and relocates before
# main() runs. Debian ships static archives of libmd, hiredis and libevent
# (not of libcurl or simdjson), so those three are linked in; the shared
# libraries stay the fallback when an archive is missing, and
# -DBRIDGE_STATIC_ARCHIVES=OFF (for distribution packages) always uses them.
option(BRIDGE_STATIC_ARCHIVES "Link libmd, hiredis and libevent from their static archives" ON)

# bridge_archives(NAME FALLBACK shared-target ARCHIVES libA.a libB.a ... [LINKS ...])
# defines the INTERFACE target NAME: the archives in the order given (a
# library before the ones it uses) plus LINKS, with the include directories
# of FALLBACK; or FALLBACK itself when an archive is missing or static
# archives are off.
function(bridge_archives name)
  cmake_parse_arguments(arg "" "FALLBACK" "ARCHIVES;LINKS" ${ARGN})
  add_library(${name} INTERFACE)
  set(paths)
  if(BRIDGE_STATIC_ARCHIVES)
    foreach(archive IN LISTS arg_ARCHIVES)
      string(MAKE_C_IDENTIFIER "BRIDGE_ARCHIVE_${archive}" variable)
      find_library(${variable} NAMES ${archive})
      if(NOT ${variable})
        message(STATUS "${archive} not found: ${name} links the shared library")
        set(paths)
        break()
      endif()
      list(APPEND paths ${${variable}})
    endforeach()
  endif()
  if(paths)
    target_link_libraries(${name} INTERFACE ${paths} ${arg_LINKS})
    target_include_directories(${name} SYSTEM INTERFACE
      $<TARGET_PROPERTY:${arg_FALLBACK},INTERFACE_INCLUDE_DIRECTORIES>)
  else()
    target_link_libraries(${name} INTERFACE ${arg_FALLBACK})
  endif()
endfunction()
