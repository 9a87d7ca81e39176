#!/usr/bin/env bash
# The mock's OpenAI shape, read by the official `openai` npm package as a
# client (bench/openai_check.mjs): blocking and streamed completions, error
# bodies and headers, a mid-stream error and the model list. Tests never
# download: when no node_modules with `openai` is found (BRIDGE_OPENAI_SDK_DIR,
# or bench/node_modules, or bench/run's npm folder), the test is skipped with
# a message (exit 77); `bench/run` installs the package and runs this check
# as well.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

sdk_dir=${BRIDGE_OPENAI_SDK_DIR:-${BRIDGE_SOURCE_DIR:-}/bench}
# Else where bench/run installs the npm packages (see lib/core.sh).
if [[ -z "${BRIDGE_OPENAI_SDK_DIR:-}" && ! -f "$sdk_dir/node_modules/openai/package.json" ]]; then
    sdk_dir=$NODE_CACHE_DIR
fi
if ! command -v node >/dev/null || [[ ! -f "$sdk_dir/node_modules/openai/package.json" ]]; then
    echo "skipped: node or the openai npm package is missing (install it with" \
        "'npm install --prefix DIR openai' and set BRIDGE_OPENAI_SDK_DIR=DIR)"
    exit 77
fi

start_mock '{"keys": {
  "sk-check-ok": {},
  "sk-check-429": {"status": 429, "headers": {"x-ratelimit-reset-requests": "6m0s", "x-ratelimit-remaining-requests": "0"}},
  "sk-check-quota": {"status": 429, "error_type": "insufficient_quota", "error_code": "insufficient_quota",
                     "error_message": "You exceeded your current quota"},
  "sk-check-401": {"status": 401},
  "sk-check-mid": {"deltas": ["a", "b"], "error_after": 1, "error_type": "server_error", "error_message": "The model crashed"}}}'

# The check must sit next to a node_modules for `import 'openai'` to resolve.
mkdir -p "$T/node"
ln -s "$sdk_dir/node_modules" "$T/node/node_modules"
cp "$BRIDGE_SOURCE_DIR/bench/openai_check.mjs" "$T/node/"
rc=0
OPENAI_BASE_URL="$MOCK_URL/v1" timeout 60 node "$T/node/openai_check.mjs" >"$T/check.out" 2>&1 || rc=$?
cat "$T/check.out"
[[ $rc -eq 0 ]] || fail "the openai SDK disagrees with the mock (exit $rc)"
