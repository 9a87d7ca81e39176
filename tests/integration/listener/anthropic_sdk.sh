#!/usr/bin/env bash
# docs/contract.md ("The pool behind any tool"), with a client nobody here
# wrote: the official `@anthropic-ai/sdk` (anthropic_sdk.mjs), given only the
# listener's base URL and token, against `bridge serve`. A blocking message
# and a stream are served by the second key after the first one's 429 (the
# SDK never sees it); an exhausted pool gives the SDK a RateLimitError with
# retry-after and retry-after-ms; the SDK's own retries follow retry-after-ms
# to a key that has cooled; the token never reaches the upstream. Skipped
# (exit 77) when node or the package is missing: bench/run installs it.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/integration/lib/listener.sh
source "$(dirname "$0")/../lib/listener.sh"
# shellcheck source=tests/integration/lib/sdk_scenario.sh
source "$(dirname "$0")/../lib/sdk_scenario.sh"
need_node_packages @anthropic-ai/sdk

K1=sk-ant-sdk-one-Qw3rTy00000001
K2=sk-ant-sdk-two-Qw3rTy00000002
E1=sk-ant-sdk-cool-Qw3rTy0000003
E2=sk-ant-sdk-cool-Qw3rTy0000004
W1=sk-ant-sdk-wait-Qw3rTy0000005
sdk_scenario anthropic anthropic_sdk.mjs /anthropic/v1/messages sk-a ""
