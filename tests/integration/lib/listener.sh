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
