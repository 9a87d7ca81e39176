#!/usr/bin/env bash
# The man page: lint-clean for mandoc and groff, renders with man(1), has
# every section the contract asks for, and matches the binary's version.
#
#   bash man.sh BRIDGE_BINARY SOURCE_DIR

# The single-quoted script given to bash -c expands in that shell.
# shellcheck disable=SC2016
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
init_args "$@"
make_work_dir
need mandoc mandoc
need groff groff-base
need man man-db

page=$source_dir/man/bridge.1
[[ -f $page ]] || bail_out "no man page at $page"

# mandoc: no message at warning level or above.
out=$(timeout 30 mandoc -T lint -W warning "$page" 2>&1)
if [[ -z $out ]]; then ok "mandoc -T lint -W warning is silent"; else not_ok "mandoc lint: $out"; fi

# groff: every warning enabled, no output produced.
out=$(timeout 30 groff -ww -z -man "$page" 2>&1)
if [[ -z $out ]]; then ok "groff -ww -z -man is silent"; else not_ok "groff: $out"; fi

# man(1) renders it from the file, with no complaint on stderr.
rendered=$work/rendered.txt
if MANWIDTH=80 MANPAGER=cat timeout 60 man -l -P cat "$page" >"$rendered" 2>"$work/man.err" &&
  [[ -s $rendered && ! -s $work/man.err ]]; then
  ok "man -l renders it ($(wc -l <"$rendered") lines)"
else
  not_ok "man -l failed: $(head -c 500 "$work/man.err")"
fi
# Also at a narrow width, where long words must still fit.
if MANWIDTH=60 timeout 60 man -l -P cat "$page" >/dev/null 2>"$work/man60.err" && [[ ! -s $work/man60.err ]]; then
  ok "man -l renders it at 60 columns"
else
  not_ok "man -l at 60 columns: $(head -c 500 "$work/man60.err")"
fi

# The sections the contract asks for, in the rendered page.
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "THE PROMPT" "KEY FILE" "KEY SOURCES" \
  FAILOVER "STATE FILE" RETRY-AFTER OUTPUT "EXIT STATUS" ENVIRONMENT FILES EXAMPLES SECURITY "SEE ALSO"; do
  check "section $section" grep -qx -- "$section" "$rendered"
done

# Text of one section of the rendered page.
section_text() {
  awk -v name="$1" '/^[A-Z]/ { inside = ($0 == name); next } inside' "$rendered"
}

# Every exit status of the contract is in EXIT STATUS.
exit_section=$(section_text "EXIT STATUS")
for code in 0 1 2 69 75 77 78 130; do
  check "exit status $code documented" grep -qE "^ {7}$code( |$)" <<<"$exit_section"
done

# Every environment variable of the contract is in ENVIRONMENT.
env_section=$(section_text ENVIRONMENT)
for variable in BRIDGE_KEY_FILE BRIDGE_STATE BRIDGE_MODEL ANTHROPIC_API_KEY ANTHROPIC_BASE_URL \
  XDG_CONFIG_HOME XDG_STATE_HOME NO_COLOR; do
  check "environment variable $variable documented" grep -q -- "$variable" <<<"$env_section"
done

# Defaults named in the contract.
options_section=$(section_text OPTIONS)
for default in claude-sonnet-4-5 4096 600 "Default: 10" 120 300 https://api.an; do
  check "default '$default' in OPTIONS" grep -qF -- "$default" <<<"$options_section"
done

# The classification of answers, with its marks.
failover_section=$(section_text FAILOVER)
for case in 2xx 429 "401, 403" "any other status" "network failure" cooling disabled 60 "bridge keys reset" \
  "--wait" "--retries" 75 77; do
  check "FAILOVER mentions '$case'" grep -qF -- "$case" <<<"$failover_section"
done

# A CI example that writes the secret to a private key file.
examples_section=$(section_text EXAMPLES)
check "EXAMPLES has a GitHub Actions step with a 0600 key file" \
  bash -c 'grep -q "secrets\." <<<"$1" && grep -q "umask 077" <<<"$1" && grep -q BRIDGE_KEY_FILE <<<"$1"' _ "$examples_section"

# .TH carries the version that `bridge --version` prints.
binary_version=$(timeout 20 "$bridge_bin" --version | awk '{print $2}')
page_version=$(sed -n 's/^\.TH [^ ]* [^ ]* [^ ]* "bridge \([^"]*\)".*/\1/p' "$page")
if [[ -n $binary_version && $binary_version == "$page_version" ]]; then
  ok "the man page is for version $page_version"
else
  not_ok "the man page says version '${page_version}', bridge --version says '${binary_version}': update .TH in man/bridge.1"
fi

finish
