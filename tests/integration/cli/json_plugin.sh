#!/usr/bin/env bash
# ARCHITECTURE.md "The JSON plugin": bridge reads JSON with nlohmann alone
# until it has read 64 KiB in bulk, and only then loads bridge-json.so (the
# simdjson readers) from beside its executable. An ordinary `ask`, and a
# stream of plain ASCII deltas, never load
# it (nor libsimdjson); a large answer or a long UTF-8 stream does; and a bridge
# without the plugin gives the same output.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

# A stream's text deltas in the API's own layout with plain ASCII text need no
# parser at all (upstream/text_delta.cpp), so the stream that must load the
# plugin carries UTF-8 text: 320 deltas of about 1.3 kB.
one=$(printf 'na\xc3\xafve caf\xc3\xa9 %.0s' {1..100})
deltas=""
for _ in {1..320}; do deltas+="\"$one\","; done
start_mock '{"keys": {
  "sk-ant-test-plugin-small-Jp001": {"text": "a small answer"},
  "sk-ant-test-plugin-large-Jp002": {"stream_bytes": 400000},
  "sk-ant-test-plugin-ascii-Jp004": {"stream_bytes": 400000},
  "sk-ant-test-plugin-streams-Jp03": {"deltas": ['"${deltas%,}"']}}}'

# loaded WHAT: whether the last run loaded WHAT (the dynamic loader's log,
# LD_DEBUG=files, on standard error: it names a file it only looks for too,
# but runs the initialisers of the objects it loaded).
loaded() { grep -q "calling init: .*$1" "$T/err"; }

setup_pool "small sk-ant-test-plugin-small-Jp001"
LD_DEBUG=files run_pool ask "hi"
expect_rc 0
expect_out_contains "a small answer"
loaded bridge-json.so && fail "an ordinary ask loaded the JSON plugin"
loaded libsimdjson && fail "an ordinary ask loaded libsimdjson"

setup_pool "ascii sk-ant-test-plugin-ascii-Jp004"
LD_DEBUG=files run_pool stream "hi"
expect_rc 0
[[ $(wc -c <"$T/out") -ge 400000 ]] || fail "stream printed $(wc -c <"$T/out") bytes"
loaded bridge-json.so && fail "a stream of plain ASCII deltas loaded the JSON plugin"

# Without the plugin: a copy of the executable alone in a folder.
mkdir -p "$T/alone"
cp "$BRIDGE" "$T/alone/bridge"
with_plugin=$BRIDGE

for command in ask stream; do
  if [[ $command == ask ]]; then
    setup_pool "large sk-ant-test-plugin-large-Jp002"
  else
    setup_pool "streams sk-ant-test-plugin-streams-Jp03"
  fi
  BRIDGE=$with_plugin
  LD_DEBUG=files run_pool "$command" "hi"
  expect_rc 0
  loaded bridge-json.so || fail "$command of 400 kB did not load the JSON plugin"
  cp "$T/out" "$T/out.plugin"
  [[ $(wc -c <"$T/out.plugin") -ge 400000 ]] || fail "$command printed $(wc -c <"$T/out.plugin") bytes"

  BRIDGE=$T/alone/bridge
  LD_DEBUG=files run_pool "$command" "hi"
  expect_rc 0
  loaded bridge-json.so && fail "the lone executable found a JSON plugin"
  cmp -s "$T/out" "$T/out.plugin" || fail "$command without the plugin printed another text"
done
# A plugin that someone else could have written is never loaded (the process
# holds keys): group- or world-writable, or a link. nlohmann reads instead.
mkdir -p "$T/copy"
cp "$with_plugin" "$T/copy/bridge"
cp "$(dirname "$with_plugin")/bridge-json.so" "$T/copy/bridge-json.so"
BRIDGE=$T/copy/bridge
setup_pool "streams sk-ant-test-plugin-streams-Jp03"
for unsafe in "chmod g+w" "chmod o+w" "link"; do
  chmod 0644 "$T/copy/bridge-json.so"
  rm -f "$T/copy/real.so"
  case $unsafe in
    link) mv "$T/copy/bridge-json.so" "$T/copy/real.so" && ln -s real.so "$T/copy/bridge-json.so" ;;
    *) $unsafe "$T/copy/bridge-json.so" ;;
  esac
  LD_DEBUG=files run_pool stream "hi"
  expect_rc 0
  loaded bridge-json.so && fail "a plugin made unsafe by '$unsafe' was loaded"
  cmp -s "$T/out" "$T/out.plugin" || fail "stream with an unsafe plugin ($unsafe) printed another text"
  if [[ $unsafe == link ]]; then
    rm "$T/copy/bridge-json.so" && mv "$T/copy/real.so" "$T/copy/bridge-json.so"
  fi
done
# The same copy, private again, is loaded: the refusals above were for the
# permissions alone.
chmod 0644 "$T/copy/bridge-json.so"
LD_DEBUG=files run_pool stream "hi"
expect_rc 0
loaded bridge-json.so || fail "a private copy of the plugin beside the executable was not loaded"
echo "ok"
