#!/usr/bin/env bash
# A FIFO (or any file that is not a regular file) where bridge opens a file
# beside the state file: the journal, the journal being folded, the claims
# ledger, the lock file. Such a file can be planted in a shared sticky
# directory (or left by mistake); opening or reading a FIFO with no one at
# the other end blocks for good, and the journal being folded is read while
# the state lock is held. docs/state.md ("Files that are not regular
# files"): every such file is opened without blocking and refused unless it
# is a regular file; the invocation goes on with a warning naming it.
# For each case a walk whose first key answers 429 and whose second answers
# 200 must exit 0 with the answer, with a warning that names the file, and
# the FIFO must be left where it was (not renamed into another role).
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

start_mock '{"keys": {
  "sk-ant-fifo-rate-aaaaaaaaaaaaaaaaaaaa": {"status": 429, "headers": {"retry-after": 600}},
  "sk-ant-fifo-good-bbbbbbbbbbbbbbbbbbbb": {"text": "answered"}
}}'
KEYS=$(write_key_file "rate sk-ant-fifo-rate-aaaaaaaaaaaaaaaaaaaa" "good sk-ant-fifo-good-bbbbbbbbbbbbbbbbbbbb")

# The state file in a shared sticky directory (as /tmp is), each case in
# its own; the FIFO is ours here (a planted one of another user is refused
# earlier, by owner: security/state_dir.sh).
mkdir -p "$T/shared"
chmod 1777 "$T/shared"
cases=(journal journal.folding claims lock)
for suffix in "${cases[@]}"; do
    mkdir -p "$T/shared/$suffix"
    chmod 1777 "$T/shared/$suffix"
    mkfifo -m 600 "$T/shared/$suffix/state.json.$suffix"
    case_start "$suffix" ask --no-stdin --key-file "$KEYS" --state "$T/shared/$suffix/state.json" \
        --base-url "$MOCK_URL" q
done
cases_wait

for suffix in "${cases[@]}"; do
    fifo="$T/shared/$suffix/state.json.$suffix"
    case_load "$suffix"
    expect_rc 0
    expect_out_eq "answered"
    expect_err_contains "warning"
    expect_err_contains "state.json.$suffix: not a regular file"
    [[ -p "$fifo" ]] || fail "$suffix: the FIFO was moved or removed"
    for other in journal journal.folding claims lock; do
        [[ "$other" == "$suffix" || ! -p "$T/shared/$suffix/state.json.$other" ]] ||
            fail "$suffix: the FIFO was moved to state.json.$other"
    done
    echo "$suffix is a FIFO: exit 0 in $MS ms; $(head -n 1 "$T/err")"
done

# With the FIFO removed, the mark kept in the journal meanwhile is there,
# and the next change folds it into the state file.
rm "$T/shared/journal.folding/state.json.journal.folding"
run_bridge ask --no-stdin --key-file "$KEYS" --state "$T/shared/journal.folding/state.json" \
    --base-url "$MOCK_URL" q
expect_rc 0
expect_out_eq "answered"
expect_err_empty
run_bridge keys reset good --key-file "$KEYS" --state "$T/shared/journal.folding/state.json"
expect_rc 0
grep -q '"label": *"rate"' "$T/shared/journal.folding/state.json" ||
    fail "the mark kept in the journal was not folded once the FIFO was gone"
echo "state_fifo_siblings passed"
