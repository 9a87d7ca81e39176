#!/usr/bin/env bash
# A closed pipe is not an error: `bridge stream ... | head -c 10` stops
# quietly, as a Unix filter does, with the status of a death by SIGPIPE (141)
# and nothing on stderr; the state is left as it was.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

gate="$T/gate"
start_mock '{"default": {"deltas": ["0123456789abcdef ", "after the gate"], "gate_file": "'"$gate"'"}}'
setup_pool "only sk-ant-test-closed-pipe-Pp0001"

for mode in "" "--raw"; do
    rm -f "$gate"
    _LAST_CMD="bridge stream $mode | head -c 10"
    # The reader takes 10 bytes and leaves; then the gate opens, and the
    # next write meets the closed pipe (the group closes its own copy of the
    # read end before it opens the gate). The writer's status is PIPESTATUS[0].
    (
        set +e +o pipefail
        # shellcheck disable=SC2086
        "$BRIDGE" stream $mode --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" hi 2>"$T/err" |
            { head -c 10 >"$T/out"; exec 0<&-; touch "$gate"; }
        echo "${PIPESTATUS[0]}" >"$T/rc"
    )
    RC=$(cat "$T/rc")
    expect_rc 141
    expect_err_empty
    [[ $(wc -c <"$T/out") -eq 10 ]] || fail "stream $mode: the reader did not get its 10 bytes"
done
[[ "$(key_field only state)" == ready ]] || fail "a closed pipe marked the key: $(cat "$T/status.json")"
echo "ok"
