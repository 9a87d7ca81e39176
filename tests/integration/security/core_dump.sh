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
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/other_user.sh
source "$(dirname "$0")/../lib/other_user.sh"
# shellcheck source=tests/integration/lib/secrets.sh
source "$(dirname "$0")/../lib/secrets.sh"

# The sanitizer build catches SIGSEGV itself and never writes a core file
# (AddressSanitizer turns core dumps off): there is nothing to show there.
# This scenario runs in full in the main (release) pass of .ci/run.
# is_sanitizer_build looks for the ASan runtime in the binary itself, since
# clang links it statically (ldd shows nothing).
if is_sanitizer_build; then
    echo "skipped: a sanitizer build of bridge writes no core file"
    exit 77
fi

# --- dumps are off before any library's initializer runs ---------------------------------
# A key in the environment is in memory from exec on. The dynamic loader
# runs the program's .preinit_array before the initializers of every shared
# library and of the program itself (its constructors), so a library
# preloaded into bridge (tests/probe) reports from its initializer what that
# earliest point left: bridge must already be non-dumpable with a core limit
# of 0 (docs/security.md). Turned off in main(), or in a constructor of the
# program, it would still be dumpable there.
[[ -n "${BRIDGE_DUMP_PROBE:-}" && -f "$BRIDGE_DUMP_PROBE" ]] ||
    fail "BRIDGE_DUMP_PROBE must name the probe library (tests/probe), it is '${BRIDGE_DUMP_PROBE:-}'"
: >"$T/probe.out"
BRIDGE_DUMP_PROBE_OUT="$T/probe.out" LD_PRELOAD="$BRIDGE_DUMP_PROBE" run_bridge --version
expect_rc 0
early=$(grep -F "$(readlink -f "$BRIDGE") " "$T/probe.out" || true)
[[ -n "$early" ]] || fail "the preloaded probe did not report from bridge: $(cat "$T/probe.out")"
[[ "$early" == *" dumpable=0 core=0/0" ]] ||
    fail "bridge was still dumpable when the first library initializer ran: $early"
echo "before any library initializer: $early"

KEY=sk-ant-test-core-dump-Q7fZ2mXw9LpR4vKt
start_mock '{"default": {"delay_ms": 200000}}'
pattern=$(cat /proc/sys/kernel/core_pattern)
ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -Hc)"
echo "core_pattern: $pattern; core limit: $(ulimit -c)"
# Each process dumps in a directory of its own (a relative core_pattern names
# a file in the process's working directory, and "core" is the same name for
# every process), so a core that the machine writes late cannot be taken for
# another process's.
mkdir -p "$T/cores-control" "$T/cores-bridge"

# core_dir DIR: where a core of a process started in DIR goes, or "" when we
# cannot look (a pipe to a crash collector).
core_dir() {
    case $pattern in
    '|'*) echo "" ;;
    /*) dirname "$pattern" ;;
    *) echo "$1" ;;
    esac
}
# cores_in DIR MARKER: core files there written after MARKER.
cores_in() {
    [[ -n "$1" && -d "$1" ]] || return 0
    find "$1" -maxdepth 1 -type f -name '*core*' -newer "$2" 2>/dev/null || true
}
now_ms() { date +%s%3N; }

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

# --- the control: an ordinary process leaves a core -------------------------------------
touch "$T/marker-control"
(cd "$T/cores-control" && exec sleep 300) &
control=$!
is_running "$control" "$(command -v sleep)" || fail "the control process never became sleep"
killed_at=$(now_ms)
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
# The core may show up after the process is gone (a loaded machine, a slow
# disk): wait for it up to 30 s, and until its size stops changing. How long
# it took tells how long to watch for bridge's below.
control_dir=$(core_dir "$T/cores-control")
control_cores=
control_ms=0
if [[ -n "$control_dir" ]]; then
    for ((i = 0; i < 600; i++)); do
        control_cores=$(cores_in "$control_dir" "$T/marker-control")
        [[ -n "$control_cores" ]] && break
        sleep 0.05
    done
fi
if [[ -n "$control_cores" ]]; then
    control_ms=$(($(now_ms) - killed_at))
    # shellcheck disable=SC2086 # one path or several
    size=$(wait_size_stable $control_cores)
    echo "control: a core file was written within ${control_ms} ms ($control_cores, $size bytes)"
    rm -f $control_cores
else
    echo "note: this machine wrote no core file for the control process within 30 s" \
        "(core_pattern '$pattern'); the core check below cannot fail here, the /proc check still can"
fi

# --- bridge, mid-request ----------------------------------------------------------------
KEYS=$(write_key_file "only $KEY")
touch "$T/marker-bridge"
cd "$T/cores-bridge"
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
wait_bridge "$HANG_GUARD_S"
[[ $RC -eq 139 ]] || fail "expected bridge to die of SIGSEGV (exit 139), got $RC"
# Watch twice as long as the control's core took to appear (2 s at least).
watch_ms=$((control_ms * 2 > 2000 ? control_ms * 2 : 2000))
bridge_dir=$(core_dir "$T/cores-bridge")
bridge_cores=
for ((i = 0; i < watch_ms / 50; i++)); do
    bridge_cores=$(cores_in "$bridge_dir" "$T/marker-bridge")
    [[ -n "$bridge_cores" ]] && break
    sleep 0.05
done
if [[ -n "$bridge_cores" ]]; then
    # shellcheck disable=SC2086 # one path or several
    wait_size_stable $bridge_cores >/dev/null # written whole before it is read
    for core in $bridge_cores; do
        # Where (file, offset, a hint), never the core's bytes.
        if LC_ALL=C grep -qaF "$KEY" "$core"; then
            fail "core file holds the key: $(describe_hit "$core" raw "$KEY")"
        fi
    done
    fail "bridge left a core file ($bridge_cores): it must be non-dumpable"
fi
echo "bridge: no core file within ${watch_ms} ms"

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
