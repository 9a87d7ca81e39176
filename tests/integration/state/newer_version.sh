#!/usr/bin/env bash
# docs/contract.md (the state file): "a newer version is refused with exit 78 (not destroyed)". A state
# file written by a newer bridge (version 2, a huge version, and the largest
# unsigned 64-bit number, which must not wrap round to something "older"):
# ask, stream, keys status and keys reset all exit 78 with a message naming
# the file, before anything is sent upstream, and the file is left byte for
# byte as it was: no .corrupt copy, no temporary file. BYOK mode does not
# read the state file at all, so it is not affected.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

start_mock '{"default": {"status": 429, "headers": {"retry-after": 600}}}'
KEYS=$(write_key_file "one sk-ant-newer-one-aaaaaaaaaaaaaaaaa" "two sk-ant-newer-two-bbbbbbbbbbbbbbbbb")
D="$T/state"
STATE="$D/state.json"
mkdir -p "$D"
chmod 700 "$D"

for version in 2 999999999999 18446744073709551615; do
    cat >"$STATE" <<EOF
{"version": $version, "keys": {"sha256:0123456789abcdef0123456789abcdef": {"label": "one", "mark": "cooling", "format": "from the future"}}, "new_top_level": [1, 2, 3]}
EOF
    chmod 600 "$STATE"
    cp "$STATE" "$T/orig"
    for cmd in "ask --no-stdin --base-url $MOCK_URL q" "stream --no-stdin --base-url $MOCK_URL q" \
        "ask --json --no-stdin --base-url $MOCK_URL q" "keys status" "keys status --json" "keys reset" "keys reset one"; do
        # shellcheck disable=SC2086
        run_bridge --key-file "$KEYS" --state "$STATE" $cmd
        sane
        _LAST_CMD="$_LAST_CMD (version $version)"
        expect_rc 78
        expect_out_empty
        expect_err_contains "$STATE"
        expect_err_contains "newer"
        cmp -s "$T/orig" "$STATE" || fail "version $version: '${cmd%% --base-url*}' changed the state file"
        [[ ! -e "$STATE.corrupt" ]] || fail "version $version: '${cmd%% --base-url*}' set the file aside as corrupt"
        [[ -z "$(find "$D" -name 'state.json.tmp.*')" ]] || fail "version $version: temporary files left"
    done
    echo "version $version: refused with exit 78 by every command, file unchanged"
done
expect_requests 0

# BYOK neither reads nor writes the state file, even at the default path.
mkdir -p "$XDG_STATE_HOME/bridge"
cp "$T/orig" "$XDG_STATE_HOME/bridge/state.json"
ANTHROPIC_API_KEY=sk-ant-newer-byok-ccccccccccccccccc run_bridge ask --no-stdin --base-url "$MOCK_URL" q
sane
expect_rc 75
cmp -s "$T/orig" "$XDG_STATE_HOME/bridge/state.json" || fail "BYOK changed the state file"

echo "local_state_newer_version passed"
