#!/usr/bin/env bash
# docs/marks.md, "Marks belong to a host": a mark is filed under the origin
# (scheme://host:port) of the base URL it was learned from, so a wrong base
# URL (401s from a host that does not know the keys) disables the keys for
# that host only; the right host still gets them. keys status, keys check
# and keys reset act on the marks of the host in effect. Marks learned from
# the provider's own host keep the layout of the previous release (the
# fingerprint of the key alone), which that release reads; the others are
# filed under fingerprints it never looks up.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K1=sk-ant-api03-origin-scope-key-0001
K2=sk-ant-api03-origin-scope-key-0002
start_mock '{"default": {"text": "right host"}}'
RIGHT=$MOCK_URL
start_mock '{"default": {"status": 401}, "probe_default": {"status": 401}}' wrong
WRONG=$(mock_url wrong)
setup_pool "one $K1" "two $K2"

# A run against the wrong host disables both keys there.
POOL_URL=$WRONG run_pool ask "hi"
expect_rc 77
POOL_URL=$WRONG run_pool keys status --json
expect_rc 77
[[ "$(_object_of_label "$T/out" one | json_field state)" == disabled ]] || fail "one not disabled at the wrong host: $(cat "$T/out")"
# ... and for the right host nothing is marked: the first key answers.
run_pool ask -v "hi"
expect_rc 0
expect_out_eq "right host"
expect_err_not_contains "skipped"
expect_key_requests "$K1" 1
run_pool keys status --json
expect_rc 0
[[ "$(_object_of_label "$T/out" one | json_field state)" != disabled ]] || fail "one disabled at the right host: $(cat "$T/out")"
# keys check against the wrong host: the same.
POOL_URL=$WRONG run_pool keys check
expect_rc 77
run_pool ask "hi"
expect_rc 0
expect_key_requests "$K1" 2
# keys reset at the wrong host clears its marks, not the right host's.
run_pool ask -m claude-opus-4-1 "hi"
expect_key_requests "$K1" 3
POOL_URL=$WRONG run_pool keys reset
expect_rc 0
POOL_URL=$WRONG run_pool keys status --json
[[ "$(_object_of_label "$T/out" one | json_field state)" != disabled ]] || fail "reset at the wrong host left its mark: $(cat "$T/out")"

# The state file: no entry under the fingerprint of a key alone, which is
# the provider's own host's (and what the previous release looks up).
POOL_URL=$WRONG run_pool ask "hi"
expect_rc 77
fp1="sha256:$(printf '%s' "$K1" | sha256sum | cut -c1-32)"
grep -qF "$fp1" "$STATE" && fail "a mark of another host under the plain fingerprint: $(cat "$STATE")"
fpw="sha256:$(printf '%s\n%s' "$WRONG" "$K1" | sha256sum | cut -c1-32)"
grep -qF "\"$fpw\"" "$STATE" || fail "no entry for one at $WRONG ($fpw): $(cat "$STATE")"

# A file as the previous release wrote it: key one disabled under its plain
# fingerprint. It holds for the provider's own host (no base URL set; keys
# status sends nothing), and not for another.
since=$(date -u '+%Y-%m-%dT%H:%M:%S.000Z')
cat >"$STATE" <<JSON
{"keys": {"$fp1": {"hint": "sk-a...0001", "label": "one", "mark": "disabled", "reason": "authentication_error",
                   "since": "$since", "status": 401}},
 "version": 1}
JSON
chmod 600 "$STATE"
env -u ANTHROPIC_BASE_URL "$BRIDGE" keys status --json --key-file "$KEYS" --state "$STATE" >"$T/own.json" 2>"$T/own.err" || true
[[ "$(_object_of_label "$T/own.json" one | json_field state)" == disabled ]] || fail "the previous release's mark not read for api.anthropic.com: $(cat "$T/own.json" "$T/own.err")"
env -u ANTHROPIC_BASE_URL "$BRIDGE" keys status --json --key-file "$KEYS" --state "$STATE" \
    --base-url https://API.anthropic.com:443/ >"$T/own.json" 2>&1 || true
[[ "$(_object_of_label "$T/own.json" one | json_field state)" == disabled ]] || fail "the same origin, spelled otherwise: $(cat "$T/own.json")"
run_pool keys status --json
[[ "$(_object_of_label "$T/out" one | json_field state)" != disabled ]] || fail "api.anthropic.com's mark used for $RIGHT: $(cat "$T/out")"
run_pool ask -v "hi"
expect_rc 0
expect_err_contains "marks: those learned from $RIGHT"
expect_key_requests "$K1" 4
echo ok
