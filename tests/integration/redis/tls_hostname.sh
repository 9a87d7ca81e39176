#!/usr/bin/env bash
# rediss:// checks the server's certificate, its chain and its name: a
# certificate that a trusted authority made for another name (or another
# address) is refused like an unreachable server (one warning, the local
# state file), and the right one is used. hiredis's own TLS context sent
# the name but never checked it. In a build without TLS for Redis
# (Debian 12's hiredis has none) bridge refuses rediss:// (exit 78) and
# this scenario is skipped, saying so.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K_ONE=sk-ant-test-tls-hostname-0001
start_mock '{"default": {"text": "served"}}'
setup_pool "one $K_ONE"

STATE="rediss://127.0.0.1:1/0"
run_pool keys status
if [[ $RC == 78 ]] && grep -q "built without TLS support for Redis" "$T/err"; then
    echo "skipped: this bridge was built without TLS support for Redis (hiredis_ssl)"
    exit 77
fi
command -v openssl >/dev/null || fail "openssl is not installed"
command -v redis-server >/dev/null || fail "redis-server is not installed (.ci/install-deps --test)"

# An authority, and two server certificates signed by it: one for
# 127.0.0.1, one for another name and address.
pki="$T/pki"
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bridge test CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
# cert NAME SAN: a key and a certificate for SAN, signed by the authority.
cert() {
    local name=$1 san=$2
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$pki/$name.key" \
        -out "$pki/$name.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "$san" >"$pki/$name.ext"
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
        -CAcreateserial -days 2 -extfile "$pki/$name.ext" -out "$pki/$name.pem" 2>/dev/null
}
cert right "IP:127.0.0.1"
cert wrong "DNS:wrong.example,IP:10.9.8.7"

# tls_redis NAME: redis-server over TLS only, with certificate NAME; sets TLS_PORT.
TLS_PID=
tls_redis() {
    local name=$1 i
    [[ -n "$TLS_PID" ]] && _stop_pid "$TLS_PID"
    TLS_PORT=$((20000 + RANDOM % 40000))
    redis-server --port 0 --tls-port "$TLS_PORT" --bind 127.0.0.1 --tls-cert-file "$pki/$name.pem" \
        --tls-key-file "$pki/$name.key" --tls-ca-cert-file "$pki/ca.pem" --tls-auth-clients no \
        --save '' --appendonly no --dir "$T" >"$T/tls-redis.log" 2>&1 &
    TLS_PID=$!
    _MOCK_PIDS["tls-redis"]=$TLS_PID
    for ((i = 0; i < 200; i++)); do
        grep -q 'Ready to accept connections' "$T/tls-redis.log" && return 0
        kill -0 "$TLS_PID" 2>/dev/null || fail "redis-server with TLS did not start: $(tail -3 "$T/tls-redis.log")"
        sleep 0.05
    done
    fail "redis-server with TLS did not start"
}
export SSL_CERT_FILE="$pki/ca.pem"

tls_redis wrong
STATE="rediss://127.0.0.1:$TLS_PORT/0?timeout=$REDIS_TIMEOUT_MS"
run_pool ask --no-stdin "hi"
expect_rc 0
expect_out_eq "served"
expect_err_contains "shared state rediss://127.0.0.1:$TLS_PORT/0: TLS: certificate verify failed"
expect_err_contains "using the local state file"

tls_redis right
run_pool ask --no-stdin "hi"
expect_rc 0
expect_out_eq "served"
expect_err_empty
echo "ok"
