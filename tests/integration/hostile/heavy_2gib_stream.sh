#!/usr/bin/env bash
# docs/contract.md (safety): "Memory use does not grow with the length of a stream." A 2 GiB
# answer streamed in 1 KiB deltas (about two million events) must complete,
# whole, with a peak RSS that stays small; the same for --raw (about 2.2 GB
# of events relayed). Peak RSS is measured with /usr/bin/time -f %M. The
# 600 s bound on each is a hang guard: --raw took more than 100 s on a loaded machine.
# STREAM_BYTES overrides the size (default 2 GiB).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

BYTES=${STREAM_BYTES:-2147483648}
RSS_LIMIT_KB=$((64 * 1024))
need_gnu_time

start_mock '{"default": {"stream_bytes": '"$BYTES"'}}'
KEYS=$(write_key_file "big sk-ant-big-stream-aaaaaaaaaaaaaaaaaaaa")
_need BRIDGE

# --- text mode: every byte arrives, memory stays flat ---------------------------
_LAST_CMD="bridge stream (2 GiB, text)"
t0=$(date +%s%3N)
{
    rc=0
    timeout -k 5 600 "$TIME" -f %M -o "$T/rss" "$BRIDGE" stream --no-stdin --key-file "$KEYS" \
        --state "$T/state/state.json" --base-url "$MOCK_URL" q 2>"$T/err" || rc=$?
    echo "$rc" >"$T/rc"
} | wc -c >"$T/count"
RC=$(cat "$T/rc")
ms=$(($(date +%s%3N) - t0))
sane
expect_rc 0
count=$(cat "$T/count")
[[ "$count" -eq $((BYTES + 1)) ]] || fail "stream printed $count bytes, expected $((BYTES + 1)) (the text and a newline)"
rss=$(tail -n 1 "$T/rss")
echo "stream, $BYTES text bytes: $ms ms, peak RSS $rss KB"
((rss < RSS_LIMIT_KB)) || fail "peak RSS $rss KB for a stream; expected < $RSS_LIMIT_KB KB (memory must not grow with the stream)"
text_rss=$rss

# --- --raw: every event relayed, memory stays flat -------------------------------
_LAST_CMD="bridge stream --raw (2 GiB)"
t0=$(date +%s%3N)
{
    rc=0
    timeout -k 5 600 "$TIME" -f %M -o "$T/rss" "$BRIDGE" stream --raw --no-stdin --key-file "$KEYS" \
        --state "$T/state/state.json" --base-url "$MOCK_URL" q 2>"$T/err" || rc=$?
    echo "$rc" >"$T/rc"
} | tee >(tail -c 400 >"$T/tail") | wc -c >"$T/count"
RC=$(cat "$T/rc")
ms=$(($(date +%s%3N) - t0))
sane
expect_rc 0
for ((i = 0; i < 100; i++)); do
    grep -q 'message_stop' "$T/tail" 2>/dev/null && break
    sleep 0.05
done
grep -qx 'event: message_stop' "$T/tail" || fail "stream --raw: the relayed events do not end with message_stop: $(cat "$T/tail")"
count=$(cat "$T/count")
((count > BYTES)) || fail "stream --raw relayed only $count bytes"
rss=$(tail -n 1 "$T/rss")
echo "stream --raw, $count bytes relayed: $ms ms, peak RSS $rss KB"
((rss < RSS_LIMIT_KB)) || fail "peak RSS $rss KB for stream --raw; expected < $RSS_LIMIT_KB KB"

echo "heavy_hostile_2gib_stream passed (peak RSS: text $text_rss KB, raw $rss KB)"
