# shellcheck shell=bash
# Simulated machines sharing one Redis server (or not): each its own HOME,
# XDG directories, working directory and so local state file.
#   machine NAME                a "machine": its own HOME, XDG dirs and working
#                               directory under $T/machine-NAME
#   on_machine NAME FUNC ARGS...  run FUNC (run_pool, keys_status, ...) as that machine
#   machine_state NAME          the path of its local state file

# machine NAME: a "machine": its own HOME, XDG dirs and working directory.
machine() {
    local name=$1 dir="$T/machine-$1"
    mkdir -p "$dir/home/.config" "$dir/home/.local/state" "$dir/cwd"
}

# on_machine NAME FUNC ARGS...: runs FUNC (run_pool, keys_status, ...) as that machine.
on_machine() {
    local name=$1 dir="$T/machine-$1" status=0
    shift
    [[ -d "$dir" ]] || fail "on_machine: no machine '$name' (call machine $name first)"
    pushd "$dir/cwd" >/dev/null
    HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_STATE_HOME="$dir/home/.local/state" \
        "$@" || status=$?
    popd >/dev/null
    return "$status"
}

# machine_state NAME: the local state file of a machine (where it falls back
# when Redis is away).
machine_state() {
    printf '%s\n' "$T/machine-$1/home/.local/state/bridge/state.json"
}
