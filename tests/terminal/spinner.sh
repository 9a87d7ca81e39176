#!/usr/bin/env bash
# ask shows a spinner on a terminal stderr while it waits, erased before the
# answer; none with -q, none when stderr is not a terminal.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

spinner_scenario ask "waiting for the answer" "the answer arrived" '{"text":"the answer arrived"}'
echo "ok"
