#!/usr/bin/env bash
# Without HOME (unset, empty or relative) bridge takes the home directory
# from the password database, never from the working directory: run from a
# directory that holds .config/bridge/keys, `keys status` and `ask` do not
# use that file. As root, with a throwaway user whose home (in the password
# database) holds a key file, bridge run as that user with HOME unset uses
# that one.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/other_user.sh
source "$(dirname "$0")/../lib/other_user.sh"

start_mock '{"default": {"text": "answered"}}'
CWD_KEY=sk-ant-test-home-cwd-planted-Hh0001
mkdir -p "$T/cwd/.config/bridge" "$T/cwd/.local/state/bridge"
(umask 077 && printf 'planted-in-cwd %s\n' "$CWD_KEY" >"$T/cwd/.config/bridge/keys")
home_of_us=$(getent passwd "$(id -u)" | cut -d: -f6)
cd "$T/cwd"

for home in unset "" "." "relative/dir"; do
    if [[ $home == unset ]]; then
        envs=(env -u HOME -u XDG_CONFIG_HOME -u XDG_STATE_HOME)
    else
        envs=(env HOME="$home" -u XDG_CONFIG_HOME -u XDG_STATE_HOME)
    fi
    _LAST_CMD="HOME=$home bridge keys status"
    RC=0
    "${envs[@]}" "$BRIDGE" keys status >"$T/out" 2>"$T/err" || RC=$?
    expect_out_not_contains "planted-in-cwd"
    expect_err_not_contains "$T/cwd"
    if [[ $RC -eq 78 ]]; then
        # No key file in our real home: the message names that home.
        expect_err_contains "$home_of_us/.config/bridge/keys"
    fi
    _LAST_CMD="HOME=$home bridge ask"
    RC=0
    "${envs[@]}" "$BRIDGE" ask --no-stdin --base-url "$MOCK_URL" hi >"$T/out" 2>"$T/err" || RC=$?
    expect_err_not_contains "$T/cwd"
done
expect_key_requests "$CWD_KEY" 0

if ! make_other_user "$T/pwhome"; then
    echo "skipped: a user whose home comes from the password database (needs root)"
    echo "security_home_unset passed"
    exit 0
fi
chmod 0755 "$T"
chmod 0755 "$T/cwd" "$T/cwd/.config" "$T/cwd/.config/bridge"
chown "$OTHER_UID" "$T/cwd/.config/bridge/keys" # theirs, so only the path can rule it out
mkdir -p "$T/pwhome/.config/bridge"
(umask 077 && printf 'from-passwd sk-ant-test-home-passwd-Hh0002\n' >"$T/pwhome/.config/bridge/keys")
chown -R "$OTHER_UID:$OTHER_GID" "$T/pwhome"
_LAST_CMD="bridge keys status (as $OTHER_USER, HOME unset)"
RC=0
env -u HOME -u XDG_CONFIG_HOME -u XDG_STATE_HOME "${AS_OTHER[@]}" "$BRIDGE" keys status \
    >"$T/out" 2>"$T/err" || RC=$?
expect_rc 0
expect_out_contains "from-passwd"
expect_out_not_contains "planted-in-cwd"
echo "security_home_unset passed"
