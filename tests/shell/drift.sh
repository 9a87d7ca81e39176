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
# `bridge COMMAND --help` prints.
#
# Between --help, man/bridge.1, docs/contract.md and README.md also:
#   - commands: the subcommands --help lists, the man page's COMMANDS tags and
#     the command block under contract.md's "## Commands" (whose lines that
#     list options instead of [OPTIONS] must name every option of their
#     command); `bridge keys` without a command names all of keys' commands;
#   - exit codes: the "Exit codes:" paragraph of `bridge --help`, the man
#     page's EXIT STATUS tags, contract.md's "Exit statuses" table and the
#     README's "Exit codes:" paragraph;
#   - environment variables: every one that a --help names is in the man
#     page's ENVIRONMENT; the BRIDGE_*, ANTHROPIC_* and OPENAI_* there are
#     the ones contract.md names; every *_API_KEY there is in SECURITY.
# Every difference is named.

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
  compare_sets "subcommands of bridge: $shell completion vs --help" \
    "$(printf '%s\nhelp\n' "$(help_subcommands "")" | LC_ALL=C sort -u)" \
    "$("complete_$shell" "bridge " | grep -v -- '^-')"
  compare_sets "subcommands of bridge keys: $shell completion vs --help" "$(help_subcommands keys)" \
    "$("complete_$shell" "bridge keys " | grep -v -- '^-')"
done

# ---- commands, exit codes and environment variables across the documents
contract=$source_dir/docs/contract.md
readme=$source_dir/README.md

# man_section NAME: the lines of a .SH section of the man page, font escapes
# and \- undone.
man_section() {
  awk -v want="$1" '
    /^\.SH / { name = $0; sub(/^\.SH +/, "", name); gsub(/"/, "", name); inside = (name == want); next }
    inside' "$man_page" | sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\(aq/'"'"'/g'
}
# The lines of the first ``` block after contract.md's "## Commands".
contract_command_block() {
  awk '/^## Commands/ { want = 1; next } want && /^```/ { if (inside) exit; inside = 1; next } inside' "$contract"
}
# Command ids (ask, keys-status, ...) of `bridge ...` lines on stdin.
command_ids_of() {
  sed -n -E 's/^\.?(BR )?"?bridge (keys (status|reset|check)|[a-z][a-z-]*).*/\2/p' | tr ' ' '-' | LC_ALL=C sort -u
}
all_help_text() {
  local id
  for id in "${command_ids[@]}"; do help_text "$(command_words "$id")"; done
}
env_names() { grep -oE '\b((BRIDGE|ANTHROPIC|OPENAI|XDG|REDISCLI)_[A-Z_]+|HOME|NO_COLOR)\b' | LC_ALL=C sort -u; }
# The numbers of an "Exit codes: 0 ok, 1 ..., 143 terminated." paragraph on stdin.
exit_paragraph_codes() {
  awk '/Exit codes:/ { inside = 1 } inside { print; if (/\.( |$)/) exit }' |
    sed 's/.*Exit codes://' | grep -oE '(^|[ ;,])[0-9]{1,3}( |$)' | tr -d ' ;,' | LC_ALL=C sort -un
}

help_commands=$({
  help_subcommands "" | grep -vx keys
  help_subcommands keys | sed 's/^/keys-/'
} | LC_ALL=C sort -u)
block=$(contract_command_block)
[[ -n $block ]] || not_ok "contract.md: no command block under '## Commands'"
compare_sets "commands: contract.md vs --help" "$help_commands" \
  "$(command_ids_of <<<"$block" | grep -vx -e help -e '-*')"
grep -q '^bridge help' <<<"$block" || not_ok "contract.md: the command block does not show 'bridge help'"
# (grep reads the whole section: with -q it would stop at the match, and
# pipefail would count the writer's SIGPIPE as a failure)
man_section COMMANDS | grep 'bridge help' >/dev/null ||
  not_ok "man: COMMANDS does not show 'bridge help'"

# A contract.md line that names options (rather than [OPTIONS]) names each
# option of its command: each line of the command's own "Options:" in
# --help (say "-m,--model TEXT") by one of its names; --help itself aside.
while IFS= read -r line; do
  id=$(command_ids_of <<<"$line")
  [[ -n $id && $id != help && $line != *'[OPTIONS]'* ]] || continue
  words=$(command_words "$id")
  unnamed=$(help_text "$words" | awk '
      /^[A-Z][A-Za-z ]*:$/ { section = $0; next }
      section == "Options:" && /^  +-/ { print $1 }' |
    while IFS= read -r names; do
      [[ ,$names, == *,--help,* ]] && continue
      found=
      IFS=, read -ra aliases <<<"$names"
      for name in "${aliases[@]}"; do
        name=${name%%\{*}
        if grep -qE -- "(^|[^A-Za-z-])$name([^A-Za-z-]|$)" <<<"$line"; then found=1; fi
      done
      [[ -n $found ]] || printf '%s ' "$names"
    done)
  if [[ -n $unnamed ]]; then
    not_ok "contract.md: 'bridge ${words}' omits options that --help lists: $unnamed"
  else
    ok "contract.md: 'bridge ${words}' names its options"
  fi
done <<<"$block"

# `bridge keys` without a command says which commands there are.
keys_message=$(timeout 20 "$bridge_bin" keys 2>&1 </dev/null)
missing=$(for sub in $(help_subcommands keys); do grep -qw -- "$sub" <<<"$keys_message" || printf '%s ' "$sub"; done)
if [[ -n $missing ]]; then
  not_ok "'bridge keys' (no command) does not name: $missing(it says: $keys_message)"
else
  ok "'bridge keys' (no command) names every keys command"
fi

# The man page's sentence on global-options ("(--key-file, --state, ...) may
# also be written after the subcommand") names every option of `bridge
# --help` but --help and --version.
global_sentence=$(man_section SYNOPSIS | awk '/global-options/ && !/^\.RI/ { inside = 1 } inside { print } /after the subcommand/ { exit }')
unnamed=$(help_text "" | awk '/^[A-Z][A-Za-z ]*:$/ { section = $0; next }
    section == "Options:" && /^  +-/ { print $1 }' |
  while IFS= read -r names; do
    [[ ,$names, == *,--help,* || ,$names, == *,--version,* ]] && continue
    found=
    IFS=, read -ra aliases <<<"$names"
    for name in "${aliases[@]}"; do
      name=${name%%\{*}
      name=${name%%:*}
      if grep -qE -- "(^|[^A-Za-z-])$name([^A-Za-z-]|$)" <<<"$global_sentence"; then found=1; fi
    done
    [[ -n $found ]] || printf '%s ' "$names"
  done)
if [[ -z $global_sentence ]]; then
  not_ok "man: no sentence on the global-options in SYNOPSIS"
elif [[ -n $unnamed ]]; then
  not_ok "man: the global-options sentence omits options of 'bridge --help': $unnamed"
else
  ok "man: the global-options sentence names every global option"
fi

# Exit codes.
help_codes=$(help_text "" | exit_paragraph_codes)
[[ -n $help_codes ]] || not_ok "bridge --help: no 'Exit codes:' paragraph"
man_codes=$(man_section "EXIT STATUS" | awk '/^\.TP/ { tag = 1; next } tag { tag = 0; if ($2 ~ /^[0-9]+$/) print $2 }' | LC_ALL=C sort -un)
contract_codes=$(awk '/^## Exit statuses/ { inside = 1; next } /^## / { inside = 0 }
  inside && /^\| *[0-9]+ *\|/ { gsub(/[| ]/, "", $2); print $2 }' FS='|' "$contract" | LC_ALL=C sort -un)
readme_codes=$(exit_paragraph_codes <"$readme")
compare_sets "exit codes: man page vs --help" "$help_codes" "$man_codes"
compare_sets "exit codes: contract.md vs --help" "$help_codes" "$contract_codes"
compare_sets "exit codes: README.md vs --help" "$help_codes" "$readme_codes"
compare_sets "exit codes: contract.md vs man page" "$man_codes" "$contract_codes"

# Environment variables.
man_env=$(man_section ENVIRONMENT | awk '/^\.TP/ { tag = 1; next } tag { tag = 0; print }' | env_names)
[[ -n $man_env ]] || not_ok "man: no variable under ENVIRONMENT"
help_env=$(all_help_text | env_names)
undocumented=$(LC_ALL=C comm -23 <(printf '%s\n' "$help_env") <(printf '%s\n' "$man_env") | tr '\n' ' ')
if [[ -n ${undocumented// /} ]]; then
  not_ok "environment: --help names variables that the man page's ENVIRONMENT lacks: $undocumented"
else
  ok "environment: every variable --help names is in the man page's ENVIRONMENT"
fi
own() { grep -E '^(BRIDGE|ANTHROPIC|OPENAI)_' || true; }
compare_sets "environment (BRIDGE_*, ANTHROPIC_*, OPENAI_*): contract.md vs man page" \
  "$(own <<<"$man_env")" "$(env_names <"$contract" | own)"
security=$(man_section SECURITY)
missing=$(for name in $(grep '_API_KEY$' <<<"$man_env"); do grep -qw "$name" <<<"$security" || printf '%s ' "$name"; done)
if [[ -n $missing ]]; then
  not_ok "man: SECURITY does not name the key variables: $missing"
else
  ok "man: SECURITY names every key variable"
fi

finish
