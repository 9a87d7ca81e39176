#!/usr/bin/env bash
# No bidirectional control (U+061C, U+200E, U+200F, U+202A-U+202E,
# U+2066-U+2069) from outside reaches stdout or stderr on a human-readable
# output, nor raw in JSON: a terminal that honours U+202E shows
# "rtl<U+202E>gnp.exe" as "rtlexe.png", so a label, a model or an upstream's
# message could pass for something else. They are escaped as C1 controls
# are (docs/security.md): "\xe2\x80\xae" on a terminal and in tables,
# "\u202e" in JSON. The sources:
#   - the upstream: an error type and message (ask, ask --json, stream,
#     keys check and keys check --json);
#   - the key file: a label (ask -v, keys status and keys status --json);
#   - the command line: a model, which a 429 marks and keys status lists;
#   - Redis: a mark's reason planted in the shared state (keys status).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

RLO=$'\xe2\x80\xae' # U+202E, RIGHT-TO-LEFT OVERRIDE
BIDI_MSG='see \u202efdp.exe\u202c, \u2066x\u2069 \u2067y\u2068 \u200e\u200f \u202a\u202b\u202d \u061c end'
start_mock '{"keys": {
  "sk-ant-test-bidi-fail-Bb0000000001": {"status": 400, "error_type": "invalid\u202erequest",
      "error_message": "'"$BIDI_MSG"'"},
  "sk-ant-test-bidi-rate-Bb0000000002": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-test-bidi-disa-Bb0000000003": {"status": 401},
  "sk-ant-test-bidi-good-Bb0000000004": {"text": "fine"}
}, "probe": {
  "sk-ant-test-bidi-fail-Bb0000000001": {"status": 500, "error_type": "api_error",
      "error_message": "'"$BIDI_MSG"'"}
}}'

problems=()
# clean WHAT FILE: no bidirectional control and no C1 control, raw.
clean() {
    local what=$1 file=$2
    if LC_ALL=C grep -qaP '\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xc2[\x80-\x9f]' "$file"; then
        problems+=("$what: a raw bidirectional control got through: $(od -c "$file" | head -n 8 | tr -s ' ' | tr '\n' '|')")
    fi
}
both() {
    clean "$1 (stdout)" "$T/out"
    clean "$1 (stderr)" "$T/err"
}

# --- from the upstream ----------------------------------------------------------------
setup_pool "fail sk-ant-test-bidi-fail-Bb0000000001"
run_pool ask "hi"
expect_rc 1
expect_err_contains 'see \xe2\x80\xaefdp.exe\xe2\x80\xac, \xe2\x81\xa6x\xe2\x81\xa9'
both "ask, a 400 with a bidi message"
run_pool ask --json "hi"
expect_rc 1
expect_err_contains 'see \u202efdp.exe\u202c, \u2066x\u2069 \u2067y\u2068 \u200e\u200f \u202a\u202b\u202d \u061c end'
both "ask --json, a 400 with a bidi message"
run_pool stream "hi"
expect_rc 1
both "stream, a 400 with a bidi message"
run_pool keys check
expect_rc 1
expect_out_contains 'see \xe2\x80\xaefdp.exe'
both "keys check, a bidi message"
run_pool keys check --json
expect_rc 1
expect_out_contains 'see \u202efdp.exe'
both "keys check --json, a bidi message"

# --- a label from the key file, a model from the command line ----------------------------
setup_pool "rtl${RLO}gnp.exe sk-ant-test-bidi-rate-Bb0000000002" "good sk-ant-test-bidi-good-Bb0000000004"
run_pool ask -v -m "claude${RLO}tset" "hi"
expect_rc 0
expect_out_eq "fine"
expect_err_contains 'rtl\xe2\x80\xaegnp.exe'
both "ask -v, a bidi label and model"
run_bridge keys status --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_out_contains 'rtl\xe2\x80\xaegnp.exe'
expect_out_contains 'claude\xe2\x80\xaetset'
both "keys status, a bidi label and model"
run_bridge keys status --json --key-file "$KEYS" --state "$STATE"
expect_rc 0
expect_out_contains 'rtl\u202egnp.exe'
expect_out_contains 'claude\u202etset'
both "keys status --json, a bidi label and model"

# --- a value planted in Redis -----------------------------------------------------------
if command -v redis-server >/dev/null; then
    start_redis
    export REDISCLI_AUTH=$REDIS_PASSWORD
    SHARED="$REDIS_URL/0?prefix=bidi&timeout=$REDIS_TIMEOUT_MS"
    shared_pool "disabled sk-ant-test-bidi-disa-Bb0000000003" "good sk-ant-test-bidi-good-Bb0000000004"
    run_pool ask "hi"
    expect_rc 0
    # The disabled key's stored line (docs/redis.md, "Layout"), its last
    # field, the reason, replaced.
    line=$(redis_marks bidi | head -n 1)
    [[ -n "$line" ]] || fail "no mark in Redis to plant into"
    fp=${line%%$'\t'*}
    rest=${line#*$'\t'}
    redis_cli HSET 'bidi{pool}:marks' "$fp" "${rest%$'\t'*}"$'\t'"auth${RLO}rorre" >/dev/null
    run_bridge keys status --key-file "$KEYS" --state "$STATE"
    expect_rc 0
    expect_out_contains 'auth\xe2\x80\xaerorre'
    both "keys status, a bidi reason planted in Redis"
    run_bridge keys status --json --key-file "$KEYS" --state "$STATE"
    expect_rc 0
    expect_out_contains 'auth\u202erorre'
    both "keys status --json, a bidi reason planted in Redis"
else
    echo "skipped: a value planted in Redis (no redis-server)"
fi

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "security_bidi_escapes passed"
