#!/usr/bin/env bash
# The commands .ci/demo shows can be pasted: .ci/lib/shell_quote.sh prints
# words that bash and a POSIX sh (dash) read back as exactly the same words.
#   bash ci_quote.sh BRIDGE_BINARY SOURCE_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
init_args "$@"
make_work_dir
source "$source_dir/.ci/lib/shell_quote.sh"

words=(
  /opt/build/app/bridge -v ask --no-stdin 'In one sentence: what is a rate limit?'
  "it's" 'a "quoted" word' '$HOME' '`date`' 'a\b' '*' '' 'tab	here' 'new
line' 'semi;colon' '!bang' 'x=1' '--state=/tmp/s t' '~user' "'" "''"
)
line=$(shell_quote "${words[@]}")

# bash reads it back.
eval "got=($line)"
if [[ ${#got[@]} -eq ${#words[@]} ]] && [[ "$(printf '%s\0' "${got[@]}" | od -c)" == "$(printf '%s\0' "${words[@]}" | od -c)" ]]; then
  ok "bash reads the quoted line back as the same ${#words[@]} words"
else
  not_ok "bash read back ${#got[@]} words, not ${#words[@]}: $line"
fi

# So does a POSIX sh.
if command -v sh >/dev/null; then
  sh_words=$(timeout 10 sh -c "printf '%s\\0' $line" | od -c)
  if [[ $sh_words == "$(printf '%s\0' "${words[@]}" | od -c)" ]]; then
    ok "sh reads the quoted line back as the same words"
  else
    not_ok "sh reads the quoted line differently: $line"
  fi
fi

# Plain words stay plain; the demo's question is quoted once.
check "plain words are printed as they are" \
  test "$(shell_quote /opt/bridge -v ask --no-stdin)" = "/opt/bridge -v ask --no-stdin"
check "a word with spaces is single-quoted" \
  test "$(shell_quote ask 'a rate limit?')" = "ask 'a rate limit?'"

# .ci/demo shows its commands through it.
check ".ci/demo shows each command through shell_quote" \
  grep -qF 'shell_quote "$@"' "$source_dir/.ci/demo"
finish
