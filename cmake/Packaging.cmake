# A Debian package of bridge: `cpack -G DEB` in the build directory (or
# `cpack --config BUILD/CPackConfig.cmake -G DEB`) writes
# bridge_VERSION_ARCH.deb with the binary, the man page and the completions
# (the install rules of CMakeLists.txt and cmake/Install.cmake, under /usr).
#
# Run-time dependencies are computed from the binary by dpkg-shlibdeps
# (Debian package dpkg-dev) when it is there; otherwise a fixed list that is
# right for Debian 12 is used.

set(BRIDGE_PACKAGE_MAINTAINER "bridge maintainers <maintainers@users.noreply.r-seed-2d5684bb.example>"
    CACHE STRING "Maintainer field of the Debian package (Name <email>)")

# Write every CPACK_ variable to CPackConfig.cmake exactly as set here.
set(CPACK_VERBATIM_VARIABLES ON)

set(CPACK_PACKAGE_NAME bridge)
set(CPACK_PACKAGE_VENDOR "bridge maintainers")
set(CPACK_PACKAGE_CONTACT "${BRIDGE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Anthropic Messages API client with key-pool failover")
set(CPACK_PACKAGE_DESCRIPTION
    "bridge sends requests to the Anthropic Messages API from the command line,
scripts and CI jobs. It walks a pool of API keys in order: a key that is
rate-limited cools down for as long as the server asks and the next key is
tried; a key that is refused is set aside. What it learns is kept in a state
file shared by every invocation on the machine. Exit codes tell scripts
whether to retry later, fix the configuration, or give up.")
set(CPACK_STRIP_FILES ON)
if(NOT CPACK_GENERATOR)
  set(CPACK_GENERATOR DEB)
endif()

set(CPACK_DEBIAN_PACKAGE_NAME bridge)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${BRIDGE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The Description field: CPACK_PACKAGE_DESCRIPTION_SUMMARY as its first
# line, CPACK_PACKAGE_DESCRIPTION as the long text.
# TLS needs the CA certificates; the completions need their shells.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

find_program(BRIDGE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(BRIDGE_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  message(STATUS "dpkg-shlibdeps not found (Debian package dpkg-dev): "
                 "the .deb gets a fixed Depends list for Debian 12")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libcurl4 (>= 7.74), libsimdjson14 (>= 3.0.1)")
  if(NOT BRIDGE_STATIC_ARCHIVES)
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
           ", libmd0, libhiredis0.14, libevent-2.1-7, libevent-pthreads-2.1-7")
  endif()
endif()

# `cpack --config CPackSourceConfig.cmake`: a source tarball without build
# trees or version-control files.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build[^/]*/" "/\\.cache/")

include(CPack)
