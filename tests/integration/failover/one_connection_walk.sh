#!/usr/bin/env bash
# docs/contract.md (upstream protocol) (a done-when proof): one connection is reused for every attempt of
# a walk. Ten keys, nine answer 429 (or 401/403), the tenth serves: the mock
# sees ten requests over exactly ONE TCP connection — for ask and stream.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

walk() {
    local name=$1 cmd=$2 statuses=$3 script='{"keys": {' lines=() i=0 s
    for s in $statuses; do
        i=$((i + 1))
        script+='"sk-ant-test-walk-'$name'-key-'$i'-Oo0'$i'": {"status": '$s'},'
        lines+=("k$i sk-ant-test-walk-$name-key-$i-Oo0$i")
    done
    script+='"sk-ant-test-walk-'$name'-serves-Oo010": {"text": "the tenth key serves"}}}'
    lines+=("k10 sk-ant-test-walk-$name-serves-Oo010")
    start_mock "$script" "$name"
    POOL_URL=$(mock_url "$name")
    setup_pool "${lines[@]}"
    STATE="$T/state-$name/state.json"
    run_pool "$cmd" "hi"
    expect_rc 0
    expect_out_eq "the tenth key serves"
    expect_requests 10 "$name"
    expect_connections 1 "$name"
    # The request log agrees: all ten on connection 1.
    [[ $(grep -c '"conn":1,' "$(mock_log "$name")") -eq 10 ]] || fail "$name: not every request on connection 1"
}

walk ask ask "429 429 429 429 429 429 429 429 429"
walk stream stream "429 429 429 429 429 429 429 429 429"
walk mixed stream "429 401 429 403 429 401 429 403 429"
echo "ok"
