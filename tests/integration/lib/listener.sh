# shellcheck shell=bash
# The listener (`bridge serve`), for tests/integration/listener/. Sourced by
# those scenarios after lib.sh.
#   start_serve ARGS...     bridge serve --listen 127.0.0.1:0 --token-file $T/token
#                           --print-env ARGS... in the background (BRIDGE_PID); once it
#                           has printed its environment: TOKEN, A_URL (the Anthropic
#                           base URL), O_URL (the OpenAI one); stderr in $T/serve.err
#   stop_serve              SIGTERM, wait (bounded); its exit code in SERVE_RC
#   lcurl ARGS...           curl to the listener (or anywhere): body in $T/body, headers
#                           in $T/head, the status in $CODE; never aborts
#   head_value NAME         a header of $T/head (case-insensitive), without its CR
TOKEN=
A_URL=
O_URL=
CODE=
SERVE_RC=

_serve_ready() {
    if grep -q '^unset' "$T/serve.env" 2>/dev/null; then
        return 0
    fi
    kill -0 "$BRIDGE_PID" 2>/dev/null || fail "bridge serve exited early: $(cat "$T/serve.err")"
    return 1
}

# shellcheck disable=SC2034 # TOKEN, A_URL and O_URL are read by the scenarios
start_serve() {
    _need BRIDGE
    rm -f "$T/serve.env"
    "$BRIDGE" serve --listen 127.0.0.1:0 --token-file "$T/token" --print-env "$@" \
        >"$T/serve.env" 2>"$T/serve.err" &
    BRIDGE_PID=$!
    wait_until "$HANG_GUARD_S" "bridge serve printed its environment" _serve_ready
    TOKEN=$(head -n 1 "$T/token")
    A_URL=$(sed -n 's/^export ANTHROPIC_BASE_URL=//p' "$T/serve.env")
    O_URL=$(sed -n 's/^export OPENAI_BASE_URL=//p' "$T/serve.env")
}

stop_serve() {
    local i
    kill -TERM "$BRIDGE_PID" 2>/dev/null || true
    for ((i = 0; i < HANG_GUARD_S * 20; i++)); do
        kill -0 "$BRIDGE_PID" 2>/dev/null || break
        sleep 0.05
    done
    SERVE_RC=0
    wait "$BRIDGE_PID" || SERVE_RC=$?
    BRIDGE_PID=
}

lcurl() {
    CODE=$(curl --noproxy '*' -sS --max-time "$HANG_GUARD_S" -o "$T/body" -D "$T/head" \
        -w '%{http_code}' "$@" 2>"$T/curl.err") || true
}

head_value() {
    grep -i "^$1:" "$T/head" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'
}
