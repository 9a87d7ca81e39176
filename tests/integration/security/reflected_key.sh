#!/usr/bin/env bash
# docs/security.md, "Keys an upstream sends back": an upstream that quotes the
# credential it was sent ("Incorrect API key provided: Bearer sk-…") in an
# error's message, type or code, in a body that is not JSON, in a stream's
# error event or in a probe's answer has every key of the invocation replaced
# by its hint before bridge prints or stores the text: ask, stream, -v,
# --json, --raw, keys check (table and --json), and the mark's reason in the
# state file. The Anthropic shape (x-api-key) and the OpenAI shape
# (authorization: Bearer) both.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KM=sk-ant-api03-reflect-message-0001
KT=sk-ant-api03-reflect-type-000002
KC=sk-ant-api03-reflect-code-000003
KB=sk-ant-api03-reflect-body-000004
KS=sk-ant-api03-reflect-stream-0005
KP=sk-ant-api03-reflect-probe-00006
KO=sk-proj-reflect-openai-00000007
ALL=("$KM" "$KT" "$KC" "$KB" "$KS" "$KP" "$KO")
start_mock '{"keys": {
  "'$KM'": {"status": 401, "error_message": "Incorrect API key provided: {{credential}}."},
  "'$KT'": {"status": 403, "error_type": "bad_key_{{key}}"},
  "'$KC'": {"status": 400, "error_code": "key:{{key}}", "error_message": "refused {{key}}"},
  "'$KB'": {"status": 500, "content_type": "text/plain", "body": "500 upstream rejected {{credential}} and '$KM'"},
  "'$KS'": {"error_after": 1, "error_type": "overloaded_{{key}}", "error_message": "gone: {{credential}}"}},
  "probe": {"'$KM'": {"status": 401, "error_message": "Incorrect API key provided: {{credential}}"},
            "'$KT'": {"status": 403, "error_type": "t_{{key}}"},
            "'$KP'": {"status": 500, "content_type": "text/html", "body": "<h1>{{credential}}</h1>"}}}'

# no_key: none of the keys in $T/out, $T/err or the state file.
no_key() {
    local key f
    for key in "${ALL[@]}"; do
        for f in "$T/out" "$T/err" "$STATE"; do
            [[ -e "$f" ]] || continue
            if grep -qF -- "$key" "$f" || grep -qF -- "${key:4:20}" "$f"; then
                fail "$1: a key in $f: $(cat "$f")"
            fi
        done
    done
}

# A 401 and a 403 quoting the key (message; type, which becomes the mark's
# reason), then a 400 quoting it in its code and message: no failover.
setup_pool "m $KM" "t $KT" "c $KC"
run_pool ask -v "hi"
expect_rc 1
no_key "ask"
expect_err_contains "bad_key_sk-a...0002"
expect_err_contains "refused sk-a...0003"
[[ "$(state_field t reason)" == "bad_key_sk-a...0002" ]] || fail "t's reason: $(cat "$STATE")"
[[ "$(state_field m mark)" == disabled ]] || fail "m not disabled: $(cat "$STATE")"
rm -f "$STATE"
run_pool ask --json "hi"
expect_rc 1
no_key "ask --json"
expect_err_contains '"message":"refused sk-a...0003"'
rm -f "$STATE"
run_pool stream --raw -v "hi"
expect_rc 1
no_key "stream --raw"
rm -f "$STATE"

# A 500 whose body is not JSON: its excerpt, in text and in JSON.
setup_pool "b $KB" "m $KM"
run_pool ask --retries 0 "hi"
expect_rc 1
no_key "ask, non-JSON 500"
expect_err_contains "upstream rejected sk-a...0004 and sk-a...0001"
run_pool stream --raw --retries 0 "hi"
expect_rc 1
no_key "stream --raw, non-JSON 500"
expect_err_contains "upstream rejected sk-a...0004"

# A stream's error event, in text and relayed raw.
setup_pool "s $KS"
run_pool stream -v "hi"
expect_rc 1
no_key "stream error event"
expect_err_contains "overloaded_sk-a...0005: gone: sk-a...0005"
run_pool stream --raw "hi"
expect_rc 1
no_key "stream --raw error event"
expect_out_contains "gone: sk-a...0005"

# keys check: the table and --json, and the reason of the marks it makes.
setup_pool "m $KM" "t $KT" "p $KP"
run_pool keys check -v
no_key "keys check"
expect_out_contains "sk-a...0001"
run_pool keys check --json
no_key "keys check --json"
[[ "$(state_field t reason)" == "t_sk-a...0002" ]] || fail "t's reason after check: $(cat "$STATE")"
run_pool keys status --json
no_key "keys status --json"

# The OpenAI shape: the whole authorization header quoted, and BYOK.
start_mock '{"default": {"status": 401, "error_message": "Incorrect API key provided: {{credential}}", "error_code": "{{key}}"}}' oai
OAI_URL="$(mock_url oai)/v1"
setup_pool "o $KO"
POOL_URL=$OAI_URL run_pool ask --provider openai -v "hi"
expect_rc 77
no_key "openai ask"
run_pool_stdin "" keys check --provider openai --base-url "$OAI_URL" --json
no_key "openai keys check"
OPENAI_API_KEY=$KO run_bridge ask --provider openai --base-url "$OAI_URL" --no-stdin --json "hi"
expect_rc 77
no_key "openai BYOK"
echo ok
