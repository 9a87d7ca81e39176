#!/usr/bin/env bash
# Drift between the binary, the man page and the three completion files:
#
#   bash drift.sh BRIDGE_BINARY SOURCE_DIR
#
# For each command (bridge, ask, stream, keys, keys status, keys reset,
# parse-retry-after) the set of options is taken from four sources and
# compared with the set the binary's --help gives (for ask, stream and keys
# the global options of `bridge --help` count too, since they are accepted
# after the subcommand):
#   - man/bridge.1: the option names in the .TP tags under OPTIONS, each
#     subsection saying which commands it covers in a
#     `.\" drift-applies-to: ...` comment;
#   - completions/bridge.bash, _bridge and bridge.fish: what each shell offers
#     for `bridge COMMAND -` (run in the real shell, as completion.sh does).
# The subcommands are compared likewise (COMMANDS in the man page; `bridge `
# and `bridge keys ` in the shells), and `bridge help COMMAND` must print what
# `bridge COMMAND --help` prints. Every difference is named.

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
init_args "$@"
make_work_dir
need zsh zsh
need fish fish
need_file "$bash_completion_script" bash-completion
cd "$work" || bail_out "cannot enter $work"

man_page=$source_dir/man/bridge.1

# "COMMAND OPTION" pairs from the man page's OPTIONS section.
man_option_pairs() {
  awk '
    /^\.SH / { in_options = ($0 ~ /^\.SH "?OPTIONS"?$/); applies = ""; next }
    /^\.SS / { applies = ""; next }
    in_options && /^\.\\" drift-applies-to:/ {
      applies = $0
      sub(/^\.\\" drift-applies-to: */, "", applies)
      next
    }
    in_options && /^\.TP/ { tag = 1; next }
    tag {
      tag = 0
      if (applies == "") {
        printf "NO-APPLIES-TO %s\n", $0
        next
      }
      line = $0
      gsub(/\\-/, "-", line)
      gsub(/\\f[BIRP]/, "", line)
      gsub(/\\f\(../, "", line)
      n = split(applies, commands, " ")
      while (match(line, /(^|[ "[|,])--?[A-Za-z][A-Za-z0-9-]*/)) {
        option = substr(line, RSTART, RLENGTH)
        sub(/^[^-]/, "", option)
        for (i = 1; i <= n; i++) print commands[i], option
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$man_page"
}

# The commands named by the .TP tags of the man page's COMMANDS section, as
# ids (keys status -> keys-status); the --version/--help entry is not one.
man_commands() {
  awk '
    /^\.SH / { in_commands = ($0 ~ /^\.SH "?COMMANDS"?$/); next }
    in_commands && /^\.TP/ { tag = 1; next }
    tag {
      tag = 0
      line = $0
      gsub(/\\-/, "-", line)
      gsub(/\\f[BIRP]/, "", line)
      gsub(/"/, "", line)
      if (line ~ /--version/) next
      if (match(line, /bridge (keys (status|reset|check)|[a-z][a-z-]*)/)) {
        name = substr(line, RSTART + 7, RLENGTH - 7)
        gsub(/ /, "-", name)
        print name
      }
    }' "$man_page" | LC_ALL=C sort -u
}

pairs=$(man_option_pairs)
if grep -q '^NO-APPLIES-TO' <<<"$pairs"; then
  not_ok "man: option tags under OPTIONS without a drift-applies-to comment: $(grep '^NO-APPLIES-TO' <<<"$pairs" | cut -d' ' -f2- | tr '\n' ' ')"
fi
unknown=$(awk '{print $1}' <<<"$pairs" | sort -u | grep -vxF -f <(printf '%s\n' "${command_ids[@]}" NO-APPLIES-TO) || true)
[[ -z $unknown ]] || not_ok "man: drift-applies-to names unknown commands: $(tr '\n' ' ' <<<"$unknown")"

# Strip "--opt=" to "--opt" (zsh offers options taking a value that way) and
# keep only options.
only_options() { sed -e 's/=$//' | grep -- '^-' | LC_ALL=C sort -u; }

for id in "${command_ids[@]}"; do
  words=$(command_words "$id")
  name="bridge${words:+ $words}"
  expected=$(expected_options "$id")
  [[ -n $expected ]] || not_ok "$name: --help lists no option at all"

  compare_sets "$name: man page vs --help" "$expected" \
    "$(awk -v id="$id" '$1 == id {print $2}' <<<"$pairs" | LC_ALL=C sort -u)"
  for shell in bash zsh fish; do
    compare_sets "$name: $shell completion vs --help" "$expected" \
      "$("complete_$shell" "bridge ${words:+$words }-" | only_options)"
  done
done

# `bridge help COMMAND` is `bridge COMMAND --help`, for every command.
for id in "${command_ids[@]}"; do
  words=$(command_words "$id")
  # shellcheck disable=SC2086 # the command words are meant to split
  if ! diff <(help_text "$words") <(timeout 20 "$bridge_bin" help $words 2>&1) >/dev/null; then
    not_ok "bridge help${words:+ $words}: differs from bridge${words:+ $words} --help"
  fi
done

# Subcommands.
expected_commands=$({
  help_subcommands "" | grep -vx keys
  help_subcommands keys | sed 's/^/keys-/'
} | LC_ALL=C sort -u)
compare_sets "commands: man page vs --help" "$expected_commands" "$(man_commands)"
for shell in bash zsh fish; do
  compare_sets "subcommands of bridge: $shell completion vs --help" "$(help_subcommands "")" \
    "$("complete_$shell" "bridge " | grep -v -- '^-')"
  compare_sets "subcommands of bridge keys: $shell completion vs --help" "$(help_subcommands keys)" \
    "$("complete_$shell" "bridge keys " | grep -v -- '^-')"
done

finish
