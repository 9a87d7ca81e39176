#!/usr/bin/env bash
# docs/contract.md (commands) "The prompt" and §7: what the mock receives. Words joined with
# single spaces; piped standard input, a blank line, then the words; `-`
# alone is standard input alone; --no-stdin; no prompt is exit 2 at once;
# --request FILE|- sent as given with "stream" matching the subcommand;
# -m / BRIDGE_MODEL / default, -s, --max-tokens, -t, repeated --stop; headers.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K=sk-ant-test-prompt-key-Ab123456
start_mock '{"default": {"text": "ok"}}'
setup_pool "only $K"

# The body (JSON text as the mock logged it) and headers of the last request.
last() { tail -n 1 "$(mock_log)"; }
expect_last() {
    last | grep -qF -- "$1" || fail "expected the last request to contain '$1'; it is: $(last)"
}
expect_last_not() {
    ! last | grep -qF -- "$1" || fail "expected the last request not to contain '$1'; it is: $(last)"
}

# --- words --------------------------------------------------------------------
run_pool ask "hello" "world" "two  spaces kept"
expect_rc 0
expect_out_eq "ok"
expect_last '"messages":[{"role":"user","content":"hello world two  spaces kept"}]'
expect_last '"model":"claude-sonnet-4-5"'
expect_last '"max_tokens":4096'
expect_last_not '"system"'
expect_last_not '"temperature"'
expect_last_not '"stop_sequences"'
expect_last_not '"stream":true'

# JSON escaping of quotes, backslashes, newlines and non-ASCII text.
run_pool ask 'say "hi" \ über' $'second\nline'
expect_rc 0
expect_last '"content":"say \"hi\" \\ über second\nline"'

# --- headers (§7) ---------------------------------------------------------------
expect_last '"x-api-key":"'$K'"'
expect_last '"anthropic-version":"2023-06-01"'
expect_last '"content-type":"application/json"'
last | grep -qE '"user-agent":"[^"]*bridge[^"]*[0-9]+\.[0-9]+' || fail "no user-agent naming bridge and its version: $(last)"
expect_last '"method":"POST","path":"/v1/messages"'

# --- standard input + blank line + words ---------------------------------------------
run_pool_stdin $'line one\nline two\n' ask "the question"
expect_rc 0
expect_last '"content":"line one\nline two\n\nthe question"'
run_pool_stdin $'piped\n' stream "then words"
expect_rc 0
expect_out_eq "ok"
expect_last '"content":"piped\n\nthen words"'
expect_last '"stream":true'
# Standard input alone, with no words.
run_pool_stdin $'just the input\n' ask
expect_rc 0
last | grep -qE '"content":"just the input(\\n)?"' || fail "stdin alone: $(last)"
# `-` as the only word: standard input alone.
run_pool_stdin $'dash input\n' ask -
expect_rc 0
last | grep -qE '"content":"dash input(\\n)?"' || fail "'-': $(last)"
# --no-stdin: the words only, the input is not used.
run_pool_stdin $'ignored input\n' ask --no-stdin "words only"
expect_rc 0
expect_last '"content":"words only"'

# --- no prompt: exit 2 at once, nothing sent ----------------------------------------
before=$(mock_requests)
for cmd in ask stream; do
    # A run that waited for input would be ended by run_bridge's guard (124).
    run_pool "$cmd" </dev/null
    expect_rc 2
    expect_out_empty
    run_pool_stdin "" "$cmd"
    expect_rc 2
    run_pool_stdin "" "$cmd" -
    expect_rc 2
    run_pool "$cmd" --no-stdin
    expect_rc 2
done
expect_requests "$before"

# --- model, system, max tokens, temperature, stop sequences ----------------------------
run_pool ask -m claude-test-flag-model "q"
expect_last '"model":"claude-test-flag-model"'
BRIDGE_MODEL=claude-test-env-model run_pool ask "q"
expect_last '"model":"claude-test-env-model"'
BRIDGE_MODEL=claude-test-env-model run_pool stream --model claude-test-flag-model "q"
expect_last '"model":"claude-test-flag-model"'
run_pool ask -s "be brief" --max-tokens 77 -t 0.5 --stop END --stop "STOP HERE" "q"
expect_rc 0
expect_last '"system":"be brief"'
expect_last '"max_tokens":77'
expect_last '"temperature":0.5'
expect_last '"stop_sequences":["END","STOP HERE"]'
run_pool stream --system "sys" --temperature 0 "q"
expect_rc 0
expect_last '"system":"sys"'
expect_last '"temperature":0'
expect_last '"stream":true'

# --- --request FILE and --request - ----------------------------------------------------
cat >"$T/request.json" <<'JSON'
{"model": "claude-test-request-model", "max_tokens": 17,
 "messages": [{"role": "user", "content": [{"type": "text", "text": "from a file"}]}],
 "metadata": {"user_id": "u-test-1"}, "stream": true, "top_k": 3}
JSON
run_pool ask --request "$T/request.json"
expect_rc 0
expect_out_eq "ok"
expect_last '"model":"claude-test-request-model"'
expect_last '"max_tokens":17'
expect_last '"content":[{"type":"text","text":"from a file"}]'
expect_last '"metadata":{"user_id":"u-test-1"}'
expect_last '"top_k":3'
expect_last_not '"stream":true' # ask: a blocking request
run_pool stream --request - <"$T/request.json"
expect_rc 0
expect_out_eq "ok"
expect_last '"model":"claude-test-request-model"'
expect_last '"metadata":{"user_id":"u-test-1"}'
expect_last '"stream":true'
printf '%s' '{"model":"claude-test-request-model","max_tokens":5,"messages":[{"role":"user","content":"no stream field"}]}' >"$T/plain.json"
run_pool stream --request "$T/plain.json"
expect_rc 0
expect_last '"content":"no stream field"'
expect_last '"stream":true'
echo "ok"
