#!/usr/bin/env bash
# The mock checks SigV4 signatures of Bedrock requests as AWS does, given the
# IAM keys it knows (BRIDGE_MOCK_AWS_KEYS, tests/mock/README.md): curl, which
# signs with --aws-sigv4, is verified when it signs with the right secret and
# answered 403 InvalidSignatureException with a wrong one, and a key id the
# mock does not know gets UnrecognizedClientException, both in Bedrock's error
# shape. A model id with ':' is signed right only by libcurl 8.9.0 or later
# (the path encoded once more than sent): the mock refuses older libcurls'
# signature of it, as AWS does, and accepts a newer one's.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

ID=AKIAMOCKSIGV4TEST001
SECRET='mockSigV4/secret+Key0123456789abcdefghij'
BRIDGE_MOCK_AWS_KEYS="$ID:$SECRET" start_mock '{"default": {"text": "signature checked"}}'

# sign MODEL USER: POST /model/MODEL/invoke signed by curl for USER (ID:SECRET,
# given in a config file rather than argv); the status goes to $T/status, the
# headers to $T/head, the body to $T/body.
sign() {
    printf 'user = "%s"\n' "$2" >"$T/curl.conf"
    curl -sS --noproxy '*' --max-time "$HANG_GUARD_S" -K "$T/curl.conf" \
        --aws-sigv4 "aws:amz:us-east-1:bedrock" -H 'content-type: application/json' \
        -D "$T/head" -o "$T/body" -w '%{http_code}' \
        --data '{"anthropic_version":"bedrock-2023-05-31","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}' \
        "$MOCK_URL/model/$1/invoke" >"$T/status" || fail "curl could not reach the mock"
}
expect_status() {
    [[ "$(cat "$T/status")" == "$1" ]] || fail "status $(cat "$T/status"), wanted $1: $(cat "$T/body")"
}

sign anthropic.claude-3-haiku-20240307-v1 "$ID:$SECRET"
expect_status 200
grep -q '"text":"signature checked"' "$T/body" || fail "not the scripted answer: $(cat "$T/body")"

sign anthropic.claude-3-haiku-20240307-v1 "$ID:${SECRET}x"
expect_status 403
grep -qi '^x-amzn-ErrorType: InvalidSignatureException' "$T/head" || fail "headers: $(cat "$T/head")"
grep -q '"message":"The request signature we calculated does not match' "$T/body" ||
    fail "body: $(cat "$T/body")"

sign anthropic.claude-3-haiku-20240307-v1 "AKIAMOCKSIGV4OTHER01:$SECRET"
expect_status 403
grep -qi '^x-amzn-ErrorType: UnrecognizedClientException' "$T/head" || fail "headers: $(cat "$T/head")"

# A Claude model id with ':' (sent as %3A): right from libcurl 8.9.0 only.
LIBCURL=$(curl --version | head -n 1 | grep -o 'libcurl/[0-9.]*' | cut -d/ -f2)
sign anthropic.claude-3-5-sonnet-20240620-v1%3A0 "$ID:$SECRET"
if [[ "$(printf '%s\n8.9.0\n' "$LIBCURL" | sort -V | head -n 1)" == "8.9.0" ]]; then
    expect_status 200
else
    expect_status 403
    grep -qi '^x-amzn-ErrorType: InvalidSignatureException' "$T/head" || fail "headers: $(cat "$T/head")"
fi

# The log names the key by its access key id; the secret never travelled.
expect_mock_log_contains "\"key\":\"$ID\""
expect_mock_log_not_contains "${SECRET:0:12}"
