#!/usr/bin/env bash
# Hostile local input: key files that are empty, comments only, binary
# (random bytes, NUL), a 1 GB sparse file, a directory, a FIFO with no
# writer, a path under a regular file, a symlink loop, a character device,
# and (when not root) a file without read permission. docs/contract.md (keys): exit 78 with
# the path and what to do, promptly (a huge file is refused by its size, not
# read; a FIFO or device never blocks), never a crash, never an echo of the
# file's bytes, and nothing sent upstream or written to the state directory.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

need_gnu_time
start_mock '{"keys": {
  "sk-ant-odd-label-aaaaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-odd-second-bbbbbbbbbbbbbbbbb": {"text": "odd but valid"}
}, "default": {"text": "must not be asked"}}'
D="$T/kf"
mkdir -p "$D"
STATE_DIR="$T/state"

_need BRIDGE
# refuse NAME PATH [WHAT]: ask and keys status both exit 78 (a run that
# waited on a FIFO or read on would meet the hang guard: exit 124), naming
# PATH, with a short printable message; the time taken is shown, not judged.
refuse() {
    local name=$1 path=$2 what=${3:-}
    local cmd
    for cmd in "ask --no-stdin --base-url $MOCK_URL q" "keys status"; do
        _LAST_CMD="bridge $cmd --key-file $path ($name)"
        local t0
        t0=$(date +%s%3N)
        RC=0
        # shellcheck disable=SC2086
        timeout -k 2 "$HANG_GUARD_S" "$TIME" -f %M -o "$T/rss" "$BRIDGE" --key-file "$path" --state "$STATE_DIR/state.json" \
            $cmd >"$T/out" 2>"$T/err" </dev/null || RC=$?
        local ms=$(($(date +%s%3N) - t0))
        local rss
        rss=$(tail -n 1 "$T/rss")
        ((RC < 128 || RC == 130)) || fail "$name: bridge crashed, hung or was killed (exit $RC)"
        ! grep -qE 'Sanitizer|runtime error:' "$T/err" || fail "$name: sanitizer report"
        expect_rc 78
        expect_out_empty
        expect_err_contains "$path"
        [[ -z "$what" ]] || grep -qiE "$what" "$T/err" || fail "$name: the message does not say '$what'"
        (($(wc -c <"$T/err") < 600)) || fail "$name: the message is $(wc -c <"$T/err") bytes long"
        ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$T/err" || fail "$name: raw bytes of the file reached stderr"
        [[ $(wc -l <"$T/err") -eq 1 ]] || fail "$name: expected a one-line message"
        echo "$name (${cmd%% --*}): exit 78 in $ms ms, peak RSS $rss KB: $(head -c 160 "$T/err")"
        LAST_RSS=$rss
    done
}

: >"$D/empty"
refuse empty "$D/empty" "no keys"
# What a run that reads no key costs: the sanitizer build's shadow memory
# alone is about 100 MB, so the bound below is relative to it.
BASE_RSS=$LAST_RSS

printf '# my keys\n\n   \n\t\n# none yet\n' >"$D/comments"
refuse "comments only" "$D/comments" "no keys"

printf '\xef\xbb\xbf\r\n' >"$D/bom"
refuse "BOM and CRLF only" "$D/bom" "no keys"

head -c 65536 /dev/urandom >"$D/binary"
printf '\0\0\0' >>"$D/binary"
refuse "64 KiB of random bytes" "$D/binary"

printf 'work sk-ant-nul-\0-inside-aaaaaaaaaaaa\n' >"$D/nul"
refuse "a key with a NUL byte" "$D/nul" "line 1|:1:"

printf 'ok sk-ant-fine-aaaaaaaaaaaaaaaaaaaaaa\nlabel sk-ant-SECRET-THIRD-FIELD-aaaaaaa extra\n' >"$D/three"
refuse "a line of three fields" "$D/three" ":2:|line 2"
expect_err_not_contains "SECRET-THIRD-FIELD"

truncate -s 1G "$D/huge"
refuse "a 1 GB sparse file" "$D/huge"
((LAST_RSS < BASE_RSS + 64 * 1024)) ||
    fail "a 1 GB key file took $LAST_RSS KB of memory ($BASE_RSS KB for an empty one): it must be refused by its size, not read"

mkdir "$D/dir"
refuse "a directory" "$D/dir" "directory"

mkfifo "$D/fifo"
refuse "a FIFO with no writer" "$D/fifo"

printf 'x\n' >"$D/plain"
refuse "a path under a regular file" "$D/plain/keys"

ln -s loop-b "$D/loop-a"
ln -s loop-a "$D/loop-b"
refuse "a symlink loop" "$D/loop-a"

refuse "a character device (/dev/zero)" /dev/zero

refuse "a missing file" "$D/missing"

if [[ $(id -u) -ne 0 ]]; then
    printf 'k sk-ant-unreadable-aaaaaaaaaaaaaaaaa\n' >"$D/noperm"
    chmod 000 "$D/noperm"
    refuse "a file without read permission" "$D/noperm"
else
    echo "skipped: a file without read permission (running as root, which reads it anyway);" \
        "the FIFO, directory, loop and path-under-a-file cases cover unreadable files"
fi

# Nothing went upstream, nothing was written to the state directory.
expect_requests 0
[[ ! -e "$STATE_DIR" ]] || fail "a refused key file still created $(ls -a "$STATE_DIR")"

# --- odd but valid: a BOM, CRLF, tabs, and a label that is not UTF-8 ---------------
# The key works; bridge's own JSON (state file, keys status --json) stays
# valid UTF-8 even though the label is not.
(umask 077 && printf '\xef\xbb\xbf# keys\r\n\tbad-\xff\xfe-label \t sk-ant-odd-label-aaaaaaaaaaaaaaaaaa \r\n\r\nsecond\tsk-ant-odd-second-bbbbbbbbbbbbbbbbb\r\n' >"$D/odd")
run_bridge ask --no-stdin -v --key-file "$D/odd" --state "$STATE_DIR/state.json" --base-url "$MOCK_URL" q
((RC < 128)) || fail "odd key file: bridge crashed (exit $RC)"
expect_rc 0
expect_out_eq "odd but valid"
[[ -s "$STATE_DIR/state.json" ]] || fail "odd key file: the 429 mark was not saved"
iconv -f UTF-8 -t UTF-8 "$STATE_DIR/state.json" >/dev/null 2>&1 || fail "odd key file: the state file is not valid UTF-8"
run_bridge keys status --json --key-file "$D/odd" --state "$STATE_DIR/state.json"
expect_rc 0
expect_err_empty
iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 || fail "odd key file: keys status --json is not valid UTF-8"
[[ $(tr -d '\n ' <"$T/out" | grep -o '"state":"cooling"' | wc -l) -eq 1 ]] || fail "odd key file: the mark was not read back"

echo "local_key_file_hostile passed"
