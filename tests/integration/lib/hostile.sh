# shellcheck shell=bash
# Shared by the scenarios that feed bridge hostile or oversized input. Not a
# scenario itself (ctest runs *.sh). Source it after lib.sh.
#   sane                    after run_bridge/wait_bridge: bridge was not killed
#                           by a signal (130 is its own interrupt exit) and no
#                           sanitizer report reached stderr
#   send KEY ARGS...        runs bridge ARGS... with a key file holding only
#                           KEY, the test's state file and $MOCK_URL, then sane
#   problem TEXT...         collects a finding; the scenario reports them all
#                           at once from "${problems[@]}"
#   need_gnu_time           sets TIME to GNU time (for peak RSS), or fails
#   rss_limit_kb PLAIN ASAN prints PLAIN, or ASAN for a sanitizer build (its
#                           shadow memory and quarantine take far more)
# Building hostile mock scripts (event streams written by hand):
#   jstr TEXT               the JSON string literal of TEXT
#   ev NAME DATA            one SSE event: event: NAME, data: DATA, a blank line
#   delta TEXT              a content_block_delta event carrying TEXT

# sane: the last run was not killed by a signal and no sanitizer report came.
sane() {
    ((RC < 128 || RC == 130)) || fail "bridge crashed or was killed (exit $RC)"
    ! grep -qE 'Sanitizer|runtime error:' "$T/err" || fail "sanitizer report"
}

# send KEY ARGS...: bridge ARGS... q with a key file of KEY only, then sane.
send() {
    local key=$1
    shift
    KEYS="$T/keys"
    (umask 077 && printf 'k %s\n' "$key" >"$KEYS")
    run_bridge "$@" --no-stdin --key-file "$KEYS" --state "$T/state/state.json" --base-url "$MOCK_URL" q
    sane
}

problems=()
# problem TEXT...: collects a finding for the scenario to report at the end.
problem() { problems+=("$*"); }

# need_gnu_time: TIME is GNU time (for the peak RSS), or the test fails.
need_gnu_time() {
    TIME=/usr/bin/time
    [[ -x "$TIME" ]] || fail "needs GNU time at $TIME (apt-get install time)"
}

# rss_limit_kb PLAIN ASAN: PLAIN, or ASAN for a sanitizer build.
rss_limit_kb() {
    if is_sanitizer_build; then echo "$2"; else echo "$1"; fi
}

# jstr TEXT: the JSON string literal of TEXT (backslash, quote, newline escaped).
jstr() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    printf '"%s"' "$s"
}

# ev NAME DATA: one server-sent event.
ev() { printf 'event: %s\ndata: %s\n\n' "$1" "$2"; }

# delta TEXT: a content_block_delta event carrying TEXT (TEXT already JSON-safe).
delta() { ev content_block_delta '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"'"$1"'"}}'; }
