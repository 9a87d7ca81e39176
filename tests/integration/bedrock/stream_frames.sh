#!/usr/bin/env bash
# Bedrock's stream is AWS event-stream frames, each checked by its CRC32. A
# frame that fails its checksum, a stream that ends inside a frame and an
# exception frame are broken answers, each with its own message: exit 1, the
# text received so far kept on stdout (as for a dropped server-sent-event
# stream), no failover to the next key, no mark. `stream --raw` writes the
# events as server-sent events.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

export BRIDGE_PROVIDER=bedrock AWS_REGION=us-east-1
K_CORRUPT=ABSKY29ycnVwdC1mcmFtZQ0001
K_CUT=ABSKY3V0LWZyYW1lLXRlc3QtA002
K_EXC=ABSKZXhjZXB0aW9uLWZyYW1lA003
K_OK=ABSKb2stZnJhbWVzLXRlc3QtA004
start_mock '{"keys": {
  "'$K_CORRUPT'": {"deltas": ["kept ", "text"], "corrupt_after": 1},
  "'$K_CUT'": {"deltas": ["kept ", "text"], "truncate_after": 1},
  "'$K_EXC'": {"deltas": ["kept ", "text"], "error_after": 1,
               "error_type": "throttlingException", "error_message": "Too many tokens, please wait"},
  "'$K_OK'": {"deltas": ["all ", "frames ", "fine"]}}}'

check_broken() {
    local label=$1 key=$2 message=$3
    setup_pool "$label $key" "ok $K_OK"
    STATE="$T/state-$label/state.json"
    run_pool stream "x"
    expect_rc 1
    expect_out_eq "kept "
    expect_err_contains "$message"
    expect_key_requests "$key" 1
    expect_key_requests "$K_OK" 0
    [[ ! -e "$STATE" ]] || ! grep -q '"mark"' "$STATE" || fail "$label: a broken stream marked the key: $(cat "$STATE")"
}
check_broken corrupt "$K_CORRUPT" "an event-stream frame failed its message checksum"
check_broken cut "$K_CUT" "the stream ended inside an event-stream frame"
check_broken exception "$K_EXC" "throttlingException: Too many tokens, please wait"

# The same frames, fine: the whole text; --raw writes them as server-sent events.
setup_pool "ok $K_OK"
STATE="$T/state-ok/state.json"
run_pool stream "x"
expect_rc 0
expect_out_eq "all frames fine"
run_pool stream --raw "x"
expect_rc 0
expect_out_contains "event: content_block_delta"
expect_out_contains '"text":"frames "'
expect_out_contains "event: message_stop"
