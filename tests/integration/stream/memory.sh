#!/usr/bin/env bash
# docs/contract.md (safety) (a done-when proof): memory use does not grow with the length of a
# stream. Peak RSS of `bridge stream` over 20 MB and over 200 MB of text (and
# --raw over 20 MB and 100 MB) must be about the same.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

[[ -x /usr/bin/time ]] || fail "/usr/bin/time is needed to measure the peak RSS"
# Under AddressSanitizer freed memory sits in a quarantine (256 MB) that grows
# with the number of allocations: switch it off so that the peak RSS measures
# what bridge keeps, not what ASan holds back. (No effect on a plain build.)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
start_mock '{"keys": {
  "sk-ant-test-mem-20mb-Yy0000001": {"stream_bytes": 20000000, "delta_size": 16384},
  "sk-ant-test-mem-200mb-Yy000002": {"stream_bytes": 200000000, "delta_size": 16384},
  "sk-ant-test-mem-100mb-Yy000003": {"stream_bytes": 100000000, "delta_size": 16384}}}'

# peak KEY ARGS...: runs bridge stream with KEY; sets RSS (peak, KB) and BYTES (stdout).
peak() {
    local key=$1 rc=0 t0
    shift
    t0=$(now_ms)
    setup_pool "only $key"
    /usr/bin/time -f %M -o "$T/rss" timeout -k 5 "$HANG_GUARD_S" "$BRIDGE" stream "$@" --key-file "$KEYS" \
        --state "$STATE" --base-url "$MOCK_URL" "hi" 2>"$T/err" | wc -c >"$T/bytes" || rc=$?
    ((rc == 0)) || fail "bridge stream $* with $key failed (exit $rc)"
    RSS=$(tail -n 1 "$T/rss")
    BYTES=$(tr -d ' ' <"$T/bytes")
    echo "stream $* ($key): $RSS KB peak, $BYTES bytes, $(($(now_ms) - t0)) ms"
}

peak sk-ant-test-mem-20mb-Yy0000001
small=$RSS small_bytes=$BYTES
peak sk-ant-test-mem-200mb-Yy000002
large=$RSS large_bytes=$BYTES
[[ $small_bytes -eq 20000001 ]] || fail "20 MB stream: $small_bytes bytes out, want 20000001"
[[ $large_bytes -eq 200000001 ]] || fail "200 MB stream: $large_bytes bytes out, want 200000001"
echo "peak RSS: 20 MB stream $small KB, 200 MB stream $large KB"
((large <= small + 8192)) || fail "peak RSS grew with the stream: $small KB for 20 MB, $large KB for 200 MB"

peak sk-ant-test-mem-20mb-Yy0000001 --raw
small=$RSS
peak sk-ant-test-mem-100mb-Yy000003 --raw
large=$RSS large_bytes=$BYTES
((large_bytes > 100000000)) || fail "100 MB --raw stream: only $large_bytes bytes out"
echo "peak RSS --raw: 20 MB stream $small KB, 100 MB stream $large KB"
((large <= small + 8192)) || fail "--raw: peak RSS grew with the stream: $small KB for 20 MB, $large KB for 100 MB"
echo "ok"
