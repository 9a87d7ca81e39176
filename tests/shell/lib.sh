# Helpers shared by the scripts in tests/shell (sourced, never run alone).
#
# Every script is run by ctest as `bash SCRIPT BRIDGE_BINARY SOURCE_DIR
# [BUILD_DIR]`, prints one "ok - ..." or "not ok - ..." line per check and a
# closing "N passed, N failed" line, and exits non-zero when a check failed.
# Each script works in a private temporary directory (also its HOME and XDG
# directories) that is removed on exit, and bounds every command it starts
# with timeout(1).

# Variables set here are used by the scripts that source this file; the
# single-quoted scripts given to bash -c, fish -c and zsh -c are meant to be
# expanded by those shells.
# shellcheck disable=SC2034,SC2016

set -u -o pipefail

shell_tests_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

passed=0
failed=0

ok() {
  passed=$((passed + 1))
  printf 'ok - %s\n' "$*"
}

not_ok() {
  failed=$((failed + 1))
  printf 'not ok - %s\n' "$*"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

finish() {
  printf '%d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

bail_out() {
  printf 'Bail out! %s\n' "$*"
  exit 1
}

# The arguments every script gets.
init_args() {
  [[ $# -ge 2 ]] || bail_out "usage: $0 BRIDGE_BINARY SOURCE_DIR [BUILD_DIR]"
  bridge_bin=$1
  source_dir=$2
  build_dir=${3:-}
  [[ -x $bridge_bin ]] || bail_out "no executable at $bridge_bin"
  [[ -f $source_dir/completions/bridge.bash ]] || bail_out "$source_dir is not the source directory"
}

# A private working directory, removed on exit (cleanup_hooks run first).
cleanup_hooks=()
run_cleanup() {
  local hook
  for hook in "${cleanup_hooks[@]}"; do
    eval "$hook" || true
  done
  [[ -n ${work:-} && -d $work ]] && rm -rf -- "$work"
}
make_work_dir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/bridge-shell-test.XXXXXX") || bail_out "mktemp failed"
  trap run_cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$work/home/.config" "$work/home/.local/share" "$work/home/.local/state" "$work/home/.cache"
  # Shells started by the tests read and write nothing of the real user's.
  export HOME=$work/home
  export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share
  export XDG_STATE_HOME=$HOME/.local/state XDG_CACHE_HOME=$HOME/.cache
  unset BRIDGE_KEY_FILE BRIDGE_STATE BRIDGE_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
}

# need COMMAND DEBIAN_PACKAGE: make sure COMMAND exists. When it does not
# and we are root with apt-get, install the package (waiting for the dpkg
# lock rather than failing when another install runs); else bail out saying
# what to install.
install_package() {
  local package=$1
  local -a apt=(apt-get -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300)
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || return 1
  printf '# installing the Debian package %s\n' "$package"
  export DEBIAN_FRONTEND=noninteractive
  timeout 900 "${apt[@]}" install "$package" >/dev/null 2>&1 && return 0
  timeout 600 apt-get -qq -o DPkg::Lock::Timeout=300 update >/dev/null 2>&1
  timeout 900 "${apt[@]}" install "$package" >/dev/null
}
need() {
  local command=$1 package=$2
  command -v "$command" >/dev/null && return 0
  install_package "$package"
  command -v "$command" >/dev/null ||
    bail_out "$command is missing: install the Debian package $package (apt-get install $package), as root"
}
need_file() {
  local file=$1 package=$2
  [[ -e $file ]] && return 0
  install_package "$package"
  [[ -e $file ]] ||
    bail_out "$file is missing: install the Debian package $package (apt-get install $package), as root"
}

# ---------------------------------------------------------------------------
# Completion drivers: each prints the candidates that the shell's own
# completion machinery offers at the end of LINE, one per line, sorted,
# without descriptions. They run in the current directory.

bash_completion_script=/usr/share/bash-completion/bash_completion

complete_bash() {
  timeout 30 bash --norc --noprofile "$shell_tests_dir/bash-complete.sh" \
    "$bash_completion_script" "$source_dir/completions/bridge.bash" "$1" | LC_ALL=C sort -u
}

complete_zsh() {
  ZSH_COMPLETE_DUMP=$work/zcompdump timeout 60 zsh -f "$shell_tests_dir/zsh-complete.zsh" \
    "$source_dir/completions" "$1" |
    LC_ALL=C sort -u
}

# fish finds completions through $fish_complete_path: point it at a
# directory holding only ours, so that an installed copy is never used.
complete_fish() {
  local dir=$work/fish-completions
  if [[ ! -e $dir/bridge.fish ]]; then
    mkdir -p "$dir"
    ln -s "$source_dir/completions/bridge.fish" "$dir/bridge.fish"
  fi
  timeout 30 fish --no-config -c 'set fish_complete_path $argv[1]; complete -C $argv[2]' \
    "$dir" "$1" | cut -f1 | LC_ALL=C sort -u
}

# ---------------------------------------------------------------------------
# Option sets from `bridge ... --help`: every name in the Options: section
# (-h,--help gives -h and --help; a default such as --wait{300} is dropped).

help_text() {
  # shellcheck disable=SC2086 # the command words are meant to split
  timeout 20 "$bridge_bin" $1 --help 2>&1
}

help_options() {
  help_text "$1" | awk '
    /^[A-Z][A-Za-z ]*:$/ { section = $0; next }
    section == "Options:" && /^  +-/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) { name = names[i]; sub(/\{.*$/, "", name); print name }
    }' | LC_ALL=C sort -u
}

help_subcommands() {
  help_text "$1" | awk '
    /^[A-Z][A-Za-z ]*:$/ { section = $0; next }
    section == "Subcommands:" && /^  [a-z]/ { print $1 }' | LC_ALL=C sort -u
}

# The commands whose options these tests compare, with the words that select
# them on a command line.
command_ids=(top ask stream keys keys-status keys-reset keys-check parse-retry-after serve exec)
command_words() {
  case $1 in
    top) printf '' ;;
    keys-status) printf 'keys status' ;;
    keys-reset) printf 'keys reset' ;;
    keys-check) printf 'keys check' ;;
    *) printf '%s' "$1" ;;
  esac
}

# The options a command accepts according to the binary: its own, plus the
# global options (the top level's, less -h/--help/--version) for ask, stream
# and keys, which take them after the subcommand too.
expected_options() {
  local id=$1
  case $id in
    top | parse-retry-after) help_options "$(command_words "$id")" ;;
    *)
      {
        help_options "$(command_words "$id")"
        help_options "" | grep -vxE -- '-h|--help|--version'
      } | LC_ALL=C sort -u
      ;;
  esac
}

# compare_sets WHAT EXPECTED_LIST ACTUAL_LIST: ok when equal, else a
# not-ok line naming what is missing and what is extra.
compare_sets() {
  local what=$1 expected=$2 actual=$3 missing extra
  missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$expected" | sed '/^$/d' | LC_ALL=C sort -u) \
                             <(printf '%s\n' "$actual" | sed '/^$/d' | LC_ALL=C sort -u) | tr '\n' ' ')
  extra=$(LC_ALL=C comm -13 <(printf '%s\n' "$expected" | sed '/^$/d' | LC_ALL=C sort -u) \
                           <(printf '%s\n' "$actual" | sed '/^$/d' | LC_ALL=C sort -u) | tr '\n' ' ')
  if [[ -z $missing && -z $extra ]]; then
    ok "$what"
  else
    not_ok "$what${missing:+ — missing: $missing}${extra:+ — unexpected: $extra}"
  fi
}
