#!/usr/bin/env bash
# docs/contract.md (safety): "an SSE line longer than 16 MiB is an error, not an
# out-of-memory." An event-stream line that never ends (a 10 TiB delta with no
# newline) must end the run with exit 1 and a message as soon as 16 MiB have
# arrived (a run that read on would meet the hang guard), with a bounded peak RSS; a 20 MiB
# line likewise; a line just under the limit is still a good answer. In --raw
# mode the error is written as an SSE `event: error` a consumer can parse.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

need_gnu_time
# The line itself may take 16 MiB, plus the parser's copy; ASan's shadow
# memory and quarantine take more.
RSS_LIMIT_KB=$(rss_limit_kb $((128 * 1024)) $((512 * 1024)))

ENDLESS=10995116277760 # 10 TiB in one delta: reading it all would take hours
UNDER=16000000 # text bytes: the data line is about 100 bytes longer, still < 16 MiB
start_mock '{"keys": {
  "sk-ant-line-endless-aaaaaaaaaaaaaaa": {"stream_bytes": '"$ENDLESS"', "delta_size": '"$ENDLESS"'},
  "sk-ant-line-20mib-aaaaaaaaaaaaaaaaa": {"stream_bytes": 20971520, "delta_size": 20971520},
  "sk-ant-line-under-aaaaaaaaaaaaaaaaa": {"stream_bytes": '"$UNDER"', "delta_size": '"$UNDER"'}
}}'

_need BRIDGE
# measure KEY ARGS...: bridge stream, stdout through `wc -c` (count in
# $T/count) and the last bytes in $T/tail; sets RC, MS (shown only), RSS.
# The bound is a hang guard: a run that read on through an endless line
# would be killed by it (exit 124).
measure() {
    local key=$1
    shift
    KEYS="$T/keys"
    (umask 077 && printf 'k %s\n' "$key" >"$KEYS")
    _LAST_CMD="bridge stream $* ($key)"
    rm -f "$T/tail"
    local t0
    t0=$(date +%s%3N)
    {
        rc=0
        timeout -k 5 "$HANG_GUARD_S" "$TIME" -f %M -o "$T/rss" "$BRIDGE" stream "$@" --no-stdin --key-file "$KEYS" \
            --state "$T/state/state.json" --base-url "$MOCK_URL" q 2>"$T/err" || rc=$?
        echo "$rc" >"$T/rc"
    } | tee >(tail -c 300 >"$T/tail") | wc -c >"$T/count"
    MS=$(($(date +%s%3N) - t0))
    RC=$(cat "$T/rc")
    RSS=$(tail -n 1 "$T/rss")
    # The `tail` in the process substitution writes once, at its end.
    local want
    want=$(cat "$T/count")
    ((want > 300)) && want=300
    for ((i = 0; i < 100; i++)); do
        [[ -e "$T/tail" && $(wc -c <"$T/tail") -eq $want ]] && break
        sleep 0.05
    done
    head -c 300 "$T/tail" >"$T/out"
    sane
}

# --- a line that never ends ------------------------------------------------------
measure sk-ant-line-endless-aaaaaaaaaaaaaaa
echo "endless line, text: exit $RC after $MS ms, peak RSS $RSS KB, $(cat "$T/count") bytes on stdout"
expect_rc 1
expect_err_contains "16 MiB"
((RSS < RSS_LIMIT_KB)) || fail "peak RSS $RSS KB for an endless line (limit $RSS_LIMIT_KB KB)"
[[ $(cat "$T/count") -le 1 ]] || fail "text mode printed a partial delta"

measure sk-ant-line-endless-aaaaaaaaaaaaaaa --raw
echo "endless line, --raw: exit $RC after $MS ms, peak RSS $RSS KB, $(cat "$T/count") bytes on stdout"
expect_rc 1
((RSS < RSS_LIMIT_KB)) || fail "--raw: peak RSS $RSS KB for an endless line (limit $RSS_LIMIT_KB KB)"
grep -qE '^\{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]*16 MiB' "$T/err" ||
    fail "--raw: stderr is not a JSON error line naming the limit"
grep -qx 'event: error' "$T/tail" ||
    problem "--raw: the 'event: error' written after the over-long line does not start a line of its own; it is glued to the relayed partial line, so an SSE consumer never sees the error (last bytes: '$(tail -c 150 "$T/tail" | tr '\n' '|')')"

# --- a 20 MiB line -----------------------------------------------------------------
measure sk-ant-line-20mib-aaaaaaaaaaaaaaaaa
echo "20 MiB line: exit $RC after $MS ms, peak RSS $RSS KB"
expect_rc 1
expect_err_contains "16 MiB"
((RSS < RSS_LIMIT_KB)) || fail "peak RSS $RSS KB for a 20 MiB line (limit $RSS_LIMIT_KB KB)"

# --- just under the limit: a good answer -------------------------------------------
measure sk-ant-line-under-aaaaaaaaaaaaaaaaa
echo "a line just under 16 MiB: exit $RC after $MS ms, peak RSS $RSS KB"
expect_rc 0
[[ $(cat "$T/count") -eq $((UNDER + 1)) ]] || fail "printed $(cat "$T/count") bytes, expected $((UNDER + 1))"

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "hostile_sse_long_line passed"
