#!/usr/bin/env bash
# Ctrl-C exits 130 promptly — during a request and during a --wait sleep —
# and leaves the state file whole, with the marks it held.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

start_mock '{"keys":{
  "sk-ant-tty-cool-aaaaaaaaaaaaaaaa":{"status":429,"headers":{"retry-after":"300"}},
  "sk-ant-tty-slow-bbbbbbbbbbbbbbbb":{"text":"too late","delay_ms":30000}}}'
keys=$(write_key_file "cool sk-ant-tty-cool-aaaaaaaaaaaaaaaa" "slow sk-ant-tty-slow-bbbbbbbbbbbbbbbb")
state="$T/state/state.json"
export BRIDGE_KEY_FILE=$keys BRIDGE_STATE=$state ANTHROPIC_BASE_URL=$MOCK_URL

# 1. During a request: the first key cools (a mark is written), the second
#    hangs; Ctrl-C must end the run at once with 130.
tty_run "$BRIDGE" ask --no-stdin question
tty_wait_screen "waiting for the answer" 10
for _ in $(seq 100); do [[ $(mock_key_requests sk-ant-tty-slow-bbbbbbbbbbbbbbbb) == 1 ]] && break; sleep 0.05; done
started=$SECONDS
tty_keys C-c
tty_wait_rc 12
[[ $TTY_RC == 130 ]] || fail "Ctrl-C during a request exited $TTY_RC, not 130"
((SECONDS - started <= 10)) || fail "Ctrl-C took $((SECONDS - started))s"
_tmux kill-server
# The state file is whole and still holds the cooldown.
run_bridge keys status --json
expect_rc 0
grep -q '"state": "cooling"' "$T/out" || fail "the cooldown was lost after Ctrl-C"
cp "$state" "$T/state.before"

# 2. During a --wait sleep: both keys unusable for a while, so bridge sleeps.
keys2=$(write_key_file "cool sk-ant-tty-cool-aaaaaaaaaaaaaaaa")
tty_run "$BRIDGE" --key-file "$keys2" ask --wait=600 --no-stdin question
tty_wait_screen "waiting" 10
started=$SECONDS
tty_keys C-c
tty_wait_rc 12
[[ $TTY_RC == 130 ]] || fail "Ctrl-C during --wait exited $TTY_RC, not 130"
((SECONDS - started <= 10)) || fail "Ctrl-C during --wait took $((SECONDS - started))s"
cmp -s "$state" "$T/state.before" || fail "the state file changed while only waiting"
echo "ok"
