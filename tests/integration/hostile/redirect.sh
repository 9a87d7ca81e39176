#!/usr/bin/env bash
# docs/contract.md (safety): "Redirects are never followed (a key must not travel to another
# host)." The upstream answers 301/302/303/307/308 with a Location on a
# second mock (another loopback port). For ask, ask --json, stream,
# stream --raw and BYOK: the second port receives nothing at all, so no key
# reaches it; the redirect is reported as an upstream error (exit 1, the
# status named), without failover to the next key.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/hostile.sh
source "$(dirname "$0")/../lib/hostile.sh"

start_mock '{"default": {"text": "you followed the redirect"}}' land
LAND=$(mock_url land)

script='{"keys": {'
for status in 301 302 303 307 308; do
    script+="\"sk-ant-redirect-$status-aaaaaaaaaaaaaa\": {\"status\": $status, \"headers\": {\"Location\": \"$LAND/v1/messages\"}, \"body\": \"\"},"
done
script+='"sk-ant-redirect-html-aaaaaaaaaaaaaa": {"status": 302, "headers": {"Location": "'"$LAND"'/v1/messages"}, "content_type": "text/html", "body": "<a href=\"'"$LAND"'/v1/messages\">moved</a>"},'
script+='"sk-ant-redirect-next-bbbbbbbbbbbbbb": {"text": "must not be asked"}}}'
start_mock "$script"

for status in 301 302 303 307 308 html; do
    KEYS=$(write_key_file "first sk-ant-redirect-$status-aaaaaaaaaaaaaa" "next sk-ant-redirect-next-bbbbbbbbbbbbbb")
    for mode in "ask" "ask --json" "stream" "stream --raw"; do
        # shellcheck disable=SC2086
        run_bridge $mode -v --no-stdin --key-file "$KEYS" --state "$T/state/state.json" --base-url "$MOCK_URL" q
        sane
        expect_rc 1
        expect_out_empty
        expect_out_not_contains "you followed the redirect"
        [[ "$status" == html ]] || expect_err_contains "$status"
    done
done

# BYOK: one key, default retries 2; a redirect is not retried, not followed.
rm -f "$XDG_CONFIG_HOME/bridge/keys"
for status in 302 307; do
    export ANTHROPIC_API_KEY="sk-ant-redirect-$status-aaaaaaaaaaaaaa"
    run_bridge ask -v --no-stdin --base-url "$MOCK_URL" q
    sane
    expect_rc 1
    expect_out_empty
    expect_err_contains "$status"
    unset ANTHROPIC_API_KEY
done

# The second port never saw a connection, let alone a key.
expect_requests 0 land
expect_connections 0 land
[[ ! -s "$(mock_log land)" ]] || fail "the redirect target logged requests: $(head -c 2000 "$(mock_log land)")"
# No failover on a redirect: the next key of the pool was never sent.
expect_key_requests sk-ant-redirect-next-bbbbbbbbbbbbbb 0
# Each redirecting key was asked once per run and not retried.
expect_key_requests sk-ant-redirect-301-aaaaaaaaaaaaaa 4
expect_key_requests sk-ant-redirect-302-aaaaaaaaaaaaaa 5
expect_key_requests sk-ant-redirect-307-aaaaaaaaaaaaaa 5

echo "hostile_redirect passed"
