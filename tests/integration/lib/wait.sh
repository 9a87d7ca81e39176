# shellcheck shell=bash
# Waiting and timing without wall-clock windows. A loaded machine (2 cores,
# parallel ctest, other builds, a sanitizer build) makes every step slower by
# an unknown amount: a test polls for the condition it waits for (with a
# generous bound that only catches a hang), and an expected duration is
# derived from what bridge itself recorded, or bounded by the time the test
# measured around the run, never by a fixed window.
#   wait_for_file PATH [SECS]       wait until PATH exists
#   wait_for_output STR [SECS]      wait until $T/out contains STR
#   wait_until SECS WHAT CMD...     poll until CMD succeeds, else fail naming WHAT
#   wait_until_ready LABEL SECS     poll keys status until LABEL is ready (bounded)
#   tcp_connected PID               PID holds an established TCP connection
#   wait_size_stable FILE...        poll until the files' total size stops changing
#   HANG_GUARD_S                    the bound of a wait that only catches a hang (120)
#   rfc3339_ms TIME                 TIME (RFC 3339) as epoch milliseconds
#   expect_cooldown LABEL DELAY_MS T0_MS WHAT
#       the state file's mark of LABEL lasts exactly DELAY_MS (until - since,
#       as bridge recorded it), and keys status reports a retry_in_ms that is
#       at most DELAY_MS and at least DELAY_MS less the time since T0_MS
#       (taken before the run that made the mark).
#   expect_retry_in LABEL DELAY_MS T0_MS WHAT
#       keys status reports for LABEL a retry_in_ms of at most DELAY_MS and at
#       least DELAY_MS less the time since T0_MS (taken before the run that
#       made the mark): the window is as wide as the test was slow
#   expect_fast MS ALTERNATIVE_MS WHAT
#       MS is below half of ALTERNATIVE_MS: what the wrong behaviour (a hang,
#       a full sleep) would take; tests choose ALTERNATIVE_MS large (tens of
#       seconds) so that a busy machine stays far below it.
HANG_GUARD_S=${HANG_GUARD_S:-120}

# wait_for_file PATH [SECS]: polls until PATH exists, else fails.
wait_for_file() {
    local path=$1 secs=${2:-$HANG_GUARD_S} i
    for ((i = 0; i < secs * 20; i++)); do
        [[ -e "$path" ]] && return 0
        sleep 0.05
    done
    fail "$path did not appear within $secs s"
}

# wait_for_output STR [SECS]: polls until $T/out contains STR, else fails.
wait_for_output() {
    local str=$1 secs=${2:-$HANG_GUARD_S} i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qF -- "$str" "$T/out" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "stdout did not contain '$str' within $secs s"
}

# wait_until SECS WHAT CMD...: polls (every 50 ms) until CMD succeeds; fails
# naming WHAT when SECS pass first. SECS is a hang guard, not a window.
wait_until() {
    local secs=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + secs))
    until "$@"; do
        ((SECONDS < deadline)) || fail "$what: not so after $secs s"
        sleep 0.05
    done
}

# tcp_connected PID: process PID holds an established TCP connection (read
# from /proc: its socket inodes against its network namespace's tcp tables).
tcp_connected() {
    local pid=$1 fd link inode
    for fd in /proc/"$pid"/fd/*; do
        link=$(readlink "$fd" 2>/dev/null) || continue
        [[ $link == socket:\[*\] ]] || continue
        inode=${link#socket:[}
        inode=${inode%]}
        # sl local remote st(01 = ESTABLISHED) tx:rx tr:when retrnsmt uid timeout inode
        grep -qE "^ *[0-9]+: [0-9A-F:]+ [0-9A-F:]+ 01 [0-9A-F:]+ [0-9A-F:]+ [0-9A-F]+ +[0-9]+ +[0-9]+ $inode " \
            /proc/"$pid"/net/tcp /proc/"$pid"/net/tcp6 2>/dev/null && return 0
    done
    return 1
}

# wait_size_stable FILE...: polls (every 0.2 s, up to the hang guard) until
# the total size of FILE... is the same twice running: a file another
# process is still writing (a core dump) is whole. Prints that size.
wait_size_stable() {
    local size=-1 now deadline=$((SECONDS + HANG_GUARD_S))
    while ((SECONDS < deadline)); do
        now=$(cat "$@" 2>/dev/null | wc -c)
        [[ "$now" == "$size" ]] && break
        size=$now
        sleep 0.2
    done
    printf '%s\n' "$size"
}

# wait_until_ready LABEL SECS: polls keys status until LABEL is ready, else fails.
wait_until_ready() {
    local label=$1 secs=$2 i state
    for ((i = 0; i < secs * 20; i++)); do
        state=$(key_field "$label" state)
        [[ "$state" == ready ]] && return 0
        sleep 0.05
    done
    fail "key $label was still '$state' after $secs s: $(cat "$T/status.json")"
}

# rfc3339_ms TIME: TIME (RFC 3339) as epoch milliseconds.
rfc3339_ms() {
    date -u -d "$1" +%s%3N
}

# expect_cooldown LABEL DELAY_MS T0_MS WHAT: see the header of this file.
expect_cooldown() {
    local label=$1 delay=$2 t0=$3 what=$4 since until recorded
    since=$(model_field "$label" since)
    until=$(model_field "$label" until)
    [[ -n "$since" && -n "$until" ]] || fail "$what: no since/until for $label in $(cat "$STATE" 2>/dev/null)"
    recorded=$(($(rfc3339_ms "$until") - $(rfc3339_ms "$since")))
    # The state file keeps milliseconds; allow one for the rounding of each.
    expect_between "$recorded" $((delay - 2)) $((delay + 2)) "$what: until - since in the state file"
    expect_retry_in "$label" "$delay" "$t0" "$what"
}

# expect_retry_in LABEL DELAY_MS T0_MS WHAT: LABEL's retry_in_ms, read after
# a run that began at T0_MS made a DELAY_MS mark, is within the time the test
# took since (one millisecond of rounding each way).
expect_retry_in() {
    local label=$1 delay=$2 t0=$3 what=$4 left elapsed
    left=$(key_field "$label" retry_in_ms)
    elapsed=$(($(now_ms) - t0))
    expect_between "$left" $((delay - elapsed - 2)) $((delay + 2)) "$what (retry_in_ms $elapsed ms after the run began)"
}

# expect_fast MS ALTERNATIVE_MS WHAT: MS is below half of ALTERNATIVE_MS.
expect_fast() {
    local ms=$1 alternative=$2 what=$3
    ((ms < alternative / 2)) || fail "$what: took $ms ms (the behaviour it rules out takes $alternative ms)"
}
