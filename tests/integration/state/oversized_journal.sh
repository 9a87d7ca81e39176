#!/usr/bin/env bash
# A journal larger than the 64 MiB a journal file is read up to (a holder
# stopped for a very long time, or a journal padded on purpose) must not
# stop folding for good. docs/state.md ("An oversized journal"): the next
# fold keeps the records of its last 64 MiB (the newest marks), drops the
# bytes before them, says so in one warning naming what it kept, and from
# then on every run and every `keys reset` works without anyone removing a
# file by hand.
#   a) state.json.journal is 65 MiB: a record at its start (dropped), empty
#      lines, a record at its end (kept). `keys reset` exits 0 and warns;
#      the state file holds the newer record only; no journal file is left;
#      the next runs say nothing on stderr.
#   b) the same file left as state.json.journal.folding (by a holder that
#      died, or by an older bridge that refused it and so stopped every
#      later fold): an ask with a 429 answers, warns, and folds it as in a).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-bigj-rate-aaaaaaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-bigj-good-bbbbbbbbbbbbbbbbbbbb": {"text": "answered"}
}}'
KEYS=$(write_key_file "rate sk-ant-bigj-rate-aaaaaaaaaaaaaaaaaaaa" "good sk-ant-bigj-good-bbbbbbbbbbbbbbbbbbbb")

# record FINGERPRINT_DIGIT LABEL: one journal record (docs/state.md, "Journal
# format") disabling a key that is not in the key file.
record() {
    local fingerprint json sum
    fingerprint="sha256:$(printf "%064d" 0 | tr 0 "$1")"
    json='{"fingerprint":"'"$fingerprint"'","label":"'"$2"'","hint":"...","mark":"disabled","since":"2025-01-01T00:00:00Z","status":401,"reason":"authentication_error"}'
    sum=$(printf '%s' "$json" | sha256sum | cut -c1-16)
    printf '\n%s\t%s\n' "$json" "$sum"
}
# big_journal FILE: an old record, 65 MiB of empty lines, a new record.
big_journal() {
    {
        record 1 old-mark
        head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' '\n'
        record 2 new-mark
    } >"$1"
    chmod 600 "$1"
}
# folded_as_expected DIR: the newer record is in the state file, the older
# one was dropped, and no journal file is left.
folded_as_expected() {
    local dir=$1
    expect_err_contains "larger than 64 MiB: folded the 1 record of its last 64 MiB"
    grep -q '"label": *"new-mark"' "$dir/state.json" || fail "the newest record was not folded"
    ! grep -q '"label": *"old-mark"' "$dir/state.json" || fail "a record before the last 64 MiB was kept"
    [[ ! -e "$dir/state.json.journal.folding" ]] || fail "the oversized folding file is still there"
    [[ ! -e "$dir/state.json.journal" ]] || fail "the oversized journal is still there"
}

# --- a) an oversized journal ------------------------------------------------------------
mkdir -m 700 "$T/a"
big_journal "$T/a/state.json.journal"
run_bridge keys reset good --key-file "$KEYS" --state "$T/a/state.json"
expect_rc 0
folded_as_expected "$T/a"
echo "a) $(head -n 1 "$T/err")"
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/a/state.json" --base-url "$MOCK_URL" q
expect_rc 0
expect_out_eq "answered"
expect_err_empty
run_bridge keys reset rate --key-file "$KEYS" --state "$T/a/state.json"
expect_rc 0
expect_err_not_contains "warning"

# --- b) an oversized folding file -------------------------------------------------------
mkdir -m 700 "$T/b"
big_journal "$T/b/state.json.journal.folding"
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/b/state.json" --base-url "$MOCK_URL" q
expect_rc 0
expect_out_eq "answered"
folded_as_expected "$T/b"
grep -q '"label": *"rate"' "$T/b/state.json" || fail "the 429 of this run was not saved"
run_bridge keys status --key-file "$KEYS" --state "$T/b/state.json"
expect_rc 0
expect_err_empty
echo "state_oversized_journal passed"
