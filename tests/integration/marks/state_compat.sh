#!/usr/bin/env bash
# docs/marks.md: the state file stays version 1. A file as the previous
# release wrote it (marks without a model) is read as marks for every model;
# our per-model marks go in an extra "models" field beside the key-wide
# fields, which keep their meaning, and unknown fields survive our rewrites.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KA=sk-ant-test-compat-a-00000001
KB=sk-ant-test-compat-b-00000002
KC=sk-ant-test-compat-c-00000003
start_mock '{
  "keys": {"'$KC'": {"text": "c served"}},
  "models": {"'$KB'": {"claude-opus-4-1": {"status": 429, "headers": {"retry-after": "300"}},
                       "claude-haiku-4-5": {"status": 429, "headers": {"retry-after": "300"}}}}
}'
setup_pool "a $KA" "b $KB" "c $KC"

# Fingerprints as bridge computes them: learn them from a state file it writes.
run_pool ask -m claude-opus-4-1 "hi"
expect_rc 0
expect_out_eq "c served"
fp_b=$(tr -d '\n ' <"$STATE" | grep -oE '"sha256:[0-9a-f]+":\{"hint":"sk-a...0002"' | cut -d'"' -f2 || true)
[[ -n "$fp_b" ]] || fail "no entry for b: $(cat "$STATE")"
# Key a's fingerprint for this host (docs/marks.md, "Marks belong to a host":
# the mock is not the provider's own host, so its origin is part of it), the
# way b's came out.
fp_a="sha256:$(printf '%s\n%s' "$MOCK_URL" "$KA" | sha256sum | cut -c1-32)"
[[ "$fp_b" == "sha256:$(printf '%s\n%s' "$MOCK_URL" "$KB" | sha256sum | cut -c1-32)" ]] ||
    fail "b's fingerprint is not that of the mock's origin and the key: $fp_b"

# The previous release's file: a key-wide cooldown for a, an unknown field.
until=$(date -u -d '+10 minutes' '+%Y-%m-%dT%H:%M:%S.000Z')
since=$(date -u '+%Y-%m-%dT%H:%M:%S.000Z')
cat >"$STATE" <<JSON
{
  "keys": {
    "$fp_a": {"hint": "sk-a...0001", "label": "a", "mark": "cooling", "reason": "rate_limit_error",
              "since": "$since", "status": 429, "until": "$until", "note": "kept"}
  },
  "version": 1,
  "written_by": "bridge 0.1.0"
}
JSON
chmod 600 "$STATE"

# a cools for every model.
for model in claude-opus-4-1 claude-haiku-4-5; do
    run_pool ask -m "$model" -v "hi"
    expect_rc 0
    expect_out_eq "c served"
    expect_err_contains "key a (sk-a...0001): skipped, cooling for"
    expect_err_not_contains "skipped, cooling for $model"
done
run_pool keys status -m claude-haiku-4-5 --json
grep -q '"state": "cooling"' "$T/out" || fail "a not cooling for haiku: $(cat "$T/out")"
# (a was asked once, in the first run above, before the old file was written.)
expect_key_requests "$KA" 1

# Our rewrite: a's key-wide fields as they were, b's 429 under "models",
# unknown fields kept, version 1.
flat=$(tr -d '\n ' <"$STATE")
[[ "$flat" == *'"version":1'* ]] || fail "version changed: $flat"
[[ "$flat" == *'"written_by":"bridge0.1.0"'* ]] || fail "unknown top-level field lost: $flat"
[[ "$flat" == *'"note":"kept"'* ]] || fail "unknown entry field lost: $flat"
[[ "$(state_field a mark)" == cooling ]] || fail "a's mark: $flat"
[[ "$(state_field a until)" == "$until" ]] || fail "a's until changed: $flat"
[[ "$flat" == *"\"$fp_b\":{"*'"models":{'*'"claude-opus-4-1":{"mark":"cooling"'* ]] || fail "b's per-model mark: $flat"
[[ -z "$(state_field b mark)" ]] || fail "b got a key-wide mark: $flat"
echo ok
