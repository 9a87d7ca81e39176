# shellcheck shell=bash
# Helpers for the integration tests. Each scenario is one bash script,
# FAMILY/NAME.sh, that sources this file (source "$(dirname "$0")/../lib.sh");
# ctest runs it with these variables set:
#   BRIDGE             path of the bridge binary under test
#   BRIDGE_MOCK        path of the bridge-mock upstream (tests/mock)
#   BRIDGE_HOSTILE_REDIS  path of bridge-hostile-redis (tests/tools)
#   BRIDGE_HOSTILE_CLIENT path of bridge-hostile-client (tests/tools)
#   BRIDGE_SOURCE_DIR  the source tree
# Optional: BRIDGE_TEST_TIMEOUT (seconds a single bridge run may take, 60),
#           KEEP_TMP=1 (keep the temporary directory for a post-mortem).
#
# Only bash, coreutils, grep, sed and curl are used: no python, no jq.
#
# The helpers live in lib/, one file per concern, each listing what it
# provides at its top:
#   lib/core.sh       environment, $T, fail, assertions on exit code and output
#   lib/mock.sh       the mock upstream: start, stop, what it saw
#   lib/run.sh        running bridge: foreground, background, a key pool
#   lib/json.sh       reading keys status --json and the state file
#   lib/wait.sh       polling for a condition, timing without wall-clock windows
#   lib/redis.sh      a real redis-server
#   lib/machines.sh   simulated machines (own HOME, state file)
# Sourced here, in that order. Four more are sourced by the scenarios that
# need them, after this file:
#   lib/hostile.sh    hostile or oversized input: sane, send, problem, ...
#   lib/other_user.sh a throwaway local user (root only)
#   lib/redis_cluster.sh  a real Redis Cluster (masters and replicas)
#   lib/claims.sh     processes claiming at once, and what the mock answered
_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/lib" && pwd)
# shellcheck source=tests/integration/lib/core.sh
source "$_LIB_DIR/core.sh"
# shellcheck source=tests/integration/lib/mock.sh
source "$_LIB_DIR/mock.sh"
# shellcheck source=tests/integration/lib/run.sh
source "$_LIB_DIR/run.sh"
# shellcheck source=tests/integration/lib/json.sh
source "$_LIB_DIR/json.sh"
# shellcheck source=tests/integration/lib/wait.sh
source "$_LIB_DIR/wait.sh"
# shellcheck source=tests/integration/lib/redis.sh
source "$_LIB_DIR/redis.sh"
# shellcheck source=tests/integration/lib/machines.sh
source "$_LIB_DIR/machines.sh"
