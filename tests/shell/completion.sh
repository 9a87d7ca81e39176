#!/usr/bin/env bash
# Completion tests in a real shell:
#
#   bash completion.sh bash|zsh|fish BRIDGE_BINARY SOURCE_DIR
#
# bash: bash-completion's own script is sourced with ours, and our function
#       is called with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set as
#       readline would set them (bash-complete.sh).
# zsh:  an interactive zsh with compinit runs on a pseudo-terminal (zsh/zpty)
#       and gets the line and a Tab; the words compsys adds are recorded
#       (zsh-complete.zsh).
# fish: fish --no-config -c 'complete -C LINE', with fish_complete_path
#       pointing at our file.
#
# Checked: the subcommands; the options of every subcommand against the
# binary's --help (global options after the subcommand too); option values
# (models, files, `-` for --request, the base URL); the labels of
# `keys reset` from --key-file, --key-file=, BRIDGE_KEY_FILE, XDG_CONFIG_HOME
# and ~/.config, the provider's own key file (openai.keys), lines with a
# trailing comment; and that no key ever appears among the candidates.

shell=${1:-}
shift || true
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
init_args "$@"
make_work_dir

case $shell in
  bash)
    need bash bash
    need_file "$bash_completion_script" bash-completion
    ;;
  zsh) need zsh zsh ;;
  fish) need fish fish ;;
  *) bail_out "usage: completion.sh bash|zsh|fish BRIDGE_BINARY SOURCE_DIR" ;;
esac

complete_line() { "complete_$shell" "$1"; }

# All candidates seen, to look for keys in at the end.
seen=$work/all-candidates
: >"$seen"

# expect_set DESCRIPTION LINE EXPECTED: the candidates are exactly EXPECTED
# (a newline-separated list). A trailing "=" (zsh offers --opt= for options
# that take a value) and a "--opt=" prefix before a value (fish) are dropped.
candidates() {
  complete_line "$1" | tee -a "$seen" | sed -e 's/^\(--[a-z-]*\)=$/\1/' -e 's/^--[a-z-]*=\(..*\)$/\1/'
}
expect_set() {
  compare_sets "$shell: $1 ('$2')" "$3" "$(candidates "$2")"
}
# expect_has DESCRIPTION LINE WORD...: every WORD is a candidate.
expect_has() {
  local what=$1 line=$2 got word missing=()
  shift 2
  got=$(candidates "$line")
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$got" || missing+=("$word")
  done
  if ((${#missing[@]} == 0)); then
    ok "$shell: $what ('$line')"
  else
    not_ok "$shell: $what ('$line') — missing: ${missing[*]}; got: $(tr '\n' ' ' <<<"$got")"
  fi
}
# expect_lacks DESCRIPTION LINE WORD...: no WORD is a candidate.
expect_lacks() {
  local what=$1 line=$2 got word present=()
  shift 2
  got=$(candidates "$line")
  for word in "$@"; do
    grep -qxF -- "$word" <<<"$got" && present+=("$word")
  done
  if ((${#present[@]} == 0)); then
    ok "$shell: $what ('$line')"
  else
    not_ok "$shell: $what ('$line') — offered: ${present[*]}"
  fi
}

mkdir -p "$work/files/sub"
: >"$work/files/alpha.keys"
: >"$work/files/beta.json"
cd "$work/files" || bail_out "cannot enter $work/files"

# --- subcommands and options ------------------------------------------------
# `help` is no subcommand of CLI11's (bridge turns `help X` into `X --help`)
# but is a command all the same.
top_commands=$(printf '%s\nhelp\n' "$(help_subcommands "")" | LC_ALL=C sort -u)
expect_set "top-level subcommands" "bridge " "$top_commands"
expect_set "keys subcommands" "bridge keys " "$(help_subcommands keys)"
expect_set "subcommands after a global option" "bridge -q " "$top_commands"
expect_has "help is a command" "bridge he" help
expect_set "subcommands by prefix" "bridge s" "$(printf 'serve\nstream')"

for id in "${command_ids[@]}"; do
  words=$(command_words "$id")
  expect_set "options of ${words:-bridge}" "bridge ${words:+$words }-" "$(expected_options "$id")"
done
expect_set "long options of ask" "bridge ask --" "$(expected_options ask | grep -- '^--')"
expect_set "options of stream by prefix" "bridge stream --r" "$(expected_options stream | grep -- '^--r')"

expect_has "ask options after a global option before it" "bridge -q ask -" --model --json --retries
expect_has "ask options after a global option after it" "bridge ask --state x.json -" \
  --model --json --no-stdin -v
expect_lacks "ask is not stream" "bridge ask --" --raw --version --seconds
expect_lacks "stream is not ask" "bridge stream --" --json --version --header
expect_has "keys status after global options" "bridge -v keys --state x.json status --" --json --key-file
expect_set "after -- ask takes only prompt words" "bridge ask -- -" ""
expect_set "prompt words get no completion" "bridge ask hello " ""

# --- option values -----------------------------------------------------------
models=$'claude-haiku-4-5\nclaude-opus-4-1\nclaude-sonnet-4-5\ngpt-4.1\ngpt-4o-mini'
expect_set "models for -m" "bridge ask -m " "$models"
expect_set "models for --model" "bridge stream --model " "$models"
expect_set "models for --model=" "bridge ask --model=claude-o" "claude-opus-4-1"
expect_has "files for --key-file" "bridge --key-file " alpha.keys beta.json
expect_has "files for --key-file after the subcommand" "bridge keys status --key-file a" alpha.keys
expect_has "files for --state" "bridge ask --state " alpha.keys beta.json
expect_has "files and - for --request" "bridge stream --request " - alpha.keys beta.json
expect_set "files for --request by prefix" "bridge ask --request b" "beta.json"
expect_has "the API URL for --base-url" "bridge keys --base-url " https://api.anthropic.com https://api.openai.com/v1
expect_set "providers for --provider" "bridge ask --provider " $'anthropic\nbedrock\nopenai'
expect_has "regions for --region" "bridge ask --region " us-east-1 eu-west-1
expect_set "regions for --region by prefix" "bridge --region eu-c" "eu-central-1"
expect_set "providers for --provider=" "bridge --provider=o" "openai"
expect_set "no values for --timeout" "bridge ask --timeout " ""
expect_set "no values for -H" "bridge parse-retry-after -H " ""

# --- key labels for keys reset ----------------------------------------------
secret=SHELLTESTSECRET
key_file=$work/keys.txt
{
  printf '\xef\xbb\xbffirst sk-ant-api03-%s-ONE-aaaaaaaa\r\n' "$secret"
  printf '# a comment with a key: sk-ant-api03-%s-COMMENT\n' "$secret"
  printf '\n   \t\n'
  printf 'primary\tsk-ant-api03-%s-TWO-bbbbbbbb\r\n' "$secret"
  printf '   sk-ant-api03-%s-THREE-cccccccc   \n' "$secret"
  printf '  backup    sk-ant-api03-%s-FOUR-dddddddd  \r\n' "$secret"
  printf 'sk-ant-api03-%s-FIVE-eeeeeeee' "$secret" # no final newline
} >"$key_file"
chmod 600 "$key_file"
labels=$'backup\nfirst\nkey-3\nkey-5\nprimary'

other_key_file=$work/other-keys.txt
printf 'other sk-ant-api03-%s-OTHER-ffffffff\n' "$secret" >"$other_key_file"

expect_set "labels from --key-file FILE" "bridge keys reset --key-file $key_file " "$labels"
expect_set "labels from --key-file=FILE before keys" "bridge --key-file=$key_file keys reset " "$labels"
expect_set "labels from --key-file between keys and reset" "bridge keys --key-file $key_file reset " "$labels"
expect_set "labels by prefix" "bridge keys reset --key-file $key_file p" "primary"
expect_set "labels already named are not offered again" \
  "bridge keys reset --key-file $key_file primary key-3 " $'backup\nfirst\nkey-5'
(
  export BRIDGE_KEY_FILE=$key_file
  expect_set "labels from BRIDGE_KEY_FILE" "bridge keys reset " "$labels"
  expect_set "--key-file wins over BRIDGE_KEY_FILE" "bridge keys reset --key-file $other_key_file " "other"
  finish >/dev/null
) | tee "$work/sub-results"
passed=$((passed + $(grep -c '^ok - ' "$work/sub-results")))
failed=$((failed + $(grep -c '^not ok - ' "$work/sub-results")))

mkdir -p "$work/xdg/bridge" "$HOME/.config/bridge"
printf 'xdg-label sk-ant-api03-%s-XDG-gggggggg\n' "$secret" >"$work/xdg/bridge/keys"
printf '# home\nhome-label sk-ant-api03-%s-HOME-hhhhhhhh\nsk-ant-api03-%s-HOME2-iiiiiiii\n' \
  "$secret" "$secret" >"$HOME/.config/bridge/keys"
printf 'tilde-label sk-ant-api03-%s-TILDE-jjjjjjjj\n' "$secret" >"$HOME/tilde-keys"
(
  export XDG_CONFIG_HOME=$work/xdg
  expect_set "labels from \$XDG_CONFIG_HOME/bridge/keys" "bridge keys reset " "xdg-label"
  unset XDG_CONFIG_HOME
  expect_set "labels from ~/.config/bridge/keys" "bridge keys reset " $'home-label\nkey-2'
  export XDG_CONFIG_HOME=relative/dir
  expect_set "a relative XDG_CONFIG_HOME is ignored" "bridge keys reset " $'home-label\nkey-2'
  finish >/dev/null
) | tee "$work/sub-results"
passed=$((passed + $(grep -c '^ok - ' "$work/sub-results")))
failed=$((failed + $(grep -c '^not ok - ' "$work/sub-results")))

# Trailing comments, the README's own syntax: a '#' after white space ends
# the line, so the label (or key-N) is still there.
commented_key_file=$work/commented-keys.txt
{
  printf '# ~/.config/bridge/keys   (chmod 600)\n'
  printf 'primary   sk-ant-api03-%s-C1-kkkkkkkk   # the main one\n' "$secret"
  printf 'backup\tsk-ant-api03-%s-C2-llllllll\t# spare\n' "$secret"
  printf 'sk-ant-api03-%s-C3-mmmmmmmm          # unlabelled: named key-3\n' "$secret"
  printf 'hash#inside sk-ant-api03-%s-C4-nnnnnnnn #\n' "$secret"
} >"$commented_key_file"
expect_set "labels of lines with a trailing comment" \
  "bridge keys reset --key-file $commented_key_file " $'backup\nhash#inside\nkey-3\nprimary'

# The provider's own key file: openai.keys for --provider openai or
# BRIDGE_PROVIDER=openai (in any case), keys otherwise.
printf 'oai-label sk-proj-%s-OAI-oooooooo   # OpenAI\nsk-proj-%s-OAI2-pppppppp\n' \
  "$secret" "$secret" >"$HOME/.config/bridge/openai.keys"
mkdir -p "$work/xdg-openai/bridge"
printf 'xdg-oai sk-proj-%s-XOAI-qqqqqqqq\n' "$secret" >"$work/xdg-openai/bridge/openai.keys"
(
  unset XDG_CONFIG_HOME BRIDGE_KEY_FILE BRIDGE_PROVIDER
  expect_set "labels of openai.keys with --provider openai" \
    "bridge --provider openai keys reset " $'key-2\noai-label'
  expect_set "labels of openai.keys with --provider=openai after reset" \
    "bridge keys reset --provider=openai " $'key-2\noai-label'
  expect_set "labels of keys with --provider anthropic" \
    "bridge --provider anthropic keys reset " $'home-label\nkey-2'
  export BRIDGE_PROVIDER=OpenAI
  expect_set "labels of openai.keys with BRIDGE_PROVIDER=OpenAI" "bridge keys reset " \
    $'key-2\noai-label'
  expect_set "--provider wins over BRIDGE_PROVIDER" "bridge --provider anthropic keys reset " \
    $'home-label\nkey-2'
  export XDG_CONFIG_HOME=$work/xdg-openai
  expect_set "labels of \$XDG_CONFIG_HOME/bridge/openai.keys" "bridge keys check " "xdg-oai"
  export BRIDGE_KEY_FILE=$key_file
  expect_set "BRIDGE_KEY_FILE wins whatever the provider" "bridge keys reset " "$labels"
  finish >/dev/null
) | tee "$work/sub-results"
passed=$((passed + $(grep -c '^ok - ' "$work/sub-results")))
failed=$((failed + $(grep -c '^not ok - ' "$work/sub-results")))

expect_set "labels from --key-file ~/FILE" "bridge keys reset --key-file ~/tilde-keys " "tilde-label"
expect_set "no labels from a missing key file" "bridge keys reset --key-file $work/missing " ""
expect_lacks "labels only for keys reset" "bridge ask --key-file $key_file " \
  backup first key-3 key-5 primary
expect_lacks "labels only for keys reset" "bridge keys status --key-file $key_file " \
  backup first key-3 key-5 primary

if grep -q -e "$secret" -e 'sk-ant' -e 'sk-proj' "$seen"; then
  not_ok "$shell: a key appeared among the candidates: $(grep -e "$secret" -e 'sk-ant' -e 'sk-proj' "$seen" | head -3 | tr '\n' ' ')"
else
  ok "$shell: no key ever appeared among $(wc -l <"$seen") candidates"
fi

finish
