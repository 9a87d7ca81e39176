#!/usr/bin/env bash
# IAM access keys (ACCESS_KEY_ID:SECRET_ACCESS_KEY in bedrock.keys) are signed
# with SigV4 by libcurl, which signs the %3A of Claude model ids the way AWS
# does only from 8.9.0. With an older libcurl (Debian 12's 7.88.1) a pool
# holding an IAM key is refused with exit 78 before any request, naming the
# libcurl version and the fix, and naming the key by label and the hint of its
# access key id: no character of the secret access key is ever printed.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY'
ID=AKIAIOSFODNN7EXAMPLE
BEARER=ABSKYmVhcmVyLWtleS10ZXN0LTAx
start_mock '{"default": {"text": "signed"}}'
export BRIDGE_PROVIDER=bedrock AWS_REGION=us-east-1
setup_pool "bearer $BEARER" "iam $ID:$SECRET"

# The libcurl of the system, which bridge links (curl --version names it).
LIBCURL=$(curl --version 2>/dev/null | head -n 1 | grep -o 'libcurl/[0-9.]*' | cut -d/ -f2)
if [[ -z "$LIBCURL" ]]; then
    echo "cannot tell the libcurl version: skipped"
    exit 77
fi
if [[ "$(printf '%s\n8.9.0\n' "$LIBCURL" | sort -V | head -n 1)" == "8.9.0" ]]; then
    echo "libcurl $LIBCURL signs Bedrock paths right: the refusal does not apply (skipped)"
    exit 77
fi

for cmd in ask stream; do
    run_pool "$cmd" -v x
    expect_rc 78
    expect_err_contains "key 'iam' (line 2, AKIA...MPLE)"
    expect_err_contains "libcurl $LIBCURL"
    expect_err_contains "8.9.0"
    expect_err_contains "bookworm-backports"
    for part in "$SECRET" "${SECRET:0:12}" "${SECRET: -12}" "${SECRET:14:12}" "$ID:"; do
        expect_err_not_contains "$part"
        expect_out_not_contains "$part"
    done
done
expect_requests 0
[[ ! -e "$STATE" ]] || ! grep -q "${SECRET:0:8}" "$STATE" || fail "the secret is in the state file"

# BYOK takes a Bearer token only; an IAM key there is refused the same way.
AWS_BEARER_TOKEN_BEDROCK="$ID:$SECRET" run_bridge ask --base-url "$MOCK_URL" x
expect_rc 78
expect_err_contains "AWS_BEARER_TOKEN_BEDROCK"
expect_err_not_contains "${SECRET:0:12}"
expect_requests 0
