# shellcheck shell=bash
# The listener (`bridge serve`), for tests/integration/listener/. Sourced by
# those scenarios after lib.sh.
#   start_serve ARGS...     bridge serve --listen $SERVE_LISTEN (default 127.0.0.1:0)
#                           --token-file $T/token --print-env ARGS... in the background
#                           (BRIDGE_PID); once it has printed its environment: TOKEN,
#                           A_URL (the Anthropic base URL), O_URL (the OpenAI one);
#                           on a unix:PATH socket, UNIX_SOCKET (what it printed as
#                           BRIDGE_UNIX_SOCKET) and URLs on http://localhost; stderr in
#                           $T/serve.err
#   stop_serve              SIGTERM, wait (bounded); its exit code in SERVE_RC
#   lcurl ARGS...           curl to the listener (or anywhere): body in $T/body, headers
#                           in $T/head, the status in $CODE; never aborts
#   head_value NAME         a header of $T/head (case-insensitive), without its CR
#   need_node_packages PKG...  NODE_DIR: where npm installed PKG..., else skip (77)
#   node_script FILE.mjs    FILE.mjs of the scenario's folder, beside NODE_DIR's modules
#   failover_pool NAME      keys one ($K1, answering 429 with retry-after 90) and two
#                           ($K2, "served by the second key") in the pool, the mock
#                           started; BODY a short Messages body
#   expect_second_key       the last lcurl (after failover_pool) was served by key two:
#                           200, its text, bridge-key: two
#   slow_clients NAME COUNT ARGS...
#                           bridge-hostile-client slowloris with COUNT connections against
#                           the listener (its unix socket when it has one, else its
#                           port) and ARGS; output in $T/NAME.out, shown; fails unless
#                           all COUNT were dropped and the client exited 0 (and, without
#                           --keep-alive, unless the request sent beside them was served)
SERVE_LISTEN=127.0.0.1:0
UNIX_SOCKET=
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

# shellcheck disable=SC2034 # TOKEN, A_URL, O_URL and UNIX_SOCKET are read by the scenarios
start_serve() {
    _need BRIDGE
    rm -f "$T/serve.env"
    "$BRIDGE" serve --listen "$SERVE_LISTEN" --token-file "$T/token" --print-env "$@" \
        >"$T/serve.env" 2>"$T/serve.err" &
    BRIDGE_PID=$!
    wait_until "$HANG_GUARD_S" "bridge serve printed its environment" _serve_ready
    TOKEN=$(head -n 1 "$T/token")
    A_URL=$(sed -n 's/^export ANTHROPIC_BASE_URL=//p' "$T/serve.env")
    O_URL=$(sed -n 's/^export OPENAI_BASE_URL=//p' "$T/serve.env")
    UNIX_SOCKET=$(sed -n 's/^export BRIDGE_UNIX_SOCKET=//p' "$T/serve.env")
    if [[ -n "$UNIX_SOCKET" ]]; then
        A_URL=http://localhost/anthropic
        O_URL=http://localhost/openai/v1
    fi
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

# need_node_packages PACKAGE...: sets NODE_DIR to the first folder whose
# node_modules holds every PACKAGE: $BRIDGE_NODE_DIR, else
# ${XDG_CACHE_HOME:-~/.cache}/bridge/node of the machine (NODE_CACHE_DIR,
# set by lib/core.sh before HOME moves into $T; bench/run installs there).
# Tests never download: when node or a package is missing, the scenario is
# skipped (exit 77) with the command that installs them.
NODE_DIR=
need_node_packages() {
    local dir package ok
    if command -v node >/dev/null; then
        for dir in ${BRIDGE_NODE_DIR:+"$BRIDGE_NODE_DIR"} "$NODE_CACHE_DIR"; do
            ok=1
            for package in "$@"; do
                [[ -f "$dir/node_modules/$package/package.json" ]] || ok=0
            done
            if ((ok)); then
                NODE_DIR=$dir
                return 0
            fi
        done
    fi
    echo "skipped: node or the npm package(s) $* missing (bench/run installs them;" \
        "or 'npm install --prefix DIR $*' and BRIDGE_NODE_DIR=DIR)"
    exit 77
}

# node_script FILE.mjs: copies FILE.mjs (beside the scenario) into
# $T/node next to a link to $NODE_DIR/node_modules, so that its imports
# resolve; prints the copy's path.
node_script() {
    mkdir -p "$T/node"
    [[ -e "$T/node/node_modules" ]] || ln -s "$NODE_DIR/node_modules" "$T/node/node_modules"
    cp "$(dirname "$0")/$1" "$T/node/"
    printf '%s\n' "$T/node/$1"
}

# failover_pool NAME: two keys, the first rate-limited, the mock started.
# shellcheck disable=SC2034 # K1, K2 and BODY are read by the scenarios
failover_pool() {
    K1=sk-ant-$1-one-Qw3rTy0001
    K2=sk-ant-$1-two-Qw3rTy0002
    start_mock '{"keys": {
      "'"$K1"'": {"status": 429, "headers": {"retry-after": "90"}},
      "'"$K2"'": {"text": "served by the second key"}}}'
    setup_pool "one $K1" "two $K2"
    BODY='{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
}

# expect_second_key: the last lcurl got key two's answer.
expect_second_key() {
    [[ "$CODE" == 200 ]] || fail "status $CODE: $(cat "$T/body") $(cat "$T/curl.err")"
    grep -q 'served by the second key' "$T/body" || fail "body: $(cat "$T/body")"
    [[ "$(head_value bridge-key)" == two ]] || fail "bridge-key: $(cat "$T/head")"
}

# slow_clients NAME COUNT ARGS...: trickling clients against the listener.
slow_clients() {
    local name=$1 count=$2 rc=0 port target
    shift 2
    [[ -x "${BRIDGE_HOSTILE_CLIENT:-}" ]] || fail "\$BRIDGE_HOSTILE_CLIENT must name bridge-hostile-client"
    if [[ -n "$UNIX_SOCKET" ]]; then
        target=(--unix "$UNIX_SOCKET")
    else
        port=${A_URL##*:}
        target=(--port "${port%%/*}")
    fi
    "$BRIDGE_HOSTILE_CLIENT" slowloris "${target[@]}" --count "$count" "$@" \
        --token-file "$T/token" --guard-s "$HANG_GUARD_S" >"$T/$name.out" 2>&1 || rc=$?
    cat "$T/$name.out"
    if [[ " $* " != *" --keep-alive "* ]]; then
        grep -q '^served 200 while' "$T/$name.out" ||
            fail "$name: the request beside the slow clients was not served"
    fi
    grep -q "^dropped $count of $count slow clients" "$T/$name.out" ||
        fail "$name: the slow clients were not all dropped"
    ((rc == 0)) || fail "$name: bridge-hostile-client slowloris exit $rc"
}
