#!/usr/bin/env bash
# --provider openai (docs/providers.md): `ask` prints choices[0].message.content and
# `stream` the delta contents until `data: [DONE]`, through the same pool;
# the request is POST {base}/chat/completions with a bearer key and the body
# model, messages (system, then user), temperature, stop, stream; no token
# limit unless --max-tokens (max_tokens on a host that is not OpenAI's);
# --json and --raw relay the upstream exactly; --request keeps the body and
# sets stream; BRIDGE_PROVIDER, OPENAI_BASE_URL and BRIDGE_MODEL are read.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-proj-test-oa-ask-Zx000000001
start_mock '{"keys": {"'$K1'": {"deltas": ["Hello ", "from the ", "chat \u00e9"]}}}'
POOL_URL="$MOCK_URL/v1"
setup_pool "main $K1"

# ask: the text, a newline; nothing on stderr.
run_pool ask --provider openai "Say hello"
expect_rc 0
expect_out_exact $'Hello from the chat \xc3\xa9\n'
expect_err_empty
LOG=$(mock_log)
line=$(tail -n 1 "$LOG")
[[ "$line" == *'"path":"/v1/chat/completions"'* ]] || fail "ask: not POST /v1/chat/completions: $line"
[[ "$line" == *'"authorization":"Bearer '$K1'"'* ]] || fail "ask: no bearer key: $line"
[[ "$line" != *'"x-api-key"'* ]] || fail "ask: an Anthropic header was sent: $line"
[[ "$line" != *'"anthropic-version"'* ]] || fail "ask: an Anthropic header was sent: $line"
[[ "$line" == *'"body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'* ]] ||
    fail "ask: body is not model + one user message, no token limit: $line"

# stream: the same text as it arrives.
run_pool stream --provider openai "Say hello"
expect_rc 0
expect_out_exact $'Hello from the chat \xc3\xa9\n'
expect_err_empty
line=$(tail -n 1 "$LOG")
[[ "$line" == *'"stream":true'* ]] || fail "stream: no \"stream\":true in $line"

# Every option: system first, then user; temperature; stop; max_tokens for a
# host that is not api.openai.com.
run_pool ask --provider openai -s "Be brief" -t 0.5 --stop END --stop $'\n\n' --max-tokens 64 -m gpt-4.1 "Q?"
expect_rc 0
line=$(tail -n 1 "$LOG")
want='"body":{"model":"gpt-4.1","messages":[{"role":"system","content":"Be brief"},{"role":"user","content":"Q?"}],"max_tokens":64,"temperature":0.5,"stop":["END","\n\n"]}'
[[ "$line" == *"$want"* ]] || fail "ask with every option: body is not $want: $line"

# --json relays the upstream body exactly; --raw the events, ending in [DONE].
run_pool ask --provider openai --json "j"
expect_rc 0
expect_out_contains '"object":"chat.completion"'
expect_out_contains '"choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the chat'
run_pool stream --provider openai --raw "r"
expect_rc 0
expect_out_contains '"object":"chat.completion.chunk"'
[[ "$(grep -v '^$' "$T/out" | tail -n 1)" == "data: [DONE]" ]] || fail "stream --raw: does not end with data: [DONE]: $(tail -c 400 "$T/out")"
n_events=$(grep -c '^data: ' "$T/out")
[[ $n_events -eq 6 ]] || fail "stream --raw: $n_events data lines, want 6 (role, 3 deltas, finish, DONE)"

# --request: the body as given, "stream" set to match the subcommand.
printf '{"model":"my-local-model","messages":[{"role":"user","content":"raw"}],"stream":false,"seed":7}' >"$T/req.json"
run_pool stream --provider openai --request "$T/req.json"
expect_rc 0
expect_out_eq "Hello from the chat é"
line=$(tail -n 1 "$LOG")
[[ "$line" == *'"body":{"model":"my-local-model","messages":[{"role":"user","content":"raw"}],"stream":true,"seed":7}'* ]] ||
    fail "--request: body not kept with stream set: $line"

# The environment: BRIDGE_PROVIDER, OPENAI_BASE_URL, BRIDGE_MODEL; and
# ANTHROPIC_BASE_URL means nothing to the openai provider.
BRIDGE_PROVIDER=openai OPENAI_BASE_URL="$MOCK_URL/v1" ANTHROPIC_BASE_URL=http://127.0.0.1:9 BRIDGE_MODEL=gpt-env \
    run_bridge ask --key-file "$KEYS" --state "$STATE" "env"
expect_rc 0
expect_out_eq "Hello from the chat é"
line=$(tail -n 1 "$LOG")
[[ "$line" == *'"path":"/v1/chat/completions"'* && "$line" == *'"model":"gpt-env"'* ]] ||
    fail "environment: not the openai provider at OPENAI_BASE_URL with BRIDGE_MODEL: $line"
# The flag beats the variable: with --provider anthropic, this file of
# OpenAI keys is refused (a key file belongs to one provider), nothing sent.
before=$(mock_requests)
BRIDGE_PROVIDER=openai run_bridge ask --provider anthropic --key-file "$KEYS" --state "$STATE" --base-url "$MOCK_URL" "flag"
expect_rc 78
expect_err_contains "is an OpenAI key (sk-proj-...), and the provider in use is anthropic"
expect_requests "$before"

# Unknown providers: a usage error for the flag, a configuration error for the variable.
run_pool ask --provider gemini "x"
expect_rc 2
expect_err_contains "--provider"
BRIDGE_PROVIDER=gemini run_pool ask "x"
expect_rc 78
expect_err_contains "BRIDGE_PROVIDER=gemini"
expect_err_contains "openai"

# The key never reaches stdout, stderr or the state.
for f in "$T/out" "$T/err"; do
    ! grep -qF "$K1" "$f" || fail "the key appears in $f"
done
