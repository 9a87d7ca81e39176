#!/usr/bin/env bash
# The load test of processes_64.sh with 256 processes at once: every
# mark in the state file, no warning, also under ASan.
LOAD_PROCESSES=256
export LOAD_PROCESSES
# shellcheck source=tests/integration/load/processes_64.sh
source "$(dirname "$0")/processes_64.sh"
