# shellcheck shell=bash
# A throwaway local user for the scenarios that need files (or processes) of
# another user: created with useradd when running as root, removed on exit.
# Not a scenario itself (ctest runs *.sh). Source it after lib.sh.
#   make_other_user [HOME]   sets OTHER_USER, OTHER_UID, OTHER_GID; returns 1
#                            (after printing why) when that is not possible
#   as_other CMD ARGS...     runs CMD as that user (setpriv, no groups)
#   "${AS_OTHER[@]}" CMD ... the same as a plain command, for `... &`: then $!
#                            is the process itself, not a subshell
OTHER_USER=
OTHER_UID=
OTHER_GID=
AS_OTHER=()

_remove_other_user() {
    [[ -n "$OTHER_USER" ]] && userdel "$OTHER_USER" >/dev/null 2>&1
    OTHER_USER=
}

make_other_user() {
    local home=${1:-/nonexistent} name i
    if [[ $(id -u) -ne 0 ]]; then
        echo "note: not running as root, so no other user can be made"
        return 1
    fi
    if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
        echo "note: useradd or setpriv is missing"
        return 1
    fi
    name="bt$$$RANDOM"
    name=${name:0:30}
    # Other tests may be adding users at the same moment: /etc/passwd is
    # locked while they do, so try a few times.
    for ((i = 0; i < 40; i++)); do
        if useradd --system --no-create-home --home-dir "$home" --shell /usr/sbin/nologin \
            --user-group "$name" >/dev/null 2>"$T/useradd.err"; then
            OTHER_USER=$name
            break
        fi
        sleep 0.25
    done
    if [[ -z "$OTHER_USER" ]]; then
        echo "note: useradd failed: $(cat "$T/useradd.err")"
        return 1
    fi
    # Removed whatever way the test ends (lib.sh's EXIT trap runs first).
    trap '_other_status=$?; _remove_other_user; (exit "$_other_status"); _cleanup' EXIT
    OTHER_UID=$(id -u "$OTHER_USER")
    OTHER_GID=$(id -g "$OTHER_USER")
    AS_OTHER=(setpriv --reuid="$OTHER_UID" --regid="$OTHER_GID" --clear-groups --)
}

as_other() {
    "${AS_OTHER[@]}" "$@"
}
