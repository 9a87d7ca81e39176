#!/usr/bin/env bash
# stream shows a spinner on a terminal stderr while it waits for the first
# words, erased before the text; none with -q; none when stderr is not a
# terminal.
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/tty.sh"

spinner_scenario stream "waiting for the first words" "the words arrived" '{"deltas":["the words ","arrived"]}'
echo "ok"
