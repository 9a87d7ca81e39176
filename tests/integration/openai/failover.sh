#!/usr/bin/env bash
# The classification of docs/providers.md with --provider openai, for `ask` and `stream`:
# a 429 cools the key for retry-after-ms, else Retry-After, else the later of
# x-ratelimit-reset-requests / -tokens (Go durations), else 60 s; a 429 whose
# error.code or error.type is insufficient_quota, or whose code is one of the
# spend and billing codes, rests the key for one hour and every model (so does
# a 402 of a host that sells credits); 401 and 403 disable it. A 429 cools
# the key for the model asked only.
# Each fails over to the next key, and the marks are in the state file.
# The delays the test chooses are minutes long; the one it cannot choose (the
# 60 s of a 429 naming no delay) is checked first, right after the run.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# keys status answers for the model the requests name (a 429 cools a key for
# that model only).
export STATUS_MODEL=gpt-4o-mini

K_MS=sk-proj-test-oa-ms-Ab0000000001
K_RA=sk-proj-test-oa-ra-Ab0000000002
K_RESET=sk-proj-test-oa-reset-Ab00003
K_NONE=sk-proj-test-oa-none-Ab000004
K_QUOTA=sk-proj-test-oa-quota-Ab00005
K_QTYPE=sk-proj-test-oa-qtype-Ab00006
K_CREDIT=sk-proj-test-oa-credit-Ab0007
K_ORG=sk-proj-test-oa-org-Ab00000008
K_PROJ=sk-proj-test-oa-proj-Ab0000009
K_USAGE=sk-proj-test-oa-usage-Ab00010
K_401=sk-proj-test-oa-401-Ab00000011
K_403=sk-proj-test-oa-403-Ab00000012
K_OK=sk-proj-test-oa-ok-Ab000000013
K_402=sk-proj-test-oa-402-Ab00000014

script='{
  "keys": {
    "'$K_MS'":     {"status": 429, "headers": {"retry-after-ms": "500000", "x-ratelimit-reset-requests": "10m"}},
    "'$K_RA'":     {"status": 429, "headers": {"Retry-After": "200", "x-ratelimit-reset-tokens": "10m0s"}},
    "'$K_RESET'":  {"status": 429, "headers": {"x-ratelimit-reset-requests": "1.5s", "x-ratelimit-reset-tokens": "6m0s"}},
    "'$K_NONE'":   {"status": 429, "headers": {"x-ratelimit-reset-requests": "soon"}},
    "'$K_QUOTA'":  {"status": 429, "error_type": "insufficient_quota", "error_code": "insufficient_quota",
                    "error_message": "You exceeded your current quota", "headers": {"retry-after": "1"}},
    "'$K_QTYPE'":  {"status": 429, "error_type": "insufficient_quota", "error_code": ""},
    "'$K_CREDIT'": {"status": 429, "error_code": "credit_balance_exhausted"},
    "'$K_ORG'":    {"status": 429, "error_code": "organization_spend_limit_exceeded"},
    "'$K_PROJ'":   {"status": 429, "error_code": "project_spend_limit_exceeded"},
    "'$K_USAGE'":  {"status": 429, "error_code": "organization_usage_limit_exceeded"},
    "'$K_401'":    {"status": 401},
    "'$K_403'":    {"status": 403},
    "'$K_402'":    {"status": 402, "error_message": "Insufficient credits"},
    "'$K_OK'":     {"deltas": ["served ", "by the ", "last key"]}
  }
}'

for cmd in ask stream; do
    start_mock "$script" "$cmd"
    POOL_URL="$(mock_url "$cmd")/v1"
    setup_pool "ms $K_MS" "ra $K_RA" "reset $K_RESET" "none $K_NONE" "quota $K_QUOTA" "qtype $K_QTYPE" \
        "credit $K_CREDIT" "org $K_ORG" "proj $K_PROJ" "usage $K_USAGE" "k401 $K_401" "k403 $K_403" "k402 $K_402" \
        "ok $K_OK"
    STATE="$T/state-$cmd/state.json"
    export BRIDGE_PROVIDER=openai

    t0=$(now_ms)
    run_pool "$cmd" -v "which key?"
    expect_rc 0
    expect_out_eq "served by the last key"
    for k in "$K_MS" "$K_RA" "$K_RESET" "$K_NONE" "$K_QUOTA" "$K_QTYPE" "$K_CREDIT" "$K_ORG" "$K_PROJ" \
        "$K_USAGE" "$K_401" "$K_403" "$K_402" "$K_OK"; do
        expect_key_requests "$k" 1 "$cmd"
    done
    expect_err_contains "answer served by key ok"
    # A 429 cools the key for the model asked; a spend limit for every model.
    expect_err_contains "key ms (sk-p...0001): 429 requests, cooling for 8m20s for gpt-4o-mini; trying the next key"
    expect_err_contains "key quota (sk-p...0005): 429 insufficient_quota (spend_limit), cooling for 1h00m for every model"
    expect_err_contains "key k402 (sk-p...0014): 402 server_error (billing), cooling for 1h00m for every model"

    # The next run skips every marked key: one request, to the last key
    # (first, while the 60 s of none are surely still running).
    before=$(mock_requests "$cmd")
    run_pool "$cmd" "again"
    expect_rc 0
    expect_out_eq "served by the last key"
    [[ $(($(mock_requests "$cmd") - before)) -eq 1 ]] || fail "$cmd: the second run did not go straight to the last key"

    keys_status
    [[ $STATUS_RC -eq 0 ]] || fail "$cmd: keys status exit $STATUS_RC with a ready key"
    # Each window is as wide as the time since the run began ($t0): however
    # slow the machine, the delay left is the full one less that time.
    expect_retry_in none 60000 "$t0" "$cmd: a 429 naming no usable delay"
    expect_retry_in ms 500000 "$t0" "$cmd: retry-after-ms 500000 (beats the reset headers)"
    expect_retry_in ra 200000 "$t0" "$cmd: Retry-After 200 (beats the reset headers)"
    expect_retry_in reset 360000 "$t0" "$cmd: the later of 1.5s and 6m0s"
    for label in quota qtype credit org proj usage k402; do
        [[ "$(key_field $label state)" == cooling ]] || fail "$cmd: $label not cooling: $(cat "$T/status.json")"
        expect_retry_in $label 3600000 "$t0" "$cmd: spend limit of $label (one hour)"
        [[ "$(key_field $label reason)" == spend_limit || $label == k402 ]] || fail "$cmd: reason of $label: $(cat "$T/status.json")"
    done
    for label in quota qtype credit org proj usage; do
        [[ "$(key_field $label status)" == 429 ]] || fail "$cmd: status of $label: $(cat "$T/status.json")"
    done
    [[ "$(key_field k402 reason)" == billing ]] || fail "$cmd: reason of k402: $(cat "$T/status.json")"
    [[ "$(key_field ms reason)" == requests ]] || fail "$cmd: reason of ms (OpenAI's error.type): $(cat "$T/status.json")"
    for label in k401 k403; do
        [[ "$(key_field $label state)" == disabled ]] || fail "$cmd: $label not disabled: $(cat "$T/status.json")"
    done
    [[ "$(key_field k401 status)" == 401 ]] || fail "$cmd: status of k401"
    [[ "$(key_field ok state)" == ready ]] || fail "$cmd: ok not ready: $(cat "$T/status.json")"

    # The state file holds the marks, never a key: the 429s under the model,
    # the spend limits and the refusals key-wide.
    [[ "$(model_field ms mark)" == cooling ]] || fail "$cmd: no gpt-4o-mini mark for ms: $(cat "$STATE")"
    [[ -z "$(state_field ms mark)" ]] || fail "$cmd: the 429 of ms was marked key-wide: $(cat "$STATE")"
    [[ "$(state_field quota mark)" == cooling ]] || fail "$cmd: state entry of quota: $(cat "$STATE")"
    [[ "$(state_field k403 mark)" == disabled ]] || fail "$cmd: state entry of k403: $(cat "$STATE")"
    ! grep -q 'sk-proj-test' "$STATE" || fail "$cmd: a key is in the state file"

    # Another model: the four rate-limited keys are tried again (their
    # cooldowns are for gpt-4o-mini); the spend-limited, billing and refused
    # keys stay skipped.
    run_pool "$cmd" -m gpt-4o "another model"
    expect_rc 0
    expect_out_eq "served by the last key"
    for k in "$K_MS" "$K_RA" "$K_RESET" "$K_NONE"; do
        expect_key_requests "$k" 2 "$cmd"
    done
    for k in "$K_QUOTA" "$K_QTYPE" "$K_CREDIT" "$K_ORG" "$K_PROJ" "$K_USAGE" "$K_401" "$K_403" "$K_402"; do
        expect_key_requests "$k" 1 "$cmd"
    done
    unset BRIDGE_PROVIDER
    stop_mock "$cmd"
done

# Exhaustion: every key cooling (exit 75) or disabled (exit 77), as for Anthropic.
start_mock '{"keys": {
  "'$K_QUOTA'": {"status": 429, "error_code": "insufficient_quota", "error_type": "insufficient_quota"},
  "'$K_RESET'": {"status": 429, "headers": {"x-ratelimit-reset-requests": "20ms", "x-ratelimit-reset-tokens": "3s"}},
  "'$K_401'": {"status": 401}}}' ex
POOL_URL="$(mock_url ex)/v1"
setup_pool "quota $K_QUOTA" "reset $K_RESET"
STATE="$T/state-ex/state.json"
run_pool ask --provider openai --json "x"
expect_rc 75
expect_err_contains '"rate_limit_error"'
expect_err_contains '"retry_after":3'
setup_pool "k401 $K_401"
STATE="$T/state-ex2/state.json"
run_pool stream --provider openai "x"
expect_rc 77
expect_err_contains "keys reset"
