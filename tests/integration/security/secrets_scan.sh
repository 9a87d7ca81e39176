#!/usr/bin/env bash
# docs/contract.md (keys) "Showing keys": a key is never printed, logged, or written to the
# state file. Every subcommand (ask, stream, ask --json, stream --raw,
# keys status, keys status --json, keys reset, keys check, parse-retry-after) runs with
# -v through every failure mode: 429, 401, 403, 500 (with retries), network
# refused, transient and permanent exhaustion, --wait, a mid-stream error
# event and a mid-stream drop, a redirect, key files with bad lines (three
# fields, a duplicate key, a duplicate label, an unsendable character), a
# group-readable key file, a corrupt state file, BYOK through
# ANTHROPIC_API_KEY (success, 429, 401, a key with white space), and an
# upstream that quotes the credential it was sent in an error's message,
# type and code, in a non-JSON 500 body, in a stream's error event and in
# keys check's probe (ask, stream, --json, --raw, keys check); Bedrock's Bearer
# keys through throttling, refusal, a quoted key and an exception frame, and
# an IAM key (ACCESS_KEY_ID:SECRET_ACCESS_KEY) refused on an old libcurl, its
# secret access key scanned for on its own too. Distinctive
# keys hold '+', '/' and '=' so that their encodings differ. Afterwards
# stdout, stderr, the state directories (every file: state.json, .lock,
# .corrupt, temporaries), HOME and the TMPDIR given to bridge are scanned for
# every key: raw, any 12 characters of it in a row, base64 (all three
# alignments), URL-encoded, JSON-escaped and hex. None may appear.
# The same runs with every proxy variable pointing at a fake proxy (a mock
# that logs whatever reaches it): its log is scanned too. Two bridges
# (pool and BYOK) are killed by SIGSEGV mid-request with `ulimit -c
# unlimited` in $T/cores: any core file there is scanned.
# (The upstream mock's request log holds the keys by design: it is not
# scanned.)
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"
# shellcheck source=tests/integration/lib/secrets.sh
source "$(dirname "$0")/../lib/secrets.sh"

# ---- distinctive keys ------------------------------------------------------------
declare -A K=()
for tag in RATE AUTH PERM FAIL GOOD MIDERR DROP REDIR WAIT BYOKOK BYOKRATE BYOKAUTH DUP THREE BADCHAR \
    ECHOMSG ECHOTYPE ECHOCODE ECHOBODY ECHOSTREAM BYOKECHO; do
    K[$tag]="sk-ant-api03-${tag}+Qx7/Zr9=Lm3+Np5/Vt8=wS${#tag}k"
done
# A key that is not sendable (non-ASCII) and one with white space (BYOK).
K[BADCHAR]="sk-ant-api03-BADCHAR+Qx7/Zr9=Lm3é+Np5/Vt8=wS7k"
K[BYOKSPACE]="sk-ant-api03-BYOKSPACE+Qx7/Zr9 Lm3+Np5/Vt8=wS9k"

start_mock '{"default": {"text": "landed"}}' land
LAND=$(mock_url land)
start_mock '{"default": {}}' dead
DEAD=$(mock_url dead)
stop_mock dead

script='{"keys": {'
script+="\"${K[RATE]}\": {\"status\": 429, \"headers\": {\"retry-after\": 600}},"
script+="\"${K[AUTH]}\": {\"status\": 401},"
script+="\"${K[PERM]}\": {\"status\": 403},"
script+="\"${K[FAIL]}\": {\"status\": 500},"
script+="\"${K[GOOD]}\": {\"text\": \"good answer\"},"
script+="\"${K[MIDERR]}\": {\"error_after\": 1},"
script+="\"${K[DROP]}\": {\"drop_after\": 1},"
script+="\"${K[REDIR]}\": {\"status\": 302, \"headers\": {\"Location\": \"$LAND/v1/messages\"}},"
script+="\"${K[WAIT]}\": [{\"status\": 429, \"headers\": {\"retry-after-ms\": 300}}, {\"text\": \"after waiting\"}],"
script+="\"${K[BYOKOK]}\": {\"text\": \"byok answer\"},"
script+="\"${K[BYOKRATE]}\": {\"status\": 429},"
script+="\"${K[BYOKAUTH]}\": {\"status\": 401},"
# An upstream that quotes the credential it was sent.
script+="\"${K[ECHOMSG]}\": {\"status\": 401, \"error_message\": \"Incorrect API key provided: {{credential}}\"},"
script+="\"${K[ECHOTYPE]}\": {\"status\": 403, \"error_type\": \"{{credential}}\"},"
script+="\"${K[ECHOCODE]}\": {\"status\": 400, \"error_code\": \"{{key}}\", \"error_message\": \"{{key}}\"},"
script+="\"${K[ECHOBODY]}\": {\"status\": 500, \"content_type\": \"text/plain\", \"body\": \"denied {{credential}}\"},"
script+="\"${K[ECHOSTREAM]}\": {\"error_after\": 1, \"error_type\": \"{{key}}\", \"error_message\": \"{{credential}}\"},"
script+="\"${K[BYOKECHO]}\": {\"status\": 401, \"error_type\": \"{{key}}\", \"error_message\": \"{{credential}}\"}"
script+='},'
script+="\"probe\": {\"${K[ECHOMSG]}\": {\"status\": 401, \"error_message\": \"{{credential}}\"},"
script+="\"${K[ECHOTYPE]}\": {\"status\": 403, \"error_type\": \"{{credential}}\"},"
script+="\"${K[ECHOBODY]}\": {\"status\": 500, \"content_type\": \"text/html\", \"body\": \"{{key}}\"},"
script+="\"${K[BYOKECHO]}\": {\"status\": 401, \"error_type\": \"{{key}}\", \"error_message\": \"{{credential}}\"}}"
script+='}'
start_mock "$script"

# ---- where bridge may write, all scanned ---------------------------------------------
STATE_DIR="$T/state"
STATE="$STATE_DIR/state.json"
export TMPDIR="$T/tmpdir"
mkdir -p "$TMPDIR" "$T/runs" "$T/kf"
N=0

# kf NAME LINE...: a key file (mode 0600 unless KF_MODE is set), outside the scanned places.
kf() {
    local file="$T/kf/$1"
    shift
    (umask 077 && printf '%s\n' "$@" >"$file")
    chmod "${KF_MODE:-600}" "$file"
    printf '%s\n' "$file"
}
# r EXPECTED_RC ARGS...: one bridge run, its output kept for the scan.
r() {
    local want=$1
    shift
    N=$((N + 1))
    run_bridge "$@"
    sane
    cp "$T/out" "$T/runs/$N.out"
    cp "$T/err" "$T/runs/$N.err"
    [[ "$RC" == "$want" ]] || fail "run $N: expected exit $want, got $RC"
}
U=(--base-url "$MOCK_URL")

# ---- pool mode: 429, 401, 403, then an answer; then the same walk skipping ------------
P1=$(kf p1 "rate ${K[RATE]}" "auth ${K[AUTH]}" "perm ${K[PERM]}" "good ${K[GOOD]}")
r 0 ask -v --no-stdin --key-file "$P1" --state "$STATE" "${U[@]}" q
expect_err_contains "key rate"
expect_err_contains "disabled"
r 0 stream -v --no-stdin --key-file "$P1" --state "$STATE" "${U[@]}" q
expect_err_contains "skipped"
r 0 ask --json -v --no-stdin --key-file "$P1" --state "$STATE" "${U[@]}" q
r 0 stream --raw -v --no-stdin --key-file "$P1" --state "$STATE" "${U[@]}" q

# ---- 500, with and without retries ------------------------------------------------
P2=$(kf p2 "fail ${K[FAIL]}" "good ${K[GOOD]}")
r 1 ask -v --no-stdin --key-file "$P2" --state "$STATE" "${U[@]}" q
r 1 ask --json -v --retries 2 --no-stdin --key-file "$P2" --state "$STATE" "${U[@]}" q
expect_err_contains "retry"
r 1 stream -v --no-stdin --key-file "$P2" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$P2" --state "$STATE" "${U[@]}" q

# ---- exhaustion: transient (one cooling, one disabled), permanent ------------------------
P3=$(kf p3 "rate ${K[RATE]}" "auth ${K[AUTH]}")
r 75 ask -v --no-stdin --key-file "$P3" --state "$STATE" "${U[@]}" q
r 75 ask --json -v --no-stdin --key-file "$P3" --state "$STATE" "${U[@]}" q
r 75 stream --raw -v --no-stdin --key-file "$P3" --state "$STATE" "${U[@]}" q
P4=$(kf p4 "auth ${K[AUTH]}" "perm ${K[PERM]}")
r 77 ask -v --no-stdin --key-file "$P4" --state "$STATE" "${U[@]}" q
r 77 stream --raw -v --no-stdin --key-file "$P4" --state "$STATE" "${U[@]}" q
P5=$(kf p5 "wait ${K[WAIT]}")
r 0 ask -v --wait=5 --no-stdin --key-file "$P5" --state "$STATE" "${U[@]}" q
expect_err_contains "waiting"

# ---- network refused ------------------------------------------------------------
P6=$(kf p6 "good ${K[GOOD]}")
r 69 ask -v --no-stdin --key-file "$P6" --state "$STATE" --base-url "$DEAD" q
r 69 ask --json -v --retries 1 --no-stdin --key-file "$P6" --state "$STATE" --base-url "$DEAD" q
r 69 stream --raw -v --no-stdin --key-file "$P6" --state "$STATE" --base-url "$DEAD" q

# ---- mid-stream error and drop ------------------------------------------------------
P7=$(kf p7 "miderr ${K[MIDERR]}" "good ${K[GOOD]}")
r 1 stream -v --no-stdin --key-file "$P7" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$P7" --state "$STATE" "${U[@]}" q
P8=$(kf p8 "drop ${K[DROP]}" "good ${K[GOOD]}")
r 1 stream -v --no-stdin --key-file "$P8" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$P8" --state "$STATE" "${U[@]}" q

# ---- a redirect -----------------------------------------------------------------
P9=$(kf p9 "redir ${K[REDIR]}" "good ${K[GOOD]}")
r 1 ask -v --no-stdin --key-file "$P9" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$P9" --state "$STATE" "${U[@]}" q

# ---- bad key files: never echo a line --------------------------------------------------
B1=$(kf b1 "ok ${K[GOOD]}" "three ${K[THREE]} extra-field")
r 78 ask -v --no-stdin --key-file "$B1" --state "$STATE" "${U[@]}" q
r 78 keys status -v --key-file "$B1" --state "$STATE"
B2=$(kf b2 "one ${K[DUP]}" "two ${K[DUP]}")
r 78 ask -v --no-stdin --key-file "$B2" --state "$STATE" "${U[@]}" q
r 78 keys reset -v --key-file "$B2" --state "$STATE"
B3=$(kf b3 "same ${K[GOOD]}" "same ${K[DUP]}")
r 78 keys status --json -v --key-file "$B3" --state "$STATE"
B4=$(kf b4 "bad ${K[BADCHAR]}")
r 78 ask -v --no-stdin --key-file "$B4" --state "$STATE" "${U[@]}" q
B5=$(kf b5 "${K[THREE]} ${K[DUP]} ${K[GOOD]}")
r 78 stream -v --no-stdin --key-file "$B5" --state "$STATE" "${U[@]}" q
B6=$(KF_MODE=644 kf b6 "good ${K[GOOD]}")
r 0 ask -v --no-stdin --key-file "$B6" --state "$STATE" "${U[@]}" q
expect_err_contains "readable by group or others"

# ---- keys of one provider sent to another: refused before any request, never shown ------
before=$(mock_stats | grep -o '"requests":[0-9]*')
r 78 --provider openai ask -v --no-stdin --key-file "$P1" --state "$STATE" --base-url "$MOCK_URL/v1" q
r 78 --provider openai keys check --json -v --key-file "$P1" --state "$STATE" --base-url "$MOCK_URL/v1"
OPENAI_API_KEY=${K[GOOD]} r 78 --provider openai stream -v --no-stdin --state "$STATE" --base-url "$MOCK_URL/v1" q
[[ $(mock_stats | grep -o '"requests":[0-9]*') == "$before" ]] || fail "a key went to the wrong provider's API"

# ---- keys status / reset with marks present --------------------------------------------
r 0 keys status -v --key-file "$P1" --state "$STATE"
expect_out_contains "cooling"
r 0 keys status --json -v --key-file "$P1" --state "$STATE"
r 0 keys reset -v rate --key-file "$P1" --state "$STATE"
r 0 keys status -v --key-file "$P1" --state "$STATE"
r 0 keys reset -v --key-file "$P1" --state "$STATE"

# ---- keys check: every key probed at once, answered, refused (77) or unreachable ---------
r 0 keys check -v --key-file "$P1" --state "$STATE" "${U[@]}"
r 77 keys check --json -v --key-file "$P4" --state "$STATE" "${U[@]}"
r 69 keys check -v --key-file "$P6" --state "$STATE" --base-url "$DEAD"

# ---- an upstream that quotes the key it was sent -------------------------------------------
E1=$(kf e1 "echomsg ${K[ECHOMSG]}" "echotype ${K[ECHOTYPE]}" "echocode ${K[ECHOCODE]}")
r 1 ask -v --no-stdin --key-file "$E1" --state "$STATE" "${U[@]}" q
r 1 ask --json -v --no-stdin --key-file "$E1" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$E1" --state "$STATE" "${U[@]}" q
E2=$(kf e2 "echobody ${K[ECHOBODY]}" "echostream ${K[ECHOSTREAM]}")
r 1 ask -v --retries 0 --no-stdin --key-file "$E2" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --retries 0 --no-stdin --key-file "$E2" --state "$STATE" "${U[@]}" q
E3=$(kf e3 "echostream ${K[ECHOSTREAM]}")
r 1 stream -v --no-stdin --key-file "$E3" --state "$STATE" "${U[@]}" q
r 1 stream --raw -v --no-stdin --key-file "$E3" --state "$STATE" "${U[@]}" q
E4=$(kf e4 "echomsg ${K[ECHOMSG]}" "echotype ${K[ECHOTYPE]}" "echobody ${K[ECHOBODY]}")
r 1 keys check -v --key-file "$E4" --state "$STATE" "${U[@]}"
r 1 keys check --json -v --key-file "$E4" --state "$STATE" "${U[@]}"
r 0 keys status --json -v --key-file "$E4" --state "$STATE"
r 0 keys reset -v --key-file "$E4" --state "$STATE"

# ---- a corrupt state file (kept aside as .corrupt, scanned too) -------------------------
printf '{"version": 1, "keys": {' >"$STATE"
r 0 ask -v --no-stdin --key-file "$P1" --state "$STATE" "${U[@]}" q
expect_err_contains "corrupt"
[[ -e "$STATE.corrupt" ]] || fail "no .corrupt file to scan"

# ---- BYOK ----------------------------------------------------------------------------
export ANTHROPIC_API_KEY="${K[BYOKOK]}"
r 0 ask -v --no-stdin "${U[@]}" q
r 0 stream -v --no-stdin "${U[@]}" q
r 0 stream --raw -v --no-stdin "${U[@]}" q
r 0 keys status -v
r 0 keys status --json -v
r 78 keys reset -v
r 0 -v parse-retry-after -H 'retry-after: 3'
printf 'HTTP/1.1 429 Too Many Requests\r\nx-api-key: %s\r\nauthorization: Bearer %s\r\nretry-after: 2\r\n\r\n' \
    "${K[GOOD]}" "${K[RATE]}" >"$T/headers"
r 0 -v parse-retry-after --seconds <"$T/headers"
r 2 -v parse-retry-after --bogus
export ANTHROPIC_API_KEY="${K[BYOKRATE]}"
r 75 ask -v --no-stdin "${U[@]}" q
r 75 ask --json -v --no-stdin "${U[@]}" q
export ANTHROPIC_API_KEY="${K[BYOKAUTH]}"
r 77 ask -v --no-stdin "${U[@]}" q
r 77 stream --raw -v --no-stdin "${U[@]}" q
export ANTHROPIC_API_KEY="${K[BYOKECHO]}"
r 77 ask -v --no-stdin "${U[@]}" q
r 77 ask --json -v --no-stdin "${U[@]}" q
r 77 keys check --json -v "${U[@]}"
export ANTHROPIC_API_KEY="${K[BYOKSPACE]}"
r 78 ask -v --no-stdin "${U[@]}" q
export ANTHROPIC_API_KEY="${K[BYOKOK]}"
r 69 ask -v --retries 1 --no-stdin --base-url "$DEAD" q
unset ANTHROPIC_API_KEY

# ---- every proxy variable set: nothing may go through the fake proxy ------------------
# (a bridge-mock that logs whatever reaches it; its log is scanned below)
start_mock '{"default": {"status": 401}}' fakeproxy
FAKE_PROXY=$(mock_url fakeproxy)
for v in http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY; do
    export "$v=$FAKE_PROXY"
done
r 0 ask -v --no-stdin --key-file "$P6" --state "$STATE" "${U[@]}" q
r 0 stream -v --no-stdin --key-file "$P6" --state "$STATE" "${U[@]}" q
r 1 ask -v --no-stdin --key-file "$P2" --state "$STATE" "${U[@]}" q
ANTHROPIC_API_KEY="${K[BYOKOK]}" r 0 ask -v --no-stdin "${U[@]}" q
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
[[ $(mock_requests fakeproxy) == 0 ]] || fail "the fake proxy received requests: $(mock_stats fakeproxy)"
PROXY_LOG=$(mock_log fakeproxy)
[[ -e "$PROXY_LOG" ]] || : >"$PROXY_LOG"

# ---- crashes mid-request with core dumps allowed (pool and BYOK) ----------------------
# Any core file written lands in $T/cores (core_pattern permitting) and is scanned.
start_mock '{"never_accept": true}' hang
mkdir -p "$T/cores"
crash() {
    local pid i
    (
        cd "$T/cores"
        ulimit -c unlimited 2>/dev/null || true
        exec "$BRIDGE" "$@" --no-stdin --base-url "$(mock_url hang)" --timeout 100 q >/dev/null 2>&1
    ) &
    pid=$!
    # Signal only bridge itself: before the exec, $pid is a copy of this
    # shell, whose variables hold every test key (its core would too).
    for ((i = 0; i < 1200; i++)); do
        [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$BRIDGE")" ]] && break
        sleep 0.05
    done
    [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$(readlink -f "$BRIDGE")" ]] ||
        fail "process $pid did not become bridge within 60 s"
    # Connected (the kernel completes the handshake; nobody reads): the key
    # is in the request bridge has sent or is sending, waiting for an answer
    # that never comes.
    wait_until "$HANG_GUARD_S" "bridge $pid connecting to the mock" tcp_connected "$pid"
    kill -SEGV "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
crash ask --key-file "$P6" --state "$STATE"
ANTHROPIC_API_KEY="${K[BYOKOK]}" crash stream
echo "core files after the crashes: $(ls -A "$T/cores" | tr '\n' ' ')(core_pattern: $(cat /proc/sys/kernel/core_pattern))"

# ---- Amazon Bedrock: Bearer keys through every answer; IAM keys refused (old libcurl) ------
for tag in BRRATE BRDENY BRGOOD BRECHO BRSTREAM BRBYOK; do
    K[$tag]="ABSK${tag}+Qx7/Zr9=Lm3+Np5/Vt8=wS${#tag}k"
done
K[BRIAMSECRET]='wJalrXUtnFEMI/K7MDENG+bPxRfiCYz=BRIAMx'
K[BRIAM]="AKIAIOSFODNN7BRIAMQQ:${K[BRIAMSECRET]}"
br='{"keys": {'
br+="\"${K[BRRATE]}\": {\"status\": 429, \"headers\": {\"retry-after\": 600}},"
br+="\"${K[BRDENY]}\": {\"status\": 403, \"error_type\": \"AccessDeniedException\"},"
br+="\"${K[BRGOOD]}\": {\"text\": \"bedrock answer\"},"
br+="\"${K[BRBYOK]}\": {\"text\": \"bedrock byok\"},"
br+="\"${K[BRECHO]}\": {\"status\": 400, \"error_type\": \"ValidationException\", \"error_message\": \"bad {{credential}}\"},"
br+="\"${K[BRSTREAM]}\": {\"error_after\": 1, \"error_type\": \"{{key}}\", \"error_message\": \"{{credential}}\"}"
br+='}}'
start_mock "$br" bedrock
BR=(--provider bedrock --region us-east-1 --base-url "$(mock_url bedrock)")
PB1=$(kf pb1 "rate ${K[BRRATE]}" "deny ${K[BRDENY]}" "good ${K[BRGOOD]}")
r 0 ask -v --no-stdin "${BR[@]}" --key-file "$PB1" --state "$STATE" q
r 0 stream -v --no-stdin "${BR[@]}" --key-file "$PB1" --state "$STATE" q
r 0 stream --raw -v --no-stdin "${BR[@]}" --key-file "$PB1" --state "$STATE" q
r 0 keys status --json -v "${BR[@]}" --key-file "$PB1" --state "$STATE"
r 0 keys check -v "${BR[@]}" --key-file "$PB1" --state "$STATE"
r 0 keys check --json "${BR[@]}" --key-file "$PB1" --state "$STATE"
PB2=$(kf pb2 "echo ${K[BRECHO]}" "stream ${K[BRSTREAM]}")
r 1 ask -v --no-stdin "${BR[@]}" --key-file "$PB2" --state "$STATE" q
r 1 ask --json -v --no-stdin "${BR[@]}" --key-file "$PB2" --state "$STATE" q
PB3=$(kf pb3 "stream ${K[BRSTREAM]}")
r 1 stream -v --no-stdin "${BR[@]}" --key-file "$PB3" --state "$STATE" q
r 1 stream --raw -v --no-stdin "${BR[@]}" --key-file "$PB3" --state "$STATE" q
AWS_BEARER_TOKEN_BEDROCK="${K[BRBYOK]}" r 0 ask -v --no-stdin "${BR[@]}" q
# An IAM key: refused before any request while libcurl is older than 8.9.0,
# signed by libcurl from then on (the mock answers any request); either way
# the secret access key must appear nowhere.
PB4=$(kf pb4 "good ${K[BRGOOD]}" "iam ${K[BRIAM]}")
iam_rc=78
curl_version=$(curl --version 2>/dev/null | head -n 1 | grep -o 'libcurl/[0-9.]*' | cut -d/ -f2)
[[ "$(printf '%s\n8.9.0\n' "$curl_version" | sort -V | head -n 1)" == "8.9.0" ]] && iam_rc=0
r $iam_rc ask -v --no-stdin "${BR[@]}" --key-file "$PB4" --state "$STATE" q
r $iam_rc stream --raw -v --no-stdin "${BR[@]}" --key-file "$PB4" --state "$STATE" q
AWS_BEARER_TOKEN_BEDROCK="${K[BRIAM]}" r $iam_rc ask -v --no-stdin "${BR[@]}" q
r $iam_rc keys check -v "${BR[@]}" --key-file "$PB4" --state "$STATE"

echo "$N runs made"

# ---- the scan ----------------------------------------------------------------------
scan_paths=("$T/runs" "$STATE_DIR" "$TMPDIR" "$HOME" "$PROXY_LOG" "$T/cores")
files=$(find "${scan_paths[@]}" -type f 2>/dev/null | wc -l)
state_files=$(find "$STATE_DIR" "$HOME" -type f -name 'state.json*' | tr '\n' ' ')
echo "scanning $files files (state: $state_files)"
[[ -n "$(find "$TMPDIR" -type f)" ]] && echo "note: bridge left files in TMPDIR: $(ls -A "$TMPDIR")"

leaks=()
for tag in "${!K[@]}"; do
    needles "${K[$tag]}" >"$T/needles"
    # Where each needle is (file, offset, a hint), never the bytes around
    # it: the files scanned include core files.
    while IFS= read -r hit; do
        leaks+=("key $tag: $hit")
    done < <(find_needles "$T/needles" "${scan_paths[@]}")
done
if ((${#leaks[@]} > 0)); then
    printf 'LEAK: %s\n' "${leaks[@]}" >&2
    exit 1
fi
echo "secrets_scan passed: ${#K[@]} keys, raw, pieces and 8 encodings each, $files files"
