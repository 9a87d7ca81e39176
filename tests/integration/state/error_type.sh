#!/usr/bin/env bash
# A mark records what the upstream said, not a type guessed from the
# status: a 401 whose body says "token_revoked_error" and a 429 whose body
# says "concurrency_limit_error" are recorded with those types, in the state
# file and in `keys status` (table and --json), for `ask` and `stream`.
# A body that is not an API error falls back to the status's usual type.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

err() { printf '"{\\"type\\":\\"error\\",\\"error\\":{\\"type\\":\\"%s\\",\\"message\\":\\"m\\"}}"' "$1"; }
start_mock '{"keys": {
  "sk-ant-test-type-revoked-Tt000001": {"status": 401, "body": '"$(err token_revoked_error)"'},
  "sk-ant-test-type-conc-Tt000000002": {"status": 429, "headers": {"retry-after": 600}, "body": '"$(err concurrency_limit_error)"'},
  "sk-ant-test-type-plain-Tt00000003": {"status": 403, "body": "not json"},
  "sk-ant-test-type-good-Tt000000004": {"text": "fine"}
}}'
for cmd in ask stream; do
    setup_pool "revoked sk-ant-test-type-revoked-Tt000001" "conc sk-ant-test-type-conc-Tt000000002" \
        "plain sk-ant-test-type-plain-Tt00000003" "good sk-ant-test-type-good-Tt000000004"
    STATE="$T/state-$cmd/state.json"
    run_pool "$cmd" "hi"
    expect_rc 0
    expect_out_eq "fine"
    [[ $(state_field revoked reason) == token_revoked_error ]] ||
        fail "$cmd: the state file records '$(state_field revoked reason)' for the 401, not the upstream's type: $(cat "$STATE")"
    # A 429 cools the key for the model asked only: its mark is under models.<model>.
    [[ $(model_field conc reason) == concurrency_limit_error ]] ||
        fail "$cmd: the state file records '$(model_field conc reason)' for the 429: $(cat "$STATE")"
    [[ $(state_field plain reason) == permission_error ]] ||
        fail "$cmd: a 403 without an API error body should be recorded as permission_error: $(cat "$STATE")"
    [[ $(key_field revoked reason) == token_revoked_error ]] || fail "$cmd: keys status --json: $(cat "$T/status.json")"
    [[ $(key_field conc reason) == concurrency_limit_error ]] || fail "$cmd: keys status --json: $(cat "$T/status.json")"
    run_bridge keys status --key-file "$KEYS" --state "$STATE"
    expect_rc 0
    expect_out_contains "(401 token_revoked_error)"
    expect_out_contains "(429 concurrency_limit_error)"
done
echo "state_error_type passed"
