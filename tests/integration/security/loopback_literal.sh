#!/usr/bin/env bash
# Plain http:// is allowed only to a loopback *address*: "127." followed by
# digits and dots is not enough. 127.0.0.256 and 127.1.2.3456 are not IPv4
# addresses; libcurl would look them up as host names, and a resolver that
# answers would get the key in clear text. They are refused with exit 78
# before any network access: a proxy set in the environment (a mock that
# logs everything) sees nothing, and no key is sent anywhere. Literal
# loopback addresses (127.0.0.1, 127.x.y.z) still work.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KEY=sk-ant-test-loopback-literal-Ll0001
start_mock '{"default": {"text": "loopback ok"}}'
start_mock '{"default": {}}' proxy
PROXY=$(mock_url proxy)
port=${MOCK_URL##*:}
setup_pool "only $KEY"
for url in "http://127.0.0.256:$port" "http://127.1.2.3456:$port" "http://127.0.0.256" \
    "http://127.1.2.3456/" "http://127.0.0.1.2:$port"; do
    for cmd in ask stream; do
        http_proxy=$PROXY HTTP_PROXY=$PROXY ALL_PROXY=$PROXY POOL_URL=$url run_pool "$cmd" "hi"
        expect_rc 78
        expect_out_empty
        expect_err_contains "loopback"
    done
done
expect_requests 0 proxy
expect_requests 0
# (libcurl's URL parser rewrites the short form 127.0.1 to 127.0.0.1 before
# anything is checked or connected to, so that one is loopback.)
# A real loopback address other than 127.0.0.1 (the mock listens on
# 127.0.0.1 only, so this one is refused by the kernel: exit 69, not 78).
POOL_URL="http://127.0.0.2:$port" run_pool ask "hi"
[[ $RC -ne 78 ]] || fail "127.0.0.2 is a loopback address and must be allowed"
POOL_URL="http://127.0.0.1:$port" run_pool ask "hi"
expect_rc 0
expect_out_eq "loopback ok"
echo "security_loopback_literal passed"
