# shellcheck shell=bash
# The scenario both official SDK checks run against `bridge serve`
# (listener/anthropic_sdk.sh, listener/openai_sdk.sh). Sourced after lib.sh
# and lib/listener.sh.
#   sdk_scenario PROVIDER CHECK.mjs PATH HINT SUFFIX SERVE_ARGS...
#       PROVIDER  anthropic or openai: which base URL and API key variables
#                 the SDK is given (the listener's, and nothing else)
#       CHECK.mjs the scenario's node script (node_script copies it)
#       PATH      the listener path the SDK's requests take (-v lines)
#       HINT      the start of a key's hint, as -v shows it (sk-a, sk-p)
#       SUFFIX    what the provider's base URL adds to the mock's ("", /v1)
#       SERVE_ARGS bridge serve's options beside --key-file, --state and
#                 --base-url (the mock's)
#   The keys come from K1, K2 (the first rate-limited, the second serving),
#   E1, E2 (both cooling: the pool exhausted) and W1 (one 300 ms 429, then
#   served), set by the scenario in its provider's key format.
# It checks: a blocking answer and a stream served by the second key after
# the first one's 429, the SDK seeing no 429; an exhausted pool giving the
# SDK a RateLimitError whose retry-after-ms is the soonest key's wait; the
# SDK's own retry following retry-after-ms to the cooled key; the token
# never reaching the upstream.

_SDK_PROVIDER=
_SDK_CHECK=

# _run_sdk MODE EXPECT: the check, with the listener as the SDK's whole world.
_run_sdk() {
    local rc=0 world
    if [[ "$_SDK_PROVIDER" == anthropic ]]; then
        world=(-u ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL="$A_URL" ANTHROPIC_API_KEY="$TOKEN")
    else
        world=(OPENAI_BASE_URL="$O_URL" OPENAI_API_KEY="$TOKEN")
    fi
    env "${world[@]}" EXPECT="$2" timeout "$HANG_GUARD_S" node "$_SDK_CHECK" "$1" \
        >"$T/sdk.out" 2>&1 || rc=$?
    cat "$T/sdk.out"
    ((rc == 0)) || fail "the SDK check '$1' failed (exit $rc)"
}

sdk_scenario() {
    _SDK_PROVIDER=$1
    _SDK_CHECK=$(node_script "$2")
    local path=$3 hint=$4 suffix=$5 ms serve
    shift 5
    start_mock '{"keys": {
      "'"$K1"'": {"status": 429, "headers": {"retry-after": "90"}},
      "'"$K2"'": {"text": "served by the second key"},
      "'"$E1"'": {"status": 429, "headers": {"retry-after-ms": "80500"}},
      "'"$E2"'": {"status": 429, "headers": {"retry-after-ms": "90000"}},
      "'"$W1"'": [{"status": 429, "headers": {"retry-after-ms": "300"}}, {"text": "after the wait"}]}}'

    setup_pool "one $K1" "two $K2"
    serve=("$@" --state "$STATE" --base-url "$MOCK_URL$suffix")
    start_serve "${serve[@]}" --key-file "$KEYS" -v
    _run_sdk served "served by the second key"
    expect_key_requests "$K1" 1
    expect_key_requests "$K2" 2
    # The SDK saw no 429: the listener answered it 200 twice, and that is all.
    [[ "$(grep -c "^bridge: POST $path " "$T/serve.err")" == 2 ]] ||
        fail "requests the listener answered: $(cat "$T/serve.err")"
    grep -q " key=two ($hint.*) 200 " "$T/serve.err" || fail "-v lines: $(cat "$T/serve.err")"
    expect_mock_log_not_contains "$TOKEN"
    stop_serve

    KEYS=$(write_key_file "c1 $E1" "c2 $E2")
    start_serve "${serve[@]}" --key-file "$KEYS"
    _run_sdk exhausted ""
    # The soonest key's wait: at most the 80.5 s the first key asked for.
    ms=$(sed -n 's/^retry-after-ms //p' "$T/sdk.out")
    expect_between "$ms" 1 80500 "the retry-after-ms the SDK read"
    stop_serve

    KEYS=$(write_key_file "w1 $W1")
    start_serve "${serve[@]}" --key-file "$KEYS" -v
    _run_sdk retry "after the wait"
    expect_key_requests "$W1" 2
    grep -q ' key=- 429 ' "$T/serve.err" || fail "the SDK was not told to wait: $(cat "$T/serve.err")"
    expect_mock_log_not_contains "$TOKEN"
    stop_serve
}
