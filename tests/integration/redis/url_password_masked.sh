#!/usr/bin/env bash
# A password in a --state URL is never printed, whatever it holds: '/', '?',
# '#' and '@' (base64 passwords hold '/') split a URL that was not
# %-encoded, and the part of the password after them used to be quoted in
# the message ("bad port 'S3cr'") with the whole URL. Each malformed URL is
# refused (exit 78) with the password masked, from --state and from
# BRIDGE_STATE alike, and the message says how to write such a password.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

setup_pool "one sk-ant-test-url-masked-0001"
# Distinctive pieces, so that any one of them showing is a leak.
pieces=(Alpha7 Bravo8 Charlie9 Delta0 Echo1)
urls=(
    "redis://:Alpha7/Bravo8@127.0.0.1:6379/0"
    "redis://user:Alpha7?Bravo8@127.0.0.1:6379"
    "redis://:Alpha7#Bravo8@127.0.0.1"
    "redis://:Alpha7/Bravo8?Charlie9#Delta0@Echo1@127.0.0.1:6379/0"
    "redis://:Zm9vAlpha7/YmFyBravo8+Yg==@10.0.0.1:6379/0"
    "rediss://:Alpha7/Bravo8:99@localhost:6380"
    "unix://:Alpha7/Bravo8@/run/redis.sock?db=x"
    "redis:Alpha7/Bravo8@host"
)
for url in "${urls[@]}"; do
    for how in option env; do
        if [[ $how == option ]]; then
            run_bridge keys status --key-file "$KEYS" --state "$url"
        else
            BRIDGE_STATE=$url run_bridge keys status --key-file "$KEYS"
        fi
        expect_rc 78
        if [[ $how == option ]]; then
            expect_err_contains "--state "
        else
            expect_err_contains "BRIDGE_STATE "
        fi
        for piece in "${pieces[@]}"; do
            grep -qF -- "$piece" "$T/err" && fail "$how $url: '$piece' of the password was printed"
        done
    done
done
# The hint for a password that was not %-encoded.
run_bridge keys status --key-file "$KEYS" --state "redis://:Alpha7/Bravo8@127.0.0.1:6379/0"
expect_err_contains "must be %-encoded in the URL: %2F, %3F, %23, %40"
# The same password %-encoded is a valid URL: the server is named without it.
run_bridge keys status --key-file "$KEYS" --state "redis://:Alpha7%2FBravo8@127.0.0.1:1/0?timeout=2000"
expect_rc 0
expect_err_contains "shared state redis://127.0.0.1:1/0: cannot connect"
for piece in "${pieces[@]}"; do
    expect_err_not_contains "$piece"
done
echo "ok"
