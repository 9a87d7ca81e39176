# shellcheck shell=bash
# Reading bridge's JSON (keys status --json, the state file) with bash, grep
# and sed only: no python, no jq.
#   json_objects FILE               the innermost {...} objects of FILE, one a line
#   json_field FIELD                a string/number FIELD of the JSON object on stdin
#   key_field LABEL FIELD           FIELD of LABEL's row (runs keys_status)
#   state_field LABEL FIELD [FILE]  FIELD at the top of LABEL's state entry (key-wide mark)
#   model_field LABEL FIELD [FILE]  FIELD of LABEL's mark for $STATUS_MODEL (a 429's mark)
#   any_mark LABEL [FILE]           LABEL's mark, key-wide or for $STATUS_MODEL

# json_objects FILE: the innermost {...} objects of FILE, one a line.
json_objects() {
    tr -d '\n\r' <"$1" | grep -o '{[^{}]*}' || true
}

# json_field FIELD: a string or number FIELD of the JSON object on stdin.
json_field() {
    local field=$1
    sed -n -e 's/.*"'"$field"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' \
        -e 't' -e 's/.*"'"$field"'"[[:space:]]*:[[:space:]]*\([^",}[:space:]]*\).*/\1/p' | head -n 1
}

# key_field LABEL FIELD: FIELD of LABEL's row in keys status (runs keys_status).
key_field() {
    local label=$1 field=$2 path value row=
    keys_status
    # Rows nest (a key's per-model cooldowns under `models`): read the flat
    # members, a row being one index of the top-level array.
    while IFS=$'\t' read -r path value; do
        if [[ $path == */label && $path != */*/* && $value == "$label" ]]; then
            row=${path%/label}
            break
        fi
    done < <(_state_flat "$T/status.json")
    [[ -n "$row" ]] || return 0
    while IFS=$'\t' read -r path value; do
        [[ $path == "$row/$field" ]] && { printf '%s\n' "$value"; return 0; }
    done < <(_state_flat "$T/status.json")
    return 0
}

# _state_flat FILE: every scalar member of the JSON in FILE as one line
# "PATH<TAB>VALUE", PATH the member names from the top joined by '/' (an array
# element is its index), a string VALUE without its quotes. The state file's entries
# nest (a key's per-model marks are under its `models` member), which the
# innermost-object reading of json_objects cannot reach.
_state_flat() {
    local file=$1 tok name expect_key=0 pending=
    local -a paths=() types=() counts=()
    while IFS= read -r tok; do
        case $tok in
        '{' | '[')
            if ((${#types[@]} == 0)); then
                paths+=("")
            else
                name=$pending
                if [[ ${types[-1]} == a ]]; then name=${counts[-1]} counts[-1]=$((counts[-1] + 1)); fi
                paths+=("${paths[-1]:+${paths[-1]}/}$name")
            fi
            if [[ $tok == '{' ]]; then types+=(o) expect_key=1; else types+=(a) expect_key=0; fi
            counts+=(0)
            ;;
        '}' | ']')
            unset 'paths[-1]' 'types[-1]' 'counts[-1]'
            expect_key=0
            ;;
        ',') [[ ${types[-1]:-} == o ]] && expect_key=1 ;;
        ':') expect_key=0 ;;
        *)
            [[ $tok == \"*\" ]] && tok=${tok:1:-1}
            if ((expect_key)); then
                pending=$tok
            else
                name=$pending
                if [[ ${types[-1]:-} == a ]]; then name=${counts[-1]} counts[-1]=$((counts[-1] + 1)); fi
                printf '%s\t%s\n' "${paths[-1]:+${paths[-1]}/}$name" "$tok"
            fi
            ;;
        esac
    done < <(grep -oE '"([^"\\]|\\.)*"|[][{}:,]|[^][{}:,"[:space:]]+' "$file" || true)
    return 0
}

# _object_of_label FILE LABEL: the top-level members of LABEL's row in a
# `keys status --json` array (its per-model cooldowns left out), as one flat
# JSON object of strings that json_field reads.
_object_of_label() {
    local file=$1 label=$2 path value row= out=
    while IFS=$'\t' read -r path value; do
        if [[ $path == */label && $path != */*/* && $value == "$label" ]]; then
            row=${path%/label}
            break
        fi
    done < <(_state_flat "$file")
    [[ -n "$row" ]] || return 0
    while IFS=$'\t' read -r path value; do
        [[ $path == "$row"/* && $path != "$row"/*/* ]] || continue
        out+="${out:+, }\"${path#"$row"/}\": \"$value\""
    done < <(_state_flat "$file")
    printf '{%s}\n' "$out"
}

# _state_entry LABEL FILE: the path (keys/ID) of LABEL's entry in the state file.
_state_entry() {
    local label=$1 file=$2 path value
    while IFS=$'\t' read -r path value; do
        if [[ $path == keys/*/label && $path != keys/*/*/* && $value == "$label" ]]; then
            printf '%s\n' "${path%/label}"
            return 0
        fi
    done < <(_state_flat "$file")
    return 0
}

# state_field LABEL FIELD [FILE]: FIELD at the top of LABEL's entry, that is
# the key itself and its key-wide mark (401/403, spend, billing, a mark an
# older bridge wrote).
state_field() {
    local label=$1 field=$2 file=${3:-$STATE} entry
    [[ -f "$file" ]] || return 0
    entry=$(_state_entry "$label" "$file")
    [[ -n "$entry" ]] || return 0
    local path value
    while IFS=$'\t' read -r path value; do
        [[ $path == "$entry/$field" ]] && { printf '%s\n' "$value"; return 0; }
    done < <(_state_flat "$file")
    return 0
}

# model_field LABEL FIELD [FILE]: FIELD of LABEL's mark for the model the
# scenarios send to ($STATUS_MODEL, bridge's default), under the entry's
# `models` member: where a 429 and a proactive mark go.
model_field() {
    local label=$1 field=$2 file=${3:-$STATE}
    state_field "$label" "models/${STATUS_MODEL:-claude-sonnet-4-5}/$field" "$file"
}

# any_mark LABEL [FILE]: LABEL's mark whatever its scope: the key-wide one,
# else the one for $STATUS_MODEL; empty when the key has neither.
any_mark() {
    local mark
    mark=$(state_field "$1" mark "${2:-$STATE}")
    [[ -n "$mark" ]] || mark=$(model_field "$1" mark "${2:-$STATE}")
    printf '%s\n' "$mark"
}
