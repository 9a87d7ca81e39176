#!/usr/bin/env bash
# A loopback base URL never goes through a proxy. With every proxy variable
# set (http_proxy, HTTP_PROXY, https_proxy, HTTPS_PROXY, all_proxy,
# ALL_PROXY) and no no_proxy, `ask` and `stream` to http://127.0.0.1:PORT and
# http://localhost:PORT reach the upstream directly, and so do the probes
# of `keys check`: the fake proxy (a
# bridge-mock that logs every request it gets, whatever its target, and
# would answer 401 to disable the key) receives nothing at all, and its log
# holds no key. Were the request to go through it, the proxy would read the
# key in clear text.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

KEY=sk-ant-test-proxy-loopback-Pp0001
start_mock '{"default": {"text": "direct"}}'
start_mock '{"default": {"status": 401, "body": "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"proxy says no\"}}"}}' proxy
PROXY=$(mock_url proxy)
export http_proxy=$PROXY HTTP_PROXY=$PROXY https_proxy=$PROXY HTTPS_PROXY=$PROXY \
    all_proxy=$PROXY ALL_PROXY=$PROXY
port=${MOCK_URL##*:}

for base in "$MOCK_URL" "http://localhost:$port" "http://LOCALHOST:$port/"; do
    for cmd in ask stream; do
        setup_pool "only $KEY"
        STATE="$T/state-$cmd-${#base}/state.json"
        POOL_URL=$base run_pool "$cmd" -v "hi"
        expect_rc 0
        expect_out_eq "direct"
        expect_requests 0 proxy
    done
done
# keys check probes every key of the pool at once (its own libcurl handles):
# the same road, for each of them.
setup_pool "one $KEY" "two ${KEY}2"
for base in "$MOCK_URL" "http://localhost:$port"; do
    POOL_URL=$base run_pool keys check
    expect_rc 0
    expect_requests 0 proxy
done
# BYOK takes the same road.
ANTHROPIC_API_KEY=$KEY run_bridge ask --no-stdin --base-url "$MOCK_URL" hi
expect_rc 0
expect_out_eq "direct"
expect_requests 0 proxy
[[ ! -s "$(mock_log proxy)" ]] || fail "the proxy logged a request: $(head -c 2000 "$(mock_log proxy)")"
! grep -qF "$KEY" "$(mock_log proxy)" 2>/dev/null || fail "the key reached the proxy"
expect_key_requests "$KEY" 9
echo "security_proxy_loopback passed"
