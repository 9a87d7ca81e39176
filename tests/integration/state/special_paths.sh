#!/usr/bin/env bash
# Hostile local input: state paths that are not a plain writable file. The
# contract (docs/contract.md, the state file): the request never fails because of the state file; a corrupt
# or unreadable state file gives a warning and the invocation goes on. For
# each case a walk whose first key answers 429 and whose second answers 200
# must exit 0 with the answer, promptly (a FIFO never blocks), with a
# warning, never a crash:
#   the state path is a FIFO, a path under a regular file; state.json.lock is a directory; the state directory is
#   read-only (chattr +i; skipped when that is not possible); the state file
#   is immutable; the state file is a 1 GB sparse file. (A symlink loop is
#   refused with exit 78, as any symbolic link state file is, and so is a
# state path that is a directory.)
# And where the file is merely unreadable (the 1 GB file), docs/contract.md (the state file) wants it
# kept aside as state.json.corrupt so that the new mark is not lost.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

PROMPT_MS=20000 # a hang, not speed (bench/ measures speed)

start_mock '{"keys": {
  "sk-ant-special-rate-aaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-special-good-bbbbbbbbbbbbbbbb": {"text": "answered"}
}}'
KEYS=$(write_key_file "rate sk-ant-special-rate-aaaaaaaaaaaaaaaa" "good sk-ant-special-good-bbbbbbbbbbbbbbbb")

# Immutable files must lose the flag before lib.sh removes $T.
immutable=()
# shellcheck disable=SC2154 # st and the loop variable are set inside the trap
trap 'st=$?; set +e; for f in "${immutable[@]}"; do chattr -i "$f" 2>/dev/null; done; (exit $st); _cleanup' EXIT

# goes_on NAME STATE_PATH: the walk answers despite the state path.
goes_on() {
    local name=$1 path=$2
    local t0
    t0=$(date +%s%3N)
    run_bridge ask --no-stdin --key-file "$KEYS" --state "$path" --base-url "$MOCK_URL" q
    MS=$(($(date +%s%3N) - t0))
    _LAST_CMD="$_LAST_CMD ($name, $MS ms)"
    ((RC < 128 || RC == 130)) || fail "$name: bridge crashed, hung or was killed (exit $RC)"
    ! grep -qE 'Sanitizer|runtime error:' "$T/err" || fail "$name: sanitizer report"
    expect_rc 0
    expect_out_eq "answered"
    expect_err_contains "warning"
    ((MS < PROMPT_MS)) || fail "$name: took $MS ms"
    echo "$name: exit 0 in $MS ms; $(head -n 1 "$T/err")"
}
# A sound state file with one mark of an unrelated key.
sound_state() {
    printf '%s\n' '{"version": 1, "keys": {"sha256:00000000000000000000000000000000": {"label": "old", "hint": "...", "mark": "disabled", "since": "2025-01-01T00:00:00Z", "status": 401, "reason": "authentication_error"}}}' >"$1"
    chmod 600 "$1"
}

mkdir -p "$T/a"
chmod 700 "$T/a"
mkdir "$T/a/state.json"
# A directory named as the state file is a mistake in the set-up: refused
# with 78 before any request, naming where the file could go, and nothing is
# left beside it (it used to leave state.json.journal and .lock on every run).
before=$(mock_stats | grep -o '"requests":[0-9]*')
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/a/state.json" --base-url "$MOCK_URL" q
expect_rc 78
expect_err_contains "--state $T/a/state.json is a directory"
expect_err_contains "$T/a/state.json/state.json"
[[ $(mock_stats | grep -o '"requests":[0-9]*') == "$before" ]] || fail "a request was sent despite the directory"
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/a/" --base-url "$MOCK_URL" q
expect_rc 78
expect_err_contains "is a directory: name the state file itself, such as $T/a/state.json"
BRIDGE_STATE="$T/a/state.json" run_bridge keys status --key-file "$KEYS"
expect_rc 78
expect_err_contains "BRIDGE_STATE $T/a/state.json is a directory"
[[ -d "$T/a/state.json" ]] || fail "the directory at the state path was removed"
leftovers=$(find "$T/a" -mindepth 1 -maxdepth 1 ! -name state.json -printf '%f ')
[[ -z $leftovers ]] || fail "files were left beside the directory: $leftovers"

mkdir -p "$T/b"
chmod 700 "$T/b"
mkfifo "$T/b/state.json"
goes_on "the state path is a FIFO with no writer" "$T/b/state.json"

mkdir -p "$T/c"
chmod 700 "$T/c"
ln -s loop "$T/c/state.json"
ln -s state.json "$T/c/loop"
# A state file that is a symbolic link (here a loop) is refused before any
# request, as every symbolic link there is (security/state_dir.sh): another
# user could aim it at a file of ours.
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/c/state.json" --base-url "$MOCK_URL" q
expect_rc 78
expect_err_contains "is a symbolic link"

printf 'x\n' >"$T/plain"
goes_on "the state path is under a regular file" "$T/plain/state.json"

mkdir -p "$T/d/state.json.lock"
chmod 700 "$T/d"
sound_state "$T/d/state.json"
cp "$T/d/state.json" "$T/d.orig"
goes_on "state.json.lock is a directory" "$T/d/state.json"
cmp -s "$T/d.orig" "$T/d/state.json" || fail "the state file was written without the lock"

# --- read-only directory / immutable file --------------------------------------------
mkdir -p "$T/e"
chmod 700 "$T/e"
sound_state "$T/e/state.json"
: >"$T/e/state.json.lock"
cp "$T/e/state.json" "$T/e.orig"
if chattr +i "$T/e" 2>/dev/null; then
    immutable+=("$T/e")
    if touch "$T/e/probe" 2>/dev/null; then
        echo "skipped: a read-only state directory (chattr +i does not stop root here)"
    else
        goes_on "the state directory is read-only (chattr +i)" "$T/e/state.json"
        cmp -s "$T/e.orig" "$T/e/state.json" || fail "the state file in a read-only directory changed"
        run_bridge keys status --key-file "$KEYS" --state "$T/e/state.json"
        expect_rc 0
        expect_err_empty
    fi
    chattr -i "$T/e"
else
    echo "skipped: a read-only state directory (chattr +i is not possible here)"
fi

mkdir -p "$T/f"
chmod 700 "$T/f"
sound_state "$T/f/state.json"
cp "$T/f/state.json" "$T/f.orig"
if chattr +i "$T/f/state.json" 2>/dev/null; then
    immutable+=("$T/f/state.json")
    goes_on "the state file is immutable (chattr +i)" "$T/f/state.json"
    cmp -s "$T/f.orig" "$T/f/state.json" || fail "the immutable state file changed"
    chattr -i "$T/f/state.json"
    [[ -z "$(find "$T/f" -name 'state.json.tmp.*')" ]] || fail "temporary files left beside an immutable state file"
else
    echo "skipped: an immutable state file (chattr +i is not possible here)"
fi

# --- a 1 GB sparse state file: unreadable by size ---------------------------------------
mkdir -p "$T/g"
chmod 700 "$T/g"
truncate -s 1G "$T/g/state.json"
goes_on "the state file is a 1 GB sparse file" "$T/g/state.json"
if [[ ! -e "$T/g/state.json.corrupt" ]]; then
    problem "a 1 GB state file is neither set aside as state.json.corrupt nor replaced (docs/contract.md (the state file): a corrupt or unreadable state file is kept aside and the invocation goes on as if no key were marked); the 429 mark is lost, and so is every mark of every later run; stderr: $(tr '\n' '|' <"$T/err")"
else
    run_bridge keys status --json -m claude-sonnet-4-5 --key-file "$KEYS" --state "$T/g/state.json"
    tr -d '\n ' <"$T/out" | grep -q '"label":"rate","hint":"[^"]*","state":"cooling"' ||
        problem "the 1 GB state file was set aside but the new mark was not saved"
fi

if ((${#problems[@]} > 0)); then
    printf 'FAIL: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "local_state_special passed"
