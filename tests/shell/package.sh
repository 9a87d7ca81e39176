#!/usr/bin/env bash
# Installation and the Debian package:
#
#   bash package.sh BRIDGE_BINARY SOURCE_DIR BUILD_DIR
#
# 1. `cmake --install BUILD_DIR --prefix TMP` puts the binary, the man page
#    and the three completions where their tools look for them.
# 2. `cpack --config BUILD_DIR/CPackConfig.cmake -G DEB` builds the .deb into
#    a temporary directory; its control fields and file list are checked, and
#    the binary unpacked from it runs.
# 3. Only as root, and only when neither a `bridge` package nor any file the
#    package would install is already on the system: `dpkg -i`, run
#    /usr/bin/bridge, check the man page and the completions are found by
#    man, bash-completion and fish, then `dpkg --purge` and check everything
#    is gone. A trap purges the package on any exit once it is installed.

# The single-quoted scripts given to bash -c and zsh -c expand in those shells.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
init_args "$@"
make_work_dir
[[ -n $build_dir && -f $build_dir/CMakeCache.txt ]] || bail_out "usage: package.sh BRIDGE_BINARY SOURCE_DIR BUILD_DIR"
need cmake cmake
need cpack cmake
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need man man-db
need file file

version=$(timeout 20 "$bridge_bin" --version | awk '{print $2}')
[[ -n $version ]] || bail_out "bridge --version printed no version"

# The files beside the binary, relative to the prefix, and their sources.
declare -A shipped=(
  [share/man/man1/bridge.1]=man/bridge.1
  [share/bash-completion/completions/bridge]=completions/bridge.bash
  [share/zsh/vendor-completions/_bridge]=completions/_bridge
  [share/fish/vendor_completions.d/bridge.fish]=completions/bridge.fish
)

# --- 1. cmake --install ------------------------------------------------------
prefix=$work/prefix
if timeout 300 cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1; then
  ok "cmake --install into a temporary prefix"
else
  not_ok "cmake --install failed: $(tail -5 "$work/install.log")"
fi
check "bin/bridge is installed and executable" test -x "$prefix/bin/bridge"
for path in "${!shipped[@]}"; do
  check "$path is installed, identical to ${shipped[$path]}" cmp -s "$prefix/$path" "$source_dir/${shipped[$path]}"
done
# The JSON plugin goes to the libdir's bridge/ folder, where the installed
# binary looks for it (lib/util/json_plugin.hpp).
plugin=$(cd "$prefix" && find . -path '*/bridge/bridge-json.so' | head -n 1)
check "bridge-json.so is installed under a libdir's bridge/ folder" test -n "$plugin"
check "bin/bridge does not load libsimdjson at start" bash -c '! ldd "$1" | grep -q libsimdjson' _ "$prefix/bin/bridge"
if [[ -x $prefix/bin/bridge ]] && [[ $(timeout 20 "$prefix/bin/bridge" --version) == "bridge $version" ]]; then
  ok "the installed binary runs: bridge $version"
else
  not_ok "the installed binary does not print 'bridge $version'"
fi

# The installed README's relative links (and those of the docs it links to)
# must lead to installed files.
docdir=$prefix/share/doc/bridge
check "README.md is installed" test -f "$docdir/README.md"
dangling=()
for page in "$docdir/README.md" "$docdir"/docs/*.md; do
  [[ -f $page ]] || continue
  while IFS= read -r target; do
    target=${target%%#*}
    [[ -z $target || $target == *://* || $target == mailto:* ]] && continue
    [[ -e $(dirname "$page")/$target ]] || dangling+=("${page#"$docdir"/} -> $target")
  done < <(grep -o '\]([^)]*)' "$page" | sed 's/^](//; s/)$//')
done
if ((${#dangling[@]} == 0)); then
  ok "every relative link of the installed documentation leads to an installed file"
else
  not_ok "installed documentation links to files that are not installed: ${dangling[*]}"
fi

# --- 2. cpack -G DEB ---------------------------------------------------------
if [[ ! -f $build_dir/CPackConfig.cmake ]]; then
  not_ok "no $build_dir/CPackConfig.cmake: add include(Packaging) to CMakeLists.txt"
  finish
  exit
fi
if (cd "$work" && timeout 600 cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/cpack") \
  >"$work/cpack.log" 2>&1; then
  ok "cpack -G DEB"
else
  not_ok "cpack -G DEB failed: $(tail -15 "$work/cpack.log")"
fi
arch=$(dpkg --print-architecture)
deb=$work/cpack/bridge_${version}_${arch}.deb
if [[ ! -f $deb ]]; then
  not_ok "no package at $deb (found: $(find "$work/cpack" -maxdepth 1 -name '*.deb' -printf '%f ' 2>/dev/null))"
  finish
  exit
fi
ok "package file $(basename "$deb")"

field() { dpkg-deb -f "$deb" "$1"; }
check "Package: bridge" test "$(field Package)" = bridge
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
check "a Maintainer with an address" grep -qE '^.+ <[^>]+@[^>]+>$' <<<"$(field Maintainer)"
check "a Description" grep -q 'failover' <<<"$(field Description)"
depends=$(field Depends)
depends_names=$(tr ',' '\n' <<<"$depends" | awk '{print $1}')
# bridge links libstdc++ and libgcc statically and uses no libssl of its own
# (BRIDGE_STATIC_RUNTIME); libcurl brings its TLS library with it;
# libsimdjson reads bulk JSON in the plugin bridge-json.so, which
# dpkg-shlibdeps scans too (and brings the shared libstdc++ with it). libmd, hiredis and libevent come from their static
# archives (BRIDGE_STATIC_ARCHIVES), so the package needs none of them.
for library in libc6 libcurl4 libsimdjson14; do
  check "Depends names $library" grep -qxF -- "$library" <<<"$depends_names"
done
for library in libmd0 libhiredis0.14 libevent-2.1-7 libevent-pthreads-2.1-7; do
  check "Depends does not name $library (linked statically)" \
    bash -c '! grep -qxF -- "$1" <<<"$2"' _ "$library" "$depends_names"
done
printf '# Depends: %s\n' "$depends"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
check "the package holds ./usr/bin/bridge" grep -qx ./usr/bin/bridge <<<"$contents"
check "the package holds the JSON plugin" grep -q '^./usr/lib/.*bridge/bridge-json.so$' <<<"$contents"
for path in "${!shipped[@]}"; do
  check "the package holds ./usr/$path" grep -qx "./usr/$path" <<<"$contents"
done
unexpected=$(grep -v -e '/$' -e '^./usr/bin/bridge$' -e '^./usr/share/man/' -e '^./usr/share/bash-completion/' \
  -e '^./usr/share/zsh/' -e '^./usr/share/fish/' -e '^./usr/share/doc/bridge/' \
  -e '^./usr/lib/.*bridge/bridge-json.so$' <<<"$contents" || true)
check "the package holds nothing else${unexpected:+ (it holds: $(tr '\n' ' ' <<<"$unexpected"))}" test -z "$unexpected"

mkdir -p "$work/unpacked"
dpkg-deb -x "$deb" "$work/unpacked"
check "the packaged binary runs" test "$(timeout 20 "$work/unpacked/usr/bin/bridge" --version)" = "bridge $version"
check "the packaged binary is stripped" bash -c '! file "$1" | grep -q "not stripped"' _ "$work/unpacked/usr/bin/bridge"

# --- 3. dpkg -i / dpkg --purge ---------------------------------------------
system_files=(/usr/bin/bridge)
for path in "${!shipped[@]}"; do system_files+=("/usr/$path"); done

skip_reason=
if [[ $(id -u) -ne 0 ]]; then
  skip_reason="not root"
elif dpkg-query -W -f='${Status}' bridge 2>/dev/null | grep -q 'installed'; then
  skip_reason="a bridge package is installed already (dpkg --purge bridge to run this part)"
else
  for path in "${system_files[@]}"; do
    if [[ -e $path ]]; then
      skip_reason="$path exists and would be replaced"
      break
    fi
  done
fi

if [[ -n $skip_reason ]]; then
  printf '# SKIP dpkg -i and dpkg --purge: %s\n' "$skip_reason"
  finish
  exit
fi

installed=
purge_package() {
  [[ -n $installed ]] || return 0
  timeout 300 dpkg --purge bridge >"$work/purge.log" 2>&1
  installed=
}
cleanup_hooks+=(purge_package)

# dpkg takes no lock timeout of its own: retry while another dpkg runs.
dpkg_with_retry() {
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if timeout 300 "$@" >"$work/dpkg.log" 2>&1; then return 0; fi
    grep -q 'lock' "$work/dpkg.log" || return 1
    sleep 6
  done
  return 1
}

installed=yes
if dpkg_with_retry dpkg -i "$deb"; then
  ok "dpkg -i $(basename "$deb")"
else
  not_ok "dpkg -i failed: $(tail -5 "$work/dpkg.log")"
fi
check "dpkg lists bridge $version as installed" \
  test "$(dpkg-query -W -f='${Status} ${Version}' bridge 2>/dev/null)" = "install ok installed $version"
check "/usr/bin/bridge --version" test "$(timeout 20 /usr/bin/bridge --version)" = "bridge $version"
check "man finds the page: man -w bridge" test "$(timeout 30 man -w bridge 2>/dev/null)" = /usr/share/man/man1/bridge.1
check "man renders the installed page" bash -c 'MANWIDTH=80 timeout 60 man -P cat bridge 2>/dev/null | grep -q "^SYNOPSIS"'
for path in "${!shipped[@]}"; do
  check "/usr/$path is installed" cmp -s "/usr/$path" "$source_dir/${shipped[$path]}"
done
if [[ -f $bash_completion_script ]]; then
  # bash-completion's on-demand loader finds the installed file.
  check "bash-completion loads the installed completion" bash --norc --noprofile -c \
    'source "$1" || exit 1; _completion_loader bridge; complete -p bridge | grep -q -- "-F _bridge"' _ "$bash_completion_script"
fi
if command -v fish >/dev/null; then
  # Without --no-config: fish's own config.fish sets up the vendor
  # directories in fish_complete_path. HOME is the test's own.
  check "fish finds the installed completion" bash -c \
    'timeout 30 fish -c "complete -C \"bridge keys \"" | cut -f1 | grep -qx status'
fi
if command -v zsh >/dev/null; then
  check "zsh's default fpath holds the installed completion" \
    zsh -f -c 'for dir in $fpath; do [[ -f $dir/_bridge ]] && exit 0; done; exit 1'
fi

if dpkg_with_retry dpkg --purge bridge; then
  installed=
  ok "dpkg --purge bridge"
else
  not_ok "dpkg --purge failed: $(tail -5 "$work/dpkg.log")"
fi
check "dpkg no longer lists bridge" bash -c '! dpkg-query -W -f="\${Status}" bridge 2>/dev/null | grep -q "ok installed"'
left=()
for path in "${system_files[@]}"; do [[ -e $path ]] && left+=("$path"); done
check "every installed file is gone${left[*]:+ (left: ${left[*]})}" test ${#left[@]} -eq 0

finish
