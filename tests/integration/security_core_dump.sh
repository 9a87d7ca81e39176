#!/usr/bin/env bash
# Core dumps hold keys: bridge makes itself non-dumpable at start. With
# `ulimit -c unlimited`, a bridge that is killed by SIGSEGV while it waits
# for an upstream that never answers (the key in its memory, in the request
# it sent) leaves no core file. To show that the check means something, a
# control process (sleep) killed the same way in the same place does leave
# one. Both are signalled only once /proc shows the program itself running
# (not the shell that forked it: that copy of this script holds the key in
# a variable, and its core would hold it too), and bridge only once the
# mock has logged its request, so the key is in bridge's memory; when the machine writes no core files at all (core_pattern a pipe to
# a crash collector, or a directory we cannot see), that is said, and the
# test relies on the next check alone. As root, bridge also runs as a
# throwaway user: its /proc/PID files then belong to root, which is how the
# kernel shows a non-dumpable process (no ptrace, no /proc/PID/mem or
# environ for other processes of that user either).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=lib_other_user.bash
source "$(dirname "$0")/lib_other_user.bash"

# The sanitizer build catches SIGSEGV itself and never writes a core file
# (AddressSanitizer turns core dumps off): there is nothing to show there.
# This scenario runs in full in the main (release) pass of .ci/run.
if ldd "$BRIDGE" 2>/dev/null | grep -q libasan; then
    echo "skipped: a sanitizer build of bridge writes no core file"
    exit 0
fi

KEY=sk-ant-test-core-dump-Q7fZ2mXw9LpR4vKt
start_mock '{"default": {"delay_ms": 200000}}'
pattern=$(cat /proc/sys/kernel/core_pattern)
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -Hc)"
echo "core_pattern: $pattern; core limit: $(ulimit -c)"
mkdir -p "$T/cores"
cd "$T/cores"

# Where a core of a process started here would go, or "" when we cannot look.
core_dir() {
    case $pattern in
    '|'*) echo "" ;;
    /*) dirname "$pattern" ;;
    *) echo "$T/cores" ;;
    esac
}
# cores_of PID MARKER: core files written for PID, or after MARKER.
cores_of() {
    local dir
    dir=$(core_dir)
    [[ -n "$dir" && -d "$dir" ]] || return 0
    find "$dir" -maxdepth 1 -type f \( -name "*core*$1*" -o -newer "$2" -name '*core*' \) 2>/dev/null || true
}

# --- the control: an ordinary process leaves a core here -------------------------------
touch "$T/marker-control"
sleep 300 &
control=$!
# is_running PID PROGRAM: PID has exec'd PROGRAM (waits up to 60 s).
is_running() {
    local i want
    want=$(readlink -f "$2")
    for ((i = 0; i < 1200; i++)); do
        [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == "$want" ]] && return 0
        sleep 0.05
    done
    return 1
}
is_running "$control" "$(command -v sleep)" || fail "the control process never became sleep"
kill -SEGV "$control"
# Where something above us blocks or ignores SIGSEGV (it is inherited), the
# control never dies, and neither would bridge: nothing can be shown then.
for ((i = 0; i < 200; i++)); do
    kill -0 "$control" 2>/dev/null || break
    sleep 0.05
done
if kill -0 "$control" 2>/dev/null; then
    kill -KILL "$control" 2>/dev/null || true
    wait "$control" 2>/dev/null || true
    echo "skipped: SIGSEGV does not kill a process here (blocked or ignored by a parent)"
    exit 0
fi
wait "$control" 2>/dev/null || true
control_cores=$(cores_of "$control" "$T/marker-control")
if [[ -n "$control_cores" ]]; then
    echo "control: a core file was written ($control_cores)"
    rm -f $control_cores
else
    echo "note: this machine wrote no core file for the control process (core_pattern '$pattern');" \
        "the core check below cannot fail here, the /proc check still can"
fi

# --- bridge, mid-request ----------------------------------------------------------------
KEYS=$(write_key_file "only $KEY")
touch "$T/marker-bridge"
start_bridge ask --key-file "$KEYS" --state "$T/state/state.json" --base-url "$MOCK_URL" \
    --no-stdin --connect-timeout 100 --timeout 100 "hi"
# The mock holds its answer for 200 s; once it has logged the request, the
# key is in bridge's memory (and the process is bridge, not the shell).
for ((i = 0; i < 1200; i++)); do
    [[ -s "$(mock_log)" ]] && break
    sleep 0.05
done
[[ -s "$(mock_log)" ]] || fail "bridge never sent its request"
is_running "$BRIDGE_PID" "$BRIDGE" || fail "process $BRIDGE_PID is not bridge"
kill -SEGV "$BRIDGE_PID"
wait_bridge 30
[[ $RC -eq 139 ]] || fail "expected bridge to die of SIGSEGV (exit 139), got $RC"
bridge_cores=$(cores_of "$BRIDGE_PID" "$T/marker-bridge")
if [[ -n "$bridge_cores" ]]; then
    for core in $bridge_cores; do
        if LC_ALL=C grep -qaF "$KEY" "$core"; then
            fail "core file $core holds the key"
        fi
    done
    fail "bridge left a core file ($bridge_cores): it must be non-dumpable"
fi
echo "bridge: no core file"

# --- /proc shows the process non-dumpable -----------------------------------------------
if make_other_user; then
    chmod 0755 "$T"
    mkdir -m 0700 "$T/other"
    cp "$KEYS" "$T/other/keys"
    chown -R "$OTHER_UID:$OTHER_GID" "$T/other"
    (
        cd "$T/other"
        HOME="$T/other" "${AS_OTHER[@]}" "$BRIDGE" ask --key-file "$T/other/keys" --state "$T/other/state.json" \
            --base-url "$MOCK_URL" --no-stdin --connect-timeout 100 --timeout 100 "hi" \
            >"$T/other.out" 2>"$T/other.err" &
        echo $! >"$T/other.pid"
        wait
    ) &
    runner=$!
    wait_for_file "$T/other.pid" 60
    pid=$(cat "$T/other.pid")
    owner=
    for ((i = 0; i < 1200; i++)); do # up to 60 s on a loaded machine
        # setpriv execs bridge: the same process once it has started.
        if [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$BRIDGE")" ]]; then
            sleep 0.3
            owner=$(stat -c %u "/proc/$pid/environ" 2>/dev/null || true)
            break
        fi
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$runner" 2>/dev/null || true
    [[ -n "$owner" ]] || fail "bridge did not start as user $OTHER_USER: $(cat "$T/other.err")"
    [[ "$owner" == 0 ]] ||
        fail "/proc/$pid/environ of bridge running as uid $OTHER_UID belongs to uid $owner: the process is dumpable"
    echo "bridge as uid $OTHER_UID: /proc/PID belongs to root (non-dumpable)"
else
    echo "skipped: the /proc check (needs root to run bridge as another user)"
fi
echo "security_core_dump passed"
