#!/usr/bin/env bash
# The state file's location is trusted only as ssh trusts its files: every
# directory on the way is ours or root's and not writable by group or
# others unless sticky; every symbolic link on the way is ours or root's;
# an existing state file, lock file or set-aside file is ours and not a
# symbolic link. Otherwise exit 78 before any request, saying what is wrong
# and how to fix it, and nothing is written or renamed. Scenarios:
#   - a world-writable (0777, not sticky) state directory: 78 for ask,
#     stream, keys status and keys reset; a sticky one (1777) is fine;
#   - a directory symbolic link of ours into a world-writable directory: 78;
#   - a state file that is a symbolic link (to a file of ours): 78, the file
#     it points at unchanged;
#   - as root, with a throwaway user planting files in a sticky directory: a
#     directory symbolic link of theirs pointing at a directory of ours (78,
#     our files there untouched), a state file of theirs ({"version": 2},
#     or marks disabling our key), a lock file of theirs (held by their
#     process) and a set-aside file of theirs: 78 each;
#   - the default location still works and is made 0700.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/other_user.sh
source "$(dirname "$0")/../lib/other_user.sh"

KEY=sk-ant-test-state-dir-trust-Sd0001
start_mock '{"default": {"text": "answered"}}'
KEYS=$(write_key_file "mine $KEY")

# refused PATH WHAT: every subcommand that touches the state exits 78 naming WHAT.
refused() {
    local state=$1 what=$2 before
    before=$(mock_requests)
    for cmd in ask stream; do
        run_bridge "$cmd" --key-file "$KEYS" --state "$state" --base-url "$MOCK_URL" "hi"
        expect_rc 78
        expect_out_empty
        expect_err_contains "$what"
    done
    run_bridge keys status --key-file "$KEYS" --state "$state"
    expect_rc 78
    expect_err_contains "$what"
    run_bridge keys reset --key-file "$KEYS" --state "$state"
    expect_rc 78
    expect_err_contains "$what"
    [[ $(mock_requests) == "$before" ]] || fail "a request was sent although the state location is unsafe"
}
accepted() {
    run_bridge ask --key-file "$KEYS" --state "$1" --base-url "$MOCK_URL" "hi"
    expect_rc 0
    expect_out_eq "answered"
}

# --- a world-writable directory, and one of ours below it -----------------------------
mkdir -m 0777 "$T/open"
chmod 0777 "$T/open"
refused "$T/open/state.json" "writable by other users (mode 0777)"
expect_err_contains "chmod go-w $T/open"
[[ -z "$(ls -A "$T/open")" ]] || fail "bridge wrote into the unsafe directory: $(ls -A "$T/open")"
mkdir -m 0700 "$T/open/mine"
refused "$T/open/mine/state.json" "$T/open is writable by other users"
chmod 0770 "$T/open"
refused "$T/open/state.json" "writable by other users (mode 0770)"
# Sticky, as /tmp: others cannot rename or remove what is ours.
chmod 1777 "$T/open"
accepted "$T/open/state.json"

# --- a directory symbolic link of ours into a world-writable directory ------------------
mkdir -m 0777 "$T/open2"
chmod 0777 "$T/open2"
mkdir -m 0700 "$T/links"
ln -s "$T/open2" "$T/links/state-dir"
refused "$T/links/state-dir/state.json" "$T/open2"

# --- a state file that is a symbolic link ---------------------------------------------
mkdir -m 0700 "$T/s1"
printf '{"version": 1, "keys": {}, "precious": true}\n' >"$T/precious.json"
cp "$T/precious.json" "$T/precious.orig"
ln -s "$T/precious.json" "$T/s1/state.json"
refused "$T/s1/state.json" "is a symbolic link"
cmp -s "$T/precious.json" "$T/precious.orig" || fail "the file behind the symbolic link was changed"
rm "$T/s1/state.json"
ln -s "$T/precious.json" "$T/s1/state.json.lock"
refused "$T/s1/state.json" "lock file $T/s1/state.json.lock is a symbolic link"
rm "$T/s1/state.json.lock"
ln -s "$T/precious.json" "$T/s1/state.json.corrupt"
refused "$T/s1/state.json" "set-aside file $T/s1/state.json.corrupt is a symbolic link"
cmp -s "$T/precious.json" "$T/precious.orig" || fail "the file behind the symbolic link was changed"

# --- the default location ---------------------------------------------------------------
run_bridge ask --key-file "$KEYS" --base-url "$MOCK_URL" "hi"
expect_rc 0
run_bridge keys reset --key-file "$KEYS"
expect_rc 0
[[ $(stat -c %a "$XDG_STATE_HOME/bridge") == 700 ]] || fail "the default state directory is not 0700"

# --- another user's files in a shared sticky directory ----------------------------------
if ! make_other_user; then
    echo "skipped: files planted by another user (needs root to make a throwaway user)"
    echo "security_state_dir passed"
    exit 0
fi
chmod 0755 "$T" # the other user must reach $T/shared
mkdir -m 1777 "$T/shared"
chmod 1777 "$T/shared"
mkdir -m 0700 "$T/victim"
printf 'mine, not a state file\n' >"$T/victim/state.json.corrupt"
printf '{"version": 1, "keys": {}}' >"$T/victim/state.json"
cp "$T/victim/state.json.corrupt" "$T/corrupt.orig"
cp "$T/victim/state.json" "$T/victim.orig"

# Their directory symbolic link, pointing at a directory of ours.
as_other ln -s "$T/victim" "$T/shared/dir"
refused "$T/shared/dir/state.json" "symbolic link owned by another user (uid $OTHER_UID)"
cmp -s "$T/victim/state.json.corrupt" "$T/corrupt.orig" || fail "our file behind their link was replaced"
cmp -s "$T/victim/state.json" "$T/victim.orig" || fail "our state file behind their link was rewritten"

# Their state files: a version no bridge accepts, and marks that disable our key.
as_other sh -c "printf '{\"version\": 2}' >'$T/shared/state.json'"
refused "$T/shared/state.json" "state file $T/shared/state.json belongs to another user (uid $OTHER_UID)"
as_other rm -f "$T/shared/state.json"
fp=$(printf '%s' "$KEY" | sha256sum | cut -c1-16) # what it is does not matter: it is refused unread
as_other sh -c "printf '{\"version\": 1, \"keys\": {\"$fp\": {\"label\": \"mine\", \"state\": \"disabled\", \"status\": 401}}}' >'$T/shared/state.json'"
refused "$T/shared/state.json" "belongs to another user"
as_other rm -f "$T/shared/state.json"

# Their lock file, held by a process of theirs for the whole test.
"${AS_OTHER[@]}" sh -c "exec 9>'$T/shared/state.json.lock'; flock 9; exec sleep 300" &
holder=$!
wait_for_file "$T/shared/state.json.lock" "$HANG_GUARD_S"
refused "$T/shared/state.json" "lock file $T/shared/state.json.lock belongs to another user"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
as_other rm -f "$T/shared/state.json.lock"

# Their set-aside file: a corrupt state file of ours could never be set aside.
as_other sh -c "printf 'theirs' >'$T/shared/state.json.corrupt'"
printf '{"version": 1, "keys": {' >"$T/shared/state.json"
refused "$T/shared/state.json" "set-aside file $T/shared/state.json.corrupt belongs to another user"
as_other rm -f "$T/shared/state.json.corrupt"
# Once their file is gone, ours is set aside as usual.
accepted "$T/shared/state.json"
[[ -f "$T/shared/state.json.corrupt" ]] || fail "the corrupt state file was not set aside"
echo "security_state_dir passed"
