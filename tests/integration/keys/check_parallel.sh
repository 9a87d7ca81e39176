#!/usr/bin/env bash
# `bridge keys check` probes every key at once: 50 keys whose /v1/models
# answers each take 1.5 s. Sent one after the other, the mock would never hold
# more than one at a time; in parallel it holds many. The proof is the mock's
# own count of requests in flight, not a wall-clock window that a loaded
# machine could miss.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

N=50
lines=()
for ((i = 1; i <= N; i++)); do
    lines+=("k$i sk-ant-test-parallel-$(printf %08d "$i")")
done
start_mock '{"default": {}, "probe_default": {"delay_ms": 1500}}'
setup_pool "${lines[@]}"

run_pool keys check --json
expect_rc 0
[[ $(grep -c '"result": "ok"' "$T/out") -eq $N ]] || fail "not $N keys ok"
expect_requests $N
stats=$(mock_stats)
in_flight=$(_stat_number "$stats" max_in_flight)
echo "max requests in flight at the mock: $in_flight of $N"
# Serial probing gives exactly 1. Even a machine so loaded that curl's
# connections trickle in keeps many of 50 requests of 1.5 s each in flight.
((in_flight >= 10)) || fail "only $in_flight probes were in flight at once: $stats"
echo ok
