# Install rules for what ships beside the binary: the man page and the
# completions for bash, zsh and fish. The rule for the binary itself is in
# the top-level CMakeLists.txt. Paths are relative to CMAKE_INSTALL_PREFIX
# (GNUInstallDirs), so `cmake --install build --prefix DIR` and the Debian
# package (prefix /usr) both put every file where its tool looks for it.

include(GNUInstallDirs)

get_filename_component(BRIDGE_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(BRIDGE_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
    CACHE STRING "Where the bash completion is installed (relative to the prefix)")
set(BRIDGE_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions"
    CACHE STRING "Where the zsh completion is installed (relative to the prefix)")
set(BRIDGE_FISH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d"
    CACHE STRING "Where the fish completion is installed (relative to the prefix)")

install(FILES "${BRIDGE_SOURCE_ROOT}/man/bridge.1"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")

# bash-completion loads completions/NAME on demand: the file is named after
# the command, without an extension.
install(FILES "${BRIDGE_SOURCE_ROOT}/completions/bridge.bash"
        DESTINATION "${BRIDGE_BASH_COMPLETION_DIR}"
        RENAME bridge)
install(FILES "${BRIDGE_SOURCE_ROOT}/completions/_bridge"
        DESTINATION "${BRIDGE_ZSH_COMPLETION_DIR}")
install(FILES "${BRIDGE_SOURCE_ROOT}/completions/bridge.fish"
        DESTINATION "${BRIDGE_FISH_COMPLETION_DIR}")

# The README and the user documentation it links to (docs/*.md), in the same
# layout, so that its relative links work where it is installed
# (/usr/share/doc/bridge/README.md -> docs/contract.md).
if(EXISTS "${BRIDGE_SOURCE_ROOT}/README.md")
  install(FILES "${BRIDGE_SOURCE_ROOT}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
endif()
file(GLOB BRIDGE_USER_DOCS CONFIGURE_DEPENDS "${BRIDGE_SOURCE_ROOT}/docs/*.md")
install(FILES ${BRIDGE_USER_DOCS} DESTINATION "${CMAKE_INSTALL_DOCDIR}/docs")
