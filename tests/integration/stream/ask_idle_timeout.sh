#!/usr/bin/env bash
# docs/contract.md (safety) "Timeouts: connect 10 s, whole request 600 s, stream idle (no byte)
# 120 s": the idle timeout is the stream's. A blocking `ask` sends nothing
# until the whole answer is ready (a long generation takes minutes), so only
# the whole-request --timeout bounds it; were the idle timeout applied, every
# blocking answer slower than 120 s would fail although --timeout allows 600 s.
# Here: --idle-timeout 1 against an answer that takes 2.5 s.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-test-idle-ask-slow-Ii001": {"delay_ms": 2500, "text": "late but complete"},
  "sk-ant-test-idle-str-stall-Ii02": {"deltas": ["partial ", "rest"], "stall_after": 1, "stall_ms": 600000}}}'

# The stream idle timeout still works (a control for the check below): the
# stall lasts 10 minutes, so a run that sat it out would end in run_bridge's
# guard (60 s, exit 124).
setup_pool "only sk-ant-test-idle-str-stall-Ii02"
run_pool stream --idle-timeout 1 "hi"
expect_rc 1

# A blocking answer is bounded by --timeout only.
setup_pool "only sk-ant-test-idle-ask-slow-Ii001"
STATE="$T/state-ask/state.json"
run_pool ask --idle-timeout 1 --timeout 60 "hi"
expect_rc 0
expect_out_eq "late but complete"
echo "ok"
