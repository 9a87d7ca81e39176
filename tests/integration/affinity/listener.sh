#!/usr/bin/env bash
# docs/marks.md "Affinity", behind the listener (`bridge serve`): a request
# under /anthropic/v1/messages prefers the key that last served the same
# session (the client's x-claude-code-session-id header, else the body's
# metadata.user_id), even when the walk order would choose another key; the
# second turn finds its prompt in that key's cache (the mock's
# cache_read_input_tokens); a mark on the remembered key breaks the
# affinity; -v tells when a key was chosen for it; the session and user ids
# never appear in the state file, the affinity file, the listener's output
# or its log. Keys are freed with `keys reset`, never by waiting.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"

KA=sk-ant-listen-affinity-a-00001
KB=sk-ant-listen-affinity-b-00002
# a: busy for the session's first turn, then serves; busy again for the
# user's first turn, then serves. b: serves four times, then is busy once.
start_mock '{"keys": {
  "'$KA'": [{"status": 429, "headers": {"retry-after": "3000"}}, {"text": "a served"},
            {"status": 429, "headers": {"retry-after": "3000"}}, {"text": "a served"}],
  "'$KB'": [{"text": "b served"}, {"text": "b served"}, {"text": "b served"}, {"text": "b served"},
            {"status": 429, "headers": {"retry-after": "3000"}}, {"text": "b served"}]}}'
setup_pool "a $KA" "b $KB"
SESSION='secret-session-Zx9Qp41'
USER_ID='secret-user-Mm3Kv82'
# A system prompt that marks a cache breakpoint: the mock caches its prefix.
SYSTEM='"system":[{"type":"text","text":"You answer briefly.","cache_control":{"type":"ephemeral"}}]'
turn() { # turn FIRST [LATER]: a conversation's body, its first message FIRST
    local messages='{"role":"user","content":"'"$1"'"}'
    if [[ -n "${2:-}" ]]; then
        messages+=',{"role":"assistant","content":"ok"},{"role":"user","content":"'"$2"'"}'
    fi
    printf '{"model":"claude-sonnet-4-5","max_tokens":16,%s%s,"messages":[%s]}' \
        "$SYSTEM" "${3:-}" "$messages"
}
ask_listener() { # ask_listener BODY [HEADER...]
    local body=$1 args=() header
    shift
    for header in "$@"; do
        args+=(-H "$header")
    done
    lcurl "$A_URL/v1/messages" -H "x-api-key: $TOKEN" -H 'content-type: application/json' \
        "${args[@]}" -d "$body"
    [[ "$CODE" == 200 ]] || fail "status $CODE: $(cat "$T/body")"
}
served_by() {
    [[ "$(head_value bridge-key)" == "$1" ]] || fail "served by $(head_value bridge-key), not $1"
}
cache_read() { json_field cache_read_input_tokens <"$T/body"; }

start_serve --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" -v

# The session header. a is busy: the first turn goes to b, remembered for it.
ask_listener "$(turn "session turn one")" "x-claude-code-session-id: $SESSION"
served_by b
# a is free again and first in the walk order: the second turn stays on b,
# and finds its prompt in b's cache.
run_pool keys reset a
expect_rc 0
ask_listener "$(turn "session turn one" "session turn two")" "X-Claude-Code-Session-Id: $SESSION"
served_by b
[[ "$(cache_read)" -gt 0 ]] || fail "the second turn missed b's cache: $(cat "$T/body")"
grep -q 'key b (sk-a...0002): chosen for affinity' "$T/serve.err" ||
    fail "-v did not tell the affinity: $(cat "$T/serve.err")"
expect_key_requests "$KA" 1

# Without a session, a short prompt: the plain walk, a serves.
ask_listener '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
served_by a
expect_key_requests "$KA" 2

# metadata.user_id names the conversation the same way: a busy, b serves
# and is remembered; a free again, the user stays on b.
ask_listener "$(turn "user turn one" "" ',"metadata":{"user_id":"'"$USER_ID"'"}')"
served_by b
run_pool keys reset a
expect_rc 0
ask_listener "$(turn "user turn one" "user turn two" ',"metadata":{"user_id":"'"$USER_ID"'"}')"
served_by b
[[ "$(cache_read)" -gt 0 ]] || fail "the user's second turn missed b's cache: $(cat "$T/body")"
expect_key_requests "$KA" 3
expect_key_requests "$KB" 4

# A mark on the remembered key breaks the affinity: b answers 429, the
# session fails over to a, which is remembered from then on; b's mark
# stands, so the next turn goes straight to a, chosen for affinity.
ask_listener "$(turn "session turn one" "session turn three")" "x-claude-code-session-id: $SESSION"
served_by a
ask_listener "$(turn "session turn one" "session turn four")" "x-claude-code-session-id: $SESSION"
served_by a
grep -q 'key a (sk-a...0001): chosen for affinity' "$T/serve.err" ||
    fail "-v did not tell the new affinity: $(cat "$T/serve.err")"
expect_key_requests "$KB" 5
expect_key_requests "$KA" 5

stop_serve
[[ -f "$STATE.affinity" ]] || fail "no affinity file next to the state file"
for secret in "$SESSION" "$USER_ID"; do
    for file in "$STATE" "$STATE.affinity" "$T/serve.env" "$T/serve.err"; do
        if grep -qF "$secret" "$file"; then
            fail "$file holds $secret in clear"
        fi
    done
done
echo "ok"
