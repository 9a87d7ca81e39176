#!/usr/bin/env bash
# docs/marks.md "Affinity", on the state file: a walk prefers the key that
# last served the same session (--session) or the same prompt prefix, for an
# hour, kept in <state>.affinity (hashes only: never the session name or the
# prompt); a mark on that key breaks the affinity, and two conversations
# remembered on different keys each stay on theirs. Keys are freed with
# `keys reset`, never by waiting, so nothing depends on timing.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-affinity-a-0000001
KB=sk-ant-test-affinity-b-0000002
start_mock '{"keys": {
  "'$KA'": [{"status": 429, "headers": {"retry-after": "3000"}}, {"text": "a served"}],
  "'$KB'": [{"text": "b served"}, {"text": "b served"},
            {"status": 429, "headers": {"retry-after": "3000"}}, {"text": "b served"}]}}'
setup_pool "a $KA" "b $KB"

# a is busy: the session goes to b, and b is remembered for it.
run_pool ask --no-stdin -v --session secret-session-name "first turn"
expect_rc 0
expect_out_eq "b served"
[[ -f "$STATE.affinity" ]] || fail "no affinity file next to the state file"
[[ $(stat -c %a "$STATE.affinity") == 600 ]] || fail "affinity file mode $(stat -c %a "$STATE.affinity")"
grep -q "secret-session-name\|first turn" "$STATE.affinity" && fail "the affinity file holds the session or the prompt in clear"

# a is free again and first in the walk order: the session stays on b.
run_pool keys reset a
expect_rc 0
run_pool ask --no-stdin -v --session secret-session-name "second turn"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "key b (sk-a...0002): chosen for affinity"
expect_key_requests "$KA" 1

# Without --session, another prompt: the plain walk, a serves.
run_pool ask --no-stdin -v "another conversation"
expect_rc 0
expect_out_eq "a served"
expect_err_not_contains "chosen for affinity"

# b answers 429: the session fails over to a, which is remembered now.
run_pool ask --no-stdin -v --session secret-session-name "third turn"
expect_rc 0
expect_out_eq "a served"
# b's mark stands: the session goes straight to a, without asking b.
run_pool ask --no-stdin -v --session secret-session-name "fourth turn"
expect_rc 0
expect_out_eq "a served"
expect_err_contains "key a (sk-a...0001): chosen for affinity"
expect_key_requests "$KB" 3

# Without --session, the prompt's prefix is the affinity when it can be
# cached (here a system prompt of about 1500 tokens): a conversation that
# went to b while a was busy stays on b, another goes to a, and each stays
# on its key (a fresh pool and state for this part).
LONG=$(printf 'You answer briefly. %.0s' {1..300})
start_mock '{"keys": {
  "'$KA'": [{"status": 429, "headers": {"retry-after": "3000"}}, {"text": "a served"}],
  "'$KB'": {"text": "b served"}}}' prefix
STATE="$T/state2/state.json"
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin -s "$LONG" "conversation X"
expect_rc 0
expect_out_eq "b served"
POOL_URL=$(mock_url prefix) run_pool keys reset a
expect_rc 0
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin -s "$LONG" "conversation Y"
expect_rc 0
expect_out_eq "a served"
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin -s "$LONG" -v "conversation X"
expect_rc 0
expect_out_eq "b served"
expect_err_contains "key b (sk-a...0002): chosen for affinity"
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin -s "$LONG" "conversation Y"
expect_rc 0
expect_out_eq "a served"
expect_key_requests "$KA" 3 prefix
expect_key_requests "$KB" 2 prefix
# The mock's prompt cache per key: the second turn of each conversation found
# its prefix on its key.
[[ $(mock_stats prefix) == *'"cache":{"hits":2,"misses":2}'* ]] || fail "mock cache: $(mock_stats prefix)"

# A short prompt with no cache_control could not be cached: no affinity, the
# plain walk (a, free again).
POOL_URL=$(mock_url prefix) run_pool keys reset a
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin "short X"
expect_rc 0
POOL_URL=$(mock_url prefix) run_pool ask --no-stdin -v "short X"
expect_rc 0
expect_out_eq "a served"
expect_err_not_contains "chosen for affinity"
