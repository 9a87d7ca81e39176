# shellcheck shell=bash
# Looking for a key wherever bridge may have left it: the needles a scan
# greps for. Sourced after lib.sh by the secret scans.
#   needles KEY         one a line, NAME<TAB>STRING: the key raw, without its
#                       hint ends, every 12-character piece, base64 at three
#                       alignments, URL-encoded (both cases), JSON-escaped, hex
#   b64 TEXT / urlencode TEXT
#   describe_hit FILE NAME NEEDLE   where a needle is: file, offset, a hint (never bytes)
#   find_needles NEEDLES PATH...    describe_hit for every needle in every file holding it

# b64 TEXT: TEXT in base64, on one line.
b64() { printf '%s' "$1" | base64 -w0; }
# urlencode TEXT: TEXT percent-encoded (upper-case hex), unreserved bytes kept.
urlencode() {
    local s=$1 out='' c h i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9._~-]) out+=$c ;;
        *)
            for h in $(printf '%s' "$c" | od -An -tx1); do
                out+="%${h^^}"
            done
            ;;
        esac
    done
    printf '%s' "$out"
}
# The needles of one key, one a line: NAME<TAB>STRING.
needles() {
    local key=$1 b core i
    printf 'raw\t%s\n' "$key"
    core=${key:4:$((${#key} - 8))}
    printf 'raw without the hint ends\t%s\n' "$core"
    # Any 12 characters in a row: the hint shows 4 and 4, never more.
    for ((i = 0; i + 12 <= ${#core}; i++)); do
        printf 'a 12-character piece\t%s\n' "${core:i:12}"
    done
    for pad in "" "x" "xx"; do
        b=$(b64 "$pad$key")
        # Leave out the first and last 4 characters, which depend on what
        # surrounds the key.
        printf 'base64 (offset %d)\t%s\n' "${#pad}" "${b:4:$((${#b} - 8))}"
    done
    printf 'URL-encoded\t%s\n' "$(urlencode "$key")"
    printf 'URL-encoded (lower case)\t%s\n' "$(urlencode "$key" | sed 's/%[0-9A-F][0-9A-F]/\L&/g')"
    printf 'JSON-escaped\t%s\n' "${key//\//\\/}"
    printf 'hex\t%s\n' "$(printf '%s' "$key" | od -An -tx1 | tr -d ' \n')"
}

# describe_hit FILE NAME NEEDLE: one line saying where NEEDLE (the needle
# NAME) is in FILE: the file, the byte offset of its first occurrence and a
# hint of the needle (its first and last 4 characters). Never the file's
# bytes: a core file or a Redis snapshot printed into the log is binary, and
# can be hundreds of thousands of lines.
describe_hit() {
    local file=$1 what=$2 needle=$3 offset
    offset=$(LC_ALL=C grep -aboF -m1 -- "$needle" "$file" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
    printf '%s: %s (%s...%s) at byte %s\n' "$file" "$what" "${needle:0:4}" "${needle: -4}" "${offset:-?}"
}

# find_needles NEEDLES PATH...: for each needle of the file NEEDLES (lines
# NAME<TAB>STRING, as needles() writes them) and each file under PATH...
# that holds it, one describe_hit line; nothing when no file holds any.
find_needles() {
    local list=$1 what needle file patterns found=0
    shift
    # One pass for all needles; only a hit is looked at needle by needle.
    patterns=$(mktemp)
    cut -f2 "$list" >"$patterns"
    LC_ALL=C grep -rqaF -f "$patterns" "$@" 2>/dev/null || found=$?
    rm -f "$patterns"
    ((found == 0)) || return 0
    while IFS=$'\t' read -r what needle; do
        while IFS= read -r file; do
            describe_hit "$file" "$what" "$needle"
        done < <(LC_ALL=C grep -rlaF -- "$needle" "$@" 2>/dev/null || true)
    done <"$list"
}
