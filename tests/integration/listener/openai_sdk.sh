#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"), with a client nobody here
# wrote: the official `openai` npm package (openai_sdk.mjs), given only the
# listener's OPENAI_BASE_URL (/openai/v1) and token, against `bridge serve
# --provider openai`. A blocking completion and a stream are served by the
# second key after the first one's 429 (the SDK never sees it); an exhausted
# pool gives the SDK a RateLimitError with retry-after and retry-after-ms;
# the SDK's own retries follow retry-after-ms to a key that has cooled; the
# token never reaches the upstream. Skipped (exit 77) when node or the
# package is missing: bench/run installs it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
# shellcheck source=tests/integration/lib/sdk_scenario.sh
source "$(dirname "$0")/../lib/sdk_scenario.sh"
need_node_packages openai

K1=sk-proj-sdk-one-Ab00000000001
K2=sk-proj-sdk-two-Ab00000000002
E1=sk-proj-sdk-cool-Ab0000000003
E2=sk-proj-sdk-cool-Ab0000000004
W1=sk-proj-sdk-wait-Ab0000000005
sdk_scenario openai openai_sdk.mjs /openai/v1/chat/completions sk-p /v1 --provider openai
