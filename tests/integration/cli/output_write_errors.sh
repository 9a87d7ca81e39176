#!/usr/bin/env bash
# Exit 74: an answer that cannot be written is an error, never a silent loss.
# Standard output is /dev/full (every write fails with ENOSPC) or closed
# (EBADF); every command that prints on stdout exits 74 with a message that
# names the cause: ask, ask --json, stream, stream --raw, keys status (table
# and --json), parse-retry-after, --help and --version.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

[[ -w /dev/full ]] || fail "needs /dev/full"
start_mock '{"keys": {"sk-ant-test-output-cool-Kk00002": {"status": 429, "headers": {"retry-after": "600"}}},
  "default": {"deltas": ["a complete ", "answer"]}}'
setup_pool "only sk-ant-test-output-full-Kk00001"

# full CMD...: bridge CMD with stdout on /dev/full.
full() {
    _LAST_CMD="bridge $* >/dev/full"
    RC=0
    timeout -k 5 60 "$BRIDGE" "$@" >/dev/full 2>"$T/err" || RC=$?
    : >"$T/out"
}

pool_args=(--key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL")
for args in "ask hi" "ask --json hi" "stream hi" "stream --raw hi" "keys status" "keys status --json"; do
    # shellcheck disable=SC2086 # the words are meant to split
    full $args "${pool_args[@]}"
    expect_rc 74
    expect_err_contains "cannot write to standard output: No space left on device"
done
full parse-retry-after -H 'retry-after: 2'
expect_rc 74
expect_err_contains "No space left on device"
for args in "--help" "--version" "ask --help" "help keys"; do
    # shellcheck disable=SC2086
    full $args
    expect_rc 74
    expect_err_contains "No space left on device"
done

# The answer was received before it could not be printed: the key is fine,
# nothing is marked, and the request was sent once (no failover, no retry).
keys_status
[[ $STATUS_RC -eq 0 ]] || fail "keys status after a failed write: exit $STATUS_RC"
[[ "$(key_field only state)" == ready ]] || fail "a failed write marked the key: $(cat "$T/status.json")"

# Standard output closed altogether (>&-): EBADF, exit 74, named. The
# descriptor is not reused by a file bridge opens: the answer must not land
# in the state file (the 429 of the first key makes bridge write it).
setup_pool "cool sk-ant-test-output-cool-Kk00002" "only sk-ant-test-output-full-Kk00001"
STATE="$T/state-closed/state.json"
for cmd in ask stream; do
    RC=0
    timeout -k 5 60 "$BRIDGE" "$cmd" --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" hi >&- 2>"$T/err" || RC=$?
    expect_rc 74
    expect_err_contains "Bad file descriptor"
    [[ -f "$STATE" ]] || fail "$cmd >&-: no state file"
    ! grep -q "complete" "$STATE" || fail "$cmd >&-: the answer was written into the state file: $(cat "$STATE")"
    [[ "$(model_field cool mark)" == cooling ]] || fail "$cmd >&-: the state file is damaged: $(cat "$STATE")"
done
# Nothing to print: a closed stdout is no failure.
RC=0
timeout -k 5 60 "$BRIDGE" keys reset --key-file "$KEYS" --state "$STATE" >&- 2>"$T/err" || RC=$?
expect_rc 0

# A successful write still exits 0 (the check at close is not a false alarm).
run_pool ask hi
expect_rc 0
expect_out_eq "a complete answer"
run_pool keys status
expect_rc 0
echo "ok"
