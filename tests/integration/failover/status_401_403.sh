#!/usr/bin/env bash
# docs/contract.md (the failover walk) rows "401, 403": the key is disabled (until `keys reset`), the next
# key serves; later runs skip the disabled key — for both `ask` and `stream`.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_401=sk-ant-test-revoked-Zx9yW0401
K_403=sk-ant-test-forbidden-Zx90403
K_OK=sk-ant-test-serves-Zx9yW00200

script='{
  "keys": {
    "'$K_401'": {"status": 401, "error_message": "invalid x-api-key"},
    "'$K_403'": {"status": 403},
    "'$K_OK'":  {"text": "served by the third key"}
  }
}'

for cmd in ask stream; do
    start_mock "$script" "$cmd"
    POOL_URL=$(mock_url "$cmd")
    setup_pool "revoked $K_401" "forbidden $K_403" "ok $K_OK"
    STATE="$T/state-$cmd/state.json"

    run_pool "$cmd" "hello"
    expect_rc 0
    expect_out_eq "served by the third key"
    expect_key_requests "$K_401" 1 "$cmd"
    expect_key_requests "$K_403" 1 "$cmd"
    expect_key_requests "$K_OK" 1 "$cmd"

    [[ "$(key_field revoked state)" == disabled ]] || fail "$cmd: 401 key not disabled: $(cat "$T/status.json")"
    [[ "$(key_field revoked status)" == 401 ]] || fail "$cmd: 401 key status: $(cat "$T/status.json")"
    [[ "$(key_field revoked reason)" == authentication_error ]] || fail "$cmd: 401 key reason: $(cat "$T/status.json")"
    [[ "$(key_field forbidden state)" == disabled ]] || fail "$cmd: 403 key not disabled: $(cat "$T/status.json")"
    [[ "$(key_field forbidden status)" == 403 ]] || fail "$cmd: 403 key status: $(cat "$T/status.json")"
    [[ "$(key_field forbidden reason)" == permission_error ]] || fail "$cmd: 403 key reason: $(cat "$T/status.json")"
    [[ -z "$(key_field revoked retry_in_ms)" ]] || fail "$cmd: a disabled key has a retry_in_ms: $(cat "$T/status.json")"
    [[ "$(key_field ok state)" == ready ]] || fail "$cmd: the serving key is not ready"
    [[ "$(state_field revoked mark)" == disabled ]] || fail "$cmd: state entry of the 401 key: $(cat "$STATE")"
    [[ "$(state_field forbidden mark)" == disabled ]] || fail "$cmd: state entry of the 403 key: $(cat "$STATE")"
    [[ "$(state_field revoked status)" == 401 ]] || fail "$cmd: state status of the 401 key: $(cat "$STATE")"
    [[ "$(state_field revoked reason)" == authentication_error ]] || fail "$cmd: state reason of the 401 key: $(cat "$STATE")"
    [[ "$(state_field revoked since)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] || fail "$cmd: no RFC 3339 'since' for the 401 key: $(cat "$STATE")"
    [[ -n "$(key_field revoked since)" ]] || fail "$cmd: keys status --json has no since for a disabled key"
    ! grep -qF "$K_401" "$STATE" || fail "$cmd: a key is written in the state file"

    # A disabled key stays disabled: the next run goes straight to the third key.
    run_pool "$cmd" "again"
    expect_rc 0
    expect_out_eq "served by the third key"
    expect_key_requests "$K_401" 1 "$cmd"
    expect_key_requests "$K_403" 1 "$cmd"
    expect_key_requests "$K_OK" 2 "$cmd"
done
echo "ok"
