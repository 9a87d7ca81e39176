# The functions a one-shot run touches, linked first and together.
#
# Every page of the executable a run touches first costs a page fault, and
# on a virtual machine a fault costs 10 to 20 µs. In the order of the
# archives the few hundred functions of an `ask` lie spread over the whole
# `.text`, so a run faulted in nearly every 64 KiB block of it
# (bench/README.md, "Where the wall time of ask goes").
#
# bridge_hot_text(TARGET LIST LINK-OPTIONS...) links TARGET with GNU ld's own
# default script for those options, in which the `.text` output section
# starts with `INCLUDE LIST`: LIST names the input sections to put first
# (cmake/hot-text.ld, written by bench/hot-text; the objects are compiled
# with -ffunction-sections, and the static libstdc++ was built so). The
# default script is asked of the linker itself at configure time (a probe
# linked with --verbose), so it is the one of the installed binutils. One
# `.text` section, not a second output section: valgrind names no function
# of an executable whose code is outside its `.text`. With another linker
# (no default script printed) TARGET is linked as before.
function(bridge_hot_text target list)
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/hot-text)
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${dir}/probe.cpp "int main() { return 0; }\n")
  # With the project's linker flags too: a -fuse-ld=lld there prints no
  # default script, and the target is then linked as before.
  string(TOUPPER "${CMAKE_BUILD_TYPE}" type)
  separate_arguments(flags UNIX_COMMAND
    "${CMAKE_EXE_LINKER_FLAGS} ${CMAKE_EXE_LINKER_FLAGS_${type}}")
  execute_process(
    COMMAND ${CMAKE_CXX_COMPILER} ${dir}/probe.cpp -o ${dir}/probe ${flags} ${ARGN} -Wl,--verbose
    RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_QUIET)
  set(rule "==================================================")
  string(FIND "${output}" "${rule}\n" begin)
  string(FIND "${output}" "\n${rule}" end REVERSE)
  set(anchor "\n  .text           :\n  {\n")
  if(NOT result EQUAL 0 OR begin EQUAL -1 OR end LESS_EQUAL begin)
    message(STATUS "hot text: the linker printed no default script; ${target} linked as before")
    return()
  endif()
  string(LENGTH "${rule}\n" skip)
  math(EXPR begin "${begin} + ${skip}")
  math(EXPR length "${end} - ${begin} + 1")
  string(SUBSTRING "${output}" ${begin} ${length} script)
  string(FIND "${script}" "${anchor}" at)
  if(at EQUAL -1)
    message(STATUS "hot text: no .text statement in the default script; ${target} linked as before")
    return()
  endif()
  string(REPLACE "${anchor}" "${anchor}    INCLUDE ${list}\n" script "${script}")
  # Written only when it changed, so that a new configure does not relink.
  file(WRITE ${dir}/${target}.ld.new "${script}")
  configure_file(${dir}/${target}.ld.new ${dir}/${target}.ld COPYONLY)
  target_link_options(${target} PRIVATE -Wl,-T,${dir}/${target}.ld)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${list} ${dir}/${target}.ld)
endfunction()
