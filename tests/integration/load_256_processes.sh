#!/usr/bin/env bash
# The load test of load_64_processes.sh with 256 processes at once: every
# mark in the state file, no warning, also under ASan.
LOAD_PROCESSES=256
export LOAD_PROCESSES
# shellcheck source=load_64_processes.sh
source "$(dirname "$0")/load_64_processes.sh"
