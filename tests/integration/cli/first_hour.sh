#!/usr/bin/env bash
# What a new user trips on in the first hour (issue 21, second pass):
#   - a key refused by 401/403 is said once on stderr without -v, with the
#     command that re-enables it; a later run that merely skips it says nothing;
#   - -v tells the walk in key order, only the keys it reached, and "trying the
#     next key" only when there is one;
#   - --temperature ranges per provider; an empty -m, --stop, -s, --key-file,
#     --state, --base-url, --provider or keys status -m is a usage error;
#   - provider names are case-insensitive; `bridge help help`; `bridge status`
#     suggests 'keys status';
#   - parse-retry-after reads OpenAI's reset headers with --provider openai,
#     before or after the command;
#   - one rule for the trailing newlines of a prompt from standard input;
#   - an OpenAI base URL without /v1 that answers 404 gets a hint.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

DEAD=sk-ant-test-first-dead-Fh000001
GOOD=sk-ant-test-first-good-Fh000002
LATE=sk-ant-test-first-late-Fh000003
OAI=sk-test-first-openai-Fh000004
start_mock '{"keys": {"'$DEAD'": {"status": 401}}, "default": {"text": "fine"}}'

# --- a disabled key is said once ------------------------------------------------
setup_pool "dead $DEAD" "good $GOOD"
run_pool ask --no-stdin hi
expect_rc 0
expect_out_eq "fine"
expect_err_contains "key dead ("
expect_err_contains "bridge keys reset dead"
[[ $(wc -l <"$T/err") -eq 1 ]] || fail "the refusal takes one line: $(cat "$T/err")"
expect_err_not_contains "$DEAD"
run_pool ask --no-stdin hi
expect_rc 0
[[ ! -s "$T/err" ]] || fail "a run that skips the disabled key must say nothing: $(cat "$T/err")"

# --- -v: the walk in key order, only the keys it reached -----------------------------
GONE=sk-ant-test-first-gone-Fh000009
start_mock '{"keys": {"'$GONE'": {"status": 403}, "'$DEAD'": {"status": 401}}, "default": {"text": "late"}}' order
POOL_URL=$(mock_url order)
STATE="$T/state-order/state.json"
setup_pool "gone $GONE" "dead $DEAD" "late $LATE"
STATE="$T/state-order/state.json"
run_pool ask --no-stdin -v hi # disables gone and dead, late serves
expect_rc 0
expect_err_contains "trying the next key"
run_pool ask --no-stdin -v hi
expect_rc 0
skip_line=$(grep -n "key dead.*skipped" "$T/err" | cut -d: -f1)
late_line=$(grep -n "key late" "$T/err" | head -n 1 | cut -d: -f1)
[[ -n $skip_line && -n $late_line && $skip_line -lt $late_line ]] ||
    fail "-v must tell a skipped key before the attempt after it: $(cat "$T/err")"
# A key that serves first: the marked keys after it were never reached.
setup_pool "late $LATE" "gone $GONE" "dead $DEAD"
STATE="$T/state-order/state.json"
run_pool ask --no-stdin -v hi
expect_rc 0
expect_err_not_contains "skipped"
unset POOL_URL
# The last key of the file refused: no "next key" to try.
setup_pool "dead $DEAD"
STATE="$T/state-last/state.json"
run_pool ask --no-stdin -v hi
expect_rc 77
expect_err_not_contains "trying the next key"
expect_err_contains "no key left to try"

# --- --wait with one key: "the key is cooling", not "every key" ---------------------
COOL=sk-ant-test-first-cool-Fh000004
start_mock '{"keys": {"'$COOL'": [{"status": 429, "headers": {"retry-after": "1"}}, {"text": "after the wait"}]}}' cool
setup_pool "cool $COOL"
STATE="$T/state-cool/state.json"
POOL_URL=$(mock_url cool) run_pool ask --no-stdin --wait 30 hi
expect_rc 0
expect_out_eq "after the wait"
expect_err_contains "the key is cooling; waiting"
expect_err_not_contains "every key"

# --- values -----------------------------------------------------------------------
setup_pool "good $GOOD"
STATE="$T/state/state.json"
run_pool ask --no-stdin -t 1.5 hi
expect_rc 2
expect_err_contains "anthropic's range, 0 to 1"
# (an OpenAI pool: a key file belongs to one provider)
setup_pool "oai $OAI"
POOL_URL="$MOCK_URL/v1" run_pool ask --provider openai --no-stdin -t 1.5 hi
expect_rc 0
expect_mock_log_contains '"temperature":1.5'
POOL_URL="$MOCK_URL/v1" run_pool ask --provider openai --no-stdin -t 2.5 hi
expect_rc 2
setup_pool "good $GOOD"
for option in -m --model --stop; do
    run_pool ask --no-stdin "$option" '' hi
    expect_rc 2
    expect_err_contains "is empty"
done

# Empty values are usage errors naming the option (often an unset variable:
# --key-file "$KEYS"), also as --name= (which must not take the next word).
before=$(mock_requests)
empty() {
    local option=$1
    shift
    run_bridge "$@"
    expect_rc 2
    expect_out_empty
    expect_err_contains "$option: "
    expect_err_contains "is empty"
}
empty --key-file ask --no-stdin --key-file '' hi
empty --key-file ask --no-stdin --key-file= hi
empty --key-file --key-file= keys status
empty --state ask --no-stdin --key-file "$KEYS" --state '' hi
empty --state keys reset --key-file "$KEYS" --state=
empty --base-url ask --no-stdin --key-file "$KEYS" --base-url '' hi
empty --provider ask --no-stdin --key-file "$KEYS" --provider '' hi
empty --system ask --no-stdin --key-file "$KEYS" --base-url "$MOCK_URL" -s '' hi
empty --system stream --no-stdin --key-file "$KEYS" --base-url "$MOCK_URL" --system= hi
empty --model keys status --key-file "$KEYS" -m ''
empty --model keys status --key-file "$KEYS" --model=
[[ $(mock_requests) -eq $before ]] || fail "a run with an empty value sent a request"

# --- names --------------------------------------------------------------------------
setup_pool "oai $OAI"
POOL_URL="$MOCK_URL/v1" BRIDGE_PROVIDER=OpenAI run_pool ask --no-stdin hi
expect_rc 0
POOL_URL="$MOCK_URL/v1" run_pool ask --provider OpenAI --no-stdin hi
expect_rc 0
run_bridge help help
expect_rc 0
expect_out_contains "bridge help"
for word in status reset; do
    run_bridge "$word"
    expect_rc 2
    expect_err_contains "did you mean 'keys $word'?"
done

# --- parse-retry-after per provider ---------------------------------------------------
run_bridge --provider openai parse-retry-after -H 'x-ratelimit-reset-requests: 6m0s'
expect_rc 0
expect_out_eq 360000
run_bridge parse-retry-after --provider openai -H 'x-ratelimit-reset-tokens: 20ms'
expect_rc 0
expect_out_eq 20
run_bridge parse-retry-after -H 'x-ratelimit-reset-requests: 6m0s'
expect_rc 0
expect_out_eq 0

# --- trailing newlines of a prompt from standard input ---------------------------------
setup_pool "good $GOOD"
run_pool_stdin $'from a pipe\n\n\n' ask
expect_rc 0
expect_mock_log_contains '"content":"from a pipe"}'
run_pool_stdin $'dash data\n' ask -
expect_rc 0
expect_mock_log_contains '"content":"dash data"}'
expect_mock_log_not_contains 'dash data\n'
# An empty standard input next to words: -v says the words go alone.
run_pool_stdin '' ask -v words
expect_rc 0
expect_err_contains "standard input was empty"

# --- an OpenAI base URL without /v1 --------------------------------------------------
start_mock '{"default": {"status": 404}}' noroute
setup_pool "oai $OAI"
NOROUTE=$(mock_url noroute)
POOL_URL=$NOROUTE run_pool ask --provider openai --no-stdin hi
expect_rc 1
expect_err_contains "404"
expect_err_contains "try $NOROUTE/v1"
POOL_URL=$NOROUTE/v1 run_pool ask --provider openai --no-stdin hi
expect_rc 1
expect_err_not_contains "try "
echo "ok"
