#!/usr/bin/env bash
# The password goes only to a unix socket that no other user can have put
# there (docs/security.md): before connecting, the socket's path is held to
# the state file's ownership rules, widened to the server's own user; after
# connecting, the listening process must be root, us, or the socket's
# owner (SO_PEERCRED). A refused socket is a fault of the shared store: one
# warning, the local state file, and nothing sent to the socket (not even
# a connection). Needs root, for a second local user.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/other_user.sh
source "$(dirname "$0")/../lib/other_user.sh"

K_ONE=sk-ant-test-socket-trust-0001
PASSWORD="pw-socket-$RANDOM$RANDOM"
export REDISCLI_AUTH=$PASSWORD
start_mock '{"default": {"text": "served"}}'
setup_pool "one $K_ONE"

SERVERS=()
# serve DIR [HOW]: bridge-hostile-redis (mode ok) on DIR/redis.sock, run by
# us (HOW "self"), by the other user ("other"), or by us with the other
# user's identity taken between bind and listen ("peer": the socket file is
# ours, the listening process is not). What it receives goes to
# DIR.received (writable by anyone: the server may run as another user).
serve() {
    local dir=$1 how=${2:-self} prefix=() extra=()
    [[ $how == other ]] && prefix=("${AS_OTHER[@]}")
    [[ $how == peer ]] && extra=(--listen-as "$OTHER_UID:$OTHER_GID")
    rm -f "$dir/redis.sock"
    RECORD="$dir.received"
    : >"$RECORD"
    chmod 666 "$RECORD"
    "${prefix[@]}" "$BRIDGE_HOSTILE_REDIS" --mode ok --unix "$dir/redis.sock" --record "$RECORD" \
        "${extra[@]}" 2>"$dir.err" &
    _MOCK_PIDS["socket-$!"]=$!
    SERVERS+=($!)
    wait_until "$HANG_GUARD_S" "the socket $dir/redis.sock" test -S "$dir/redis.sock"
}

# used DIR: bridge uses the socket in DIR (its AUTH arrives there).
used() {
    local dir=$1
    STATE="unix://$dir/redis.sock?timeout=10000"
    run_pool ask --no-stdin "hi"
    expect_rc 0
    expect_out_eq "served"
    expect_err_empty
    grep -qF "$PASSWORD" "$RECORD" || fail "$dir: the trusted server did not get AUTH"
}

# refused DIR WHAT: bridge does not use the socket in DIR, saying WHAT.
refused() {
    local dir=$1 what=$2
    STATE="unix://$dir/redis.sock?timeout=10000"
    run_pool ask --no-stdin "hi"
    expect_rc 0
    expect_out_eq "served"
    expect_err_contains "shared state unix://$dir/redis.sock?db=0: refused: $what"
    expect_err_contains "using the local state file"
    [[ ! -s "$RECORD" ]] || fail "$dir: bridge sent something to the socket: $(head -c 200 "$RECORD")"
    run_pool keys reset
    expect_rc 69
    expect_err_contains "refused: $what"
    expect_err_not_contains "$PASSWORD"
}

# A directory writable by others and not sticky: anyone could swap the socket.
mkdir -m 0755 "$T/open"
chmod 0777 "$T/open"
serve "$T/open"
refused "$T/open" "the directory $T/open is writable by other users (mode 0777) and not sticky"

if ! make_other_user; then
    echo "skipped: the other-user cases need root"
    exit 77
fi
chmod 0711 "$T" # the other user may reach the directories below
# The servers go first whatever way the test ends: a user who still runs a
# process cannot be removed.
trap '_status=$?; for pid in "${SERVERS[@]}"; do _stop_pid "$pid"; done; _remove_other_user; (exit "$_status"); _cleanup' EXIT

# Another user's socket in a sticky directory (as /tmp), where anyone can
# create the name first while Redis is down.
mkdir "$T/sticky"
chmod 1777 "$T/sticky"
serve "$T/sticky" other
refused "$T/sticky" "the Redis socket $T/sticky/redis.sock belongs to another user (uid $OTHER_UID) in $T/sticky, where every user can create one"

# A process of another user listening on a socket of ours (as when the
# socket was replaced after it was looked at): the peer is refused.
mkdir -m 0755 "$T/peer"
serve "$T/peer" peer
refused "$T/peer" "the process listening on $T/peer/redis.sock"
expect_err_contains "runs as another user (uid $OTHER_UID) than the socket's owner (uid 0)"

# The usual deployment: the server's own user owns the socket and its
# directory (as /run/redis), which nobody else can write to: trusted.
mkdir -m 0755 "$T/srv"
chown "$OTHER_UID:$OTHER_GID" "$T/srv"
serve "$T/srv" other
used "$T/srv"
# And a socket of ours in a sticky directory.
serve "$T/sticky"
used "$T/sticky"
# The other user is removed on exit (other_user.sh): none of its processes
# may be left by then.
for pid in "${SERVERS[@]}"; do
    _stop_pid "$pid"
done
echo "ok"
