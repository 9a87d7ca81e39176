# bash completion for bridge(1)                            -*- shell-script -*-
#
# Needs bash-completion 2.x (it uses _init_completion). Installed as
# /usr/share/bash-completion/completions/bridge, where bash-completion loads
# it the first time `bridge` is completed; or source it from ~/.bashrc.
#
# Keep in step with `bridge --help` and man/bridge.1: tests/shell/drift.sh
# compares the three.

# COMPREPLY=($(compgen ...)) is bash-completion's own idiom: the words offered
# there are fixed and hold no blank or glob character.
# shellcheck disable=SC2207

# The labels of a key file, one per line, for `bridge keys reset`. A key is
# never printed: a line of two fields gives its first field (the label), a
# line of one field (a bare key) gives key-N, N being its place among the
# keys; a field that begins with '#' starts a comment that ends the line
# (`backup sk-... # spare`), as bridge reads it. Lines of more fields are
# invalid and give nothing (bridge refuses such a file). Everything stays in
# memory: no here-string, no subprocess.
_bridge_key_labels()
{
    local file=$1 line n=0 first=1 count=0 j
    local -a fields
    [[ -f $file && -r $file ]] || return 0
    local -             # set -f below stays local to this function
    set -f
    local IFS=$' \t'
    while IFS= read -r line || [[ -n $line ]]; do
        ((++count > 10000)) && break
        line=${line%$'\r'}
        if ((first)); then
            line=${line#$'\xef\xbb\xbf'}
            first=0
        fi
        # Split at blanks on purpose (globbing is off: set -f above).
        # shellcheck disable=SC2206
        fields=($line)
        ((${#fields[@]} == 0)) && continue
        [[ ${fields[0]} == \#* ]] && continue
        for ((j = 1; j < ${#fields[@]}; j++)); do
            if [[ ${fields[j]} == \#* ]]; then
                fields=("${fields[@]:0:j}")
                break
            fi
        done
        ((++n))
        case ${#fields[@]} in
            1) printf '%s\n' "key-$n" ;;
            2) printf '%s\n' "${fields[0]}" ;;
        esac
    done <"$file"
}

# A word of the command line as the shell would pass it, for the few cases
# that matter here (quotes around the whole word, backslash-escaped blanks,
# a leading ~). Never evaluated.
_bridge_unquote()
{
    local word=$1
    if [[ $word == \'*\' || $word == \"*\" ]]; then
        word=${word:1:${#word}-2}
    else
        word=${word//\\ / }
    fi
    # A literal tilde, as typed: replace it with $HOME.
    # shellcheck disable=SC2088
    if [[ $word == "~" || $word == "~/"* ]]; then
        word=$HOME${word:1}
    fi
    printf '%s' "$word"
}

_bridge()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    local models='claude-sonnet-4-5 claude-opus-4-1 claude-haiku-4-5 gpt-4o-mini gpt-4.1'
    local help_opts='-h --help'
    local global_opts='--key-file --state --base-url --provider --region -v --verbose -q --quiet'
    local send_opts='-m --model -s --system --max-tokens -t --temperature --stop
        --request --session --retries --wait --timeout --connect-timeout --idle-timeout
        --no-stdin'
    local listener_opts='--retries --wait --max-connections --timeout --connect-timeout
        --idle-timeout --request-deadline'

    # Which (sub)command the words before the cursor select, skipping option
    # values; remember --key-file and --provider for the labels of `keys reset`.
    local cmd='' key_file='' provider='' after_dashes='' i word
    local -a given=()
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        if [[ $after_dashes ]]; then
            continue
        fi
        case $word in
            --)
                [[ $cmd == ask || $cmd == stream ]] && after_dashes=1
                # After `exec --`: the command and its arguments.
                [[ $cmd == exec ]] && after_dashes=exec
                ;;
            --key-file)
                ((i + 1 < cword)) && key_file=${words[i + 1]}
                ((i++))
                ;;
            --key-file=*)
                key_file=${word#*=}
                ;;
            --provider)
                ((i + 1 < cword)) && provider=${words[i + 1]}
                ((i++))
                ;;
            --provider=*)
                provider=${word#*=}
                ;;
            --state | --base-url | --region | -m | --model | -s | --system | --max-tokens | \
                -t | --temperature | --stop | --request | --session | --retries | --timeout | \
                --connect-timeout | --idle-timeout | -H | --header | \
                --listen | --token-file | --max-connections | --request-deadline)
                ((i++))
                ;;
            -*) ;;
            *)
                case $cmd in
                    '')
                        case $word in
                            ask | stream | keys | parse-retry-after | serve | exec) cmd=$word ;;
                        esac
                        ;;
                    keys)
                        case $word in
                            status | reset | check) cmd="keys $word" ;;
                        esac
                        ;;
                    'keys reset' | 'keys check') given+=("$word") ;;
                esac
                ;;
        esac
    done

    # After `--`, ask and stream take every word as the prompt; exec, a
    # command and its arguments.
    if [[ $after_dashes == exec ]]; then
        _command_offset "$((i - $(printf '%s\n' "${words[@]:0:cword}" | tac | grep -nx -- '--' | head -n 1 | cut -d: -f1) + 1))"
        return
    fi
    [[ $after_dashes ]] && return

    # The value of the option before the cursor.
    case $prev in
        --key-file | --state | --token-file)
            _filedir
            return
            ;;
        --listen)
            if [[ $cur == unix:* ]]; then
                # unix:PATH: a path for the socket.
                local path=${cur#unix:}
                COMPREPLY=($(compgen -f -- "$path"))
                COMPREPLY=("${COMPREPLY[@]/#/unix:}")
            else
                COMPREPLY=($(compgen -W '127.0.0.1:8787 127.0.0.1:0 unix:' -- "$cur"))
            fi
            __ltrim_colon_completions "$cur"
            return
            ;;
        --max-connections | --request-deadline)
            return
            ;;
        --request)
            _filedir
            [[ -z $cur || $cur == - ]] && COMPREPLY+=(-)
            return
            ;;
        -m | --model)
            COMPREPLY=($(compgen -W "$models" -- "$cur"))
            return
            ;;
        --provider)
            COMPREPLY=($(compgen -W 'anthropic openai bedrock' -- "$cur"))
            return
            ;;
        --region)
            COMPREPLY=($(compgen -W 'us-east-1 us-east-2 us-west-2 eu-central-1 eu-west-1 eu-west-3 ap-northeast-1 ap-southeast-2' -- "$cur"))
            return
            ;;
        --base-url)
            COMPREPLY=($(compgen -W 'https://api.anthropic.com https://api.openai.com/v1 http://localhost:11434/v1' -- "$cur"))
            __ltrim_colon_completions "$cur"
            return
            ;;
        -s | --system | --max-tokens | -t | --temperature | --stop | --retries | \
            --timeout | --connect-timeout | --idle-timeout | -H | --header)
            return
            ;;
        --wait)
            # --wait=MAX: a number of seconds, nothing to offer.
            [[ $split == true ]] && return
            ;;
    esac
    [[ $split == true ]] && return

    if [[ $cur == -* ]]; then
        local opts
        case $cmd in
            '') opts="$help_opts --version $global_opts" ;;
            ask) opts="$help_opts $global_opts $send_opts --json" ;;
            stream) opts="$help_opts $global_opts $send_opts --raw" ;;
            keys) opts="$help_opts $global_opts" ;;
            'keys reset') opts="$help_opts $global_opts --all" ;;
            'keys status') opts="$help_opts $global_opts --json -m --model" ;;
            'keys check') opts="$help_opts $global_opts --json" ;;
            parse-retry-after) opts="$help_opts -H --header --seconds" ;;
            serve) opts="$help_opts $global_opts $listener_opts --listen --token-file --print-env" ;;
            exec) opts="$help_opts $global_opts $listener_opts" ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi

    case $cmd in
        '')
            COMPREPLY=($(compgen -W 'ask stream keys parse-retry-after serve exec help' -- "$cur"))
            ;;
        keys)
            COMPREPLY=($(compgen -W 'status reset check' -- "$cur"))
            ;;
        'keys reset' | 'keys check')
            # The key file bridge would use: --key-file, BRIDGE_KEY_FILE, or
            # the provider's default (--provider, else BRIDGE_PROVIDER, in
            # any case: keys, openai.keys for openai, bedrock.keys for
            # bedrock) under the XDG
            # directory (a relative XDG_CONFIG_HOME is ignored, as bridge
            # does).
            provider=$(_bridge_unquote "${provider:-${BRIDGE_PROVIDER-}}")
            local default_name=keys
            [[ ${provider,,} == openai ]] && default_name=openai.keys
            [[ ${provider,,} == bedrock ]] && default_name=bedrock.keys
            if [[ $key_file ]]; then
                key_file=$(_bridge_unquote "$key_file")
            elif [[ ${BRIDGE_KEY_FILE-} ]]; then
                key_file=$BRIDGE_KEY_FILE
            elif [[ ${XDG_CONFIG_HOME-} == /* ]]; then
                key_file=$XDG_CONFIG_HOME/bridge/$default_name
            else
                key_file=$HOME/.config/bridge/$default_name
            fi
            # Labels are matched by hand, not with compgen -W, which would
            # expand $(...) or globs found in a label.
            local label seen
            while IFS= read -r label; do
                [[ $label == "$cur"* ]] || continue
                for seen in "${given[@]}"; do
                    [[ $seen == "$label" ]] && continue 2
                done
                COMPREPLY+=("$(printf '%q' "$label")")
            done < <(_bridge_key_labels "$key_file")
            ;;
    esac
    # ask, stream: the rest is prompt words, nothing to offer.
} &&
    complete -F _bridge bridge

# ex: filetype=sh
