#!/usr/bin/env bash
# docs/security.md, "Keys an upstream sends back": a key quoted in a stream's
# answer text is replaced by its hint in what `stream` prints, also when the
# upstream cuts it across several text deltas that arrive together (the
# redactor reads the text of a network read as one, not delta by delta), and
# when a delta spells it with a JSON escape. The deltas are in the layout the
# API sends (read without a parser, upstream/text_delta.cpp) and in another
# (read by simdjson), and one network read carries them all: the mock sends
# each script chunk in one write.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/../lib.sh"

K=sk-ant-api03-split-delta-key-00009
E=sk-ant-api03-escaped-delta-key-0010
ALL=("$K" "$E")

# events TEXT...: one chunk of a whole stream, each TEXT one text delta (TEXT
# already JSON-safe) in the API's layout, or, after a "-o", in another member
# order; as a JSON string for the script.
events() {
    local text out order=api
    out='event: message_start\ndata: {\"type\":\"message_start\"}\n\n'
    for text in "$@"; do
        if [[ $text == -o ]]; then
            order=other
            continue
        fi
        out+='event: content_block_delta\ndata: '
        if [[ $order == api ]]; then
            out+='{\"type\":\"content_block_delta\",\"index\":0,'
            out+='\"delta\":{\"type\":\"text_delta\",\"text\":\"'"$text"'\"}}\n\n'
        else
            out+='{\"delta\":{\"text\":\"'"$text"'\",\"type\":\"text_delta\"},'
            out+='\"index\":0,\"type\":\"content_block_delta\"}\n\n'
        fi
    done
    out+='event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n'
    printf '"%s"' "$out"
}

# The key cut in three deltas; the other spelled with \u002d for one '-' and
# cut in two, the second delta in another member order (simdjson's path).
start_mock '{"keys": {
  "'$K'": {"chunks": ['"$(events "quoted: sk-ant-api03-spl" "it-delta-key" "-00009 back")"']},
  "'$E'": {"chunks": ['"$(events "see sk-ant-api03-escaped\\\\u002d" -o "delta-key-0010 ok")"']}}}'

# no_key WHAT: no key, nor its middle, in $T/out or $T/err.
no_key() {
    local key f
    for key in "${ALL[@]}"; do
        for f in "$T/out" "$T/err"; do
            if grep -qF -- "$key" "$f" || grep -qF -- "${key:4:20}" "$f"; then
                fail "$1: a key in $f: $(cat "$f")"
            fi
        done
    done
}

setup_pool "s $K"
run_pool stream "hi"
expect_rc 0
no_key "a key cut across three deltas"
expect_out_eq "quoted: sk-a...0009 back"

setup_pool "e $E"
run_pool stream "hi"
expect_rc 0
no_key "a key spelled with an escape"
expect_out_eq "see sk-a...0010 ok"
echo ok
