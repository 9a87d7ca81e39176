# fish completion for bridge(1).
#
# Installed as /usr/share/fish/vendor_completions.d/bridge.fish; a copy in
# ~/.config/fish/completions/ works too.
#
# Keep in step with `bridge --help` and man/bridge.1: tests/shell/drift.sh
# compares the three.

# The (sub)command that the words before the cursor select: top, ask,
# stream, keys, "keys status", "keys reset" or parse-retry-after. Option
# values are skipped; after `--`, ask and stream see only prompt words
# (printed as "prompt").
function __bridge_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmd top
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case --
                if contains -- $cmd ask stream
                    echo prompt
                    return
                end
                # After `exec --`: the command to run, not bridge's words.
                if contains -- $cmd exec
                    echo command
                    return
                end
            case --key-file --state --base-url --provider --region -m --model -s --system --max-tokens -t --temperature --stop --request --session --retries --timeout --connect-timeout --idle-timeout -H --header --listen --token-file --max-connections --request-deadline
                set skip 1
            case '-*'
            case '*'
                switch $cmd
                    case top
                        if contains -- $token ask stream keys parse-retry-after serve exec
                            set cmd $token
                        end
                    case keys
                        if contains -- $token status reset check
                            set cmd "keys $token"
                        end
                end
        end
    end
    echo $cmd
end

# True when the current (sub)command is one of the arguments.
function __bridge_at
    contains -- (__bridge_command) $argv
end

# The labels of the key file bridge would use, for `bridge keys reset`. A key
# is never printed: a line of two fields gives its first field (the label), a
# line of one field (a bare key) gives key-N, N being its place among the
# keys; a field that begins with '#' starts a comment that ends the line
# (`backup sk-... # spare`), as bridge reads it. The file is read by fish
# itself, with no other process.
function __bridge_key_labels
    set -l tokens (commandline -opc)
    set -l file
    set -l provider
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --key-file
                if test $i -lt (count $tokens)
                    set file $tokens[(math $i + 1)]
                end
            case '--key-file=*'
                set file (string replace -- --key-file= '' $tokens[$i])
            case --provider
                if test $i -lt (count $tokens)
                    set provider $tokens[(math $i + 1)]
                end
            case '--provider=*'
                set provider (string replace -- --provider= '' $tokens[$i])
        end
        set i (math $i + 1)
    end
    # The provider's default key file (--provider, else BRIDGE_PROVIDER, in
    # any case): keys, openai.keys for openai, bedrock.keys for bedrock.
    test -z "$provider"; and set provider "$BRIDGE_PROVIDER"
    set -l default_name keys
    string match -qi -- openai "$provider"; and set default_name openai.keys
    string match -qi -- bedrock "$provider"; and set default_name bedrock.keys
    if test -z "$file"
        if test -n "$BRIDGE_KEY_FILE"
            set file $BRIDGE_KEY_FILE
        else if string match -q -- '/*' "$XDG_CONFIG_HOME"
            set file $XDG_CONFIG_HOME/bridge/$default_name
        else
            set file $HOME/.config/bridge/$default_name
        end
    end
    set file (string replace -r -- '^~(?=/|$)' $HOME $file)
    test -f "$file" -a -r "$file"; or return 0

    # Labels already named after `reset` are not offered again.
    set -l given
    set -l seen_reset 0
    for token in $tokens
        if test $seen_reset -eq 1; and not string match -q -- '-*' $token
            set -a given $token
        end
        test "$token" = reset; and set seen_reset 1
    end

    set -l n 0
    set -l count 0
    set -l first 1
    while read -l line; or test -n "$line"
        set count (math $count + 1)
        test $count -gt 10000; and break
        if test $first -eq 1
            set line (string replace -r -- '^\x{feff}' '' $line)
            set first 0
        end
        set -l fields (string split -n ' ' -- (string replace -a \t ' ' -- (string trim -- $line)))
        test (count $fields) -eq 0; and continue
        string match -q -- '#*' $fields[1]; and continue
        set -l j 2
        while test $j -le (count $fields)
            if string match -q -- '#*' $fields[$j]
                set fields $fields[1..(math $j - 1)]
                break
            end
            set j (math $j + 1)
        end
        set n (math $n + 1)
        set -l label
        switch (count $fields)
            case 1
                set label key-$n
            case 2
                set label $fields[1]
            case '*'
                continue
        end
        contains -- $label $given; or printf '%s\n' $label
    end <$file
end

function __bridge_models
    printf '%s\t%s\n' \
        claude-sonnet-4-5 'balanced (the default)' \
        claude-opus-4-1 'the most capable' \
        claude-haiku-4-5 'the fastest' \
        gpt-4o-mini 'openai: small and fast (its default)' \
        gpt-4.1 'openai: the larger one'
end

# No file names unless an option asks for them.
complete -c bridge -f

# Subcommands.
complete -c bridge -n '__bridge_at top' -a ask -d 'Send one request, print the answer when complete'
complete -c bridge -n '__bridge_at top' -a stream -d 'Send one streaming request, print text as it arrives'
complete -c bridge -n '__bridge_at top' -a keys -d 'Show or clear what the pool has learned about its keys'
complete -c bridge -n '__bridge_at top' -a parse-retry-after -d 'Print the delay a response asks for'
complete -c bridge -n '__bridge_at top' -a serve -d 'Serve the pool on a loopback port'
complete -c bridge -n '__bridge_at top' -a exec -d 'Run a command with the pool behind it'
complete -c bridge -n '__bridge_at top' -a help -d 'Print the help of bridge or of a command'
complete -c bridge -n '__bridge_at keys' -a status -d 'One row per key: ready, cooling or disabled'
complete -c bridge -n '__bridge_at keys' -a reset -d 'Clear the marks of the named keys (the key file\'s when none named)'
complete -c bridge -n '__bridge_at "keys reset" "keys check"' -a '(__bridge_key_labels)' -d 'Key label'
complete -c bridge -n '__bridge_at keys' -a check -d 'Probe each key once and record what it says'

# Options of every command.
complete -c bridge -n '__bridge_at top ask stream keys "keys status" "keys reset" "keys check" parse-retry-after serve exec' -s h -l help -d 'Print help and exit'
complete -c bridge -n '__bridge_at top' -l version -d 'Print the version and exit'

# Global options: before or after the subcommand.
set -l __bridge_global '__bridge_at top ask stream keys "keys status" "keys reset" "keys check"'
complete -c bridge -n $__bridge_global -l key-file -r -F -d 'Key file, KEY or LABEL KEY per line [env BRIDGE_KEY_FILE]'
complete -c bridge -n $__bridge_global -l state -r -F -d 'State file, or redis:// / unix:// URL shared across machines [env BRIDGE_STATE]'
complete -c bridge -n $__bridge_global -l base-url -x -a 'https://api.anthropic.com https://api.openai.com/v1 http://localhost:11434/v1' -d 'API base URL [env ANTHROPIC_BASE_URL or OPENAI_BASE_URL]'
complete -c bridge -n $__bridge_global -l provider -x -a 'anthropic openai bedrock' -d 'Upstream API [env BRIDGE_PROVIDER, default anthropic]'
complete -c bridge -n $__bridge_global -l region -x -a 'us-east-1 us-east-2 us-west-2 eu-central-1 eu-west-1 eu-west-3 ap-northeast-1 ap-southeast-2' -d 'AWS region of the bedrock provider [env AWS_REGION or AWS_DEFAULT_REGION]'
complete -c bridge -n $__bridge_global -s v -l verbose -d 'Tell which key each attempt used and how it ended'
complete -c bridge -n $__bridge_global -s q -l quiet -d 'No warnings or notices, only errors'

# Options of ask and stream.
set -l __bridge_send '__bridge_at ask stream'
complete -c bridge -n $__bridge_send -s m -l model -x -a '(__bridge_models)' -d 'Model [env BRIDGE_MODEL, default claude-sonnet-4-5]'
complete -c bridge -n $__bridge_send -s s -l system -x -d 'System prompt'
complete -c bridge -n $__bridge_send -l max-tokens -x -d 'Most tokens to generate [default 4096 for anthropic, none for openai]'
complete -c bridge -n $__bridge_send -s t -l temperature -x -d 'Sampling temperature, 0 to 1'
complete -c bridge -n $__bridge_send -l stop -x -d 'Stop sequence (repeatable)'
complete -c bridge -n $__bridge_send -l request -r -F -a '(printf "%s\t%s\n" - "standard input")' -d 'Send this JSON body as it is'
complete -c bridge -n $__bridge_send -l session -x -d 'Keep the conversation on the key that served it last'
complete -c bridge -n $__bridge_send -l retries -x -d 'Retries of 408/409/5xx/network failures on the same key'
complete -c bridge -n $__bridge_send -l wait -d 'When every key is cooling, wait for one (--wait MAX seconds, default 300)'
complete -c bridge -n $__bridge_send -l timeout -x -d 'Whole request, seconds [default 600]'
complete -c bridge -n $__bridge_send -l connect-timeout -x -d 'Connection set-up, seconds [default 10]'
complete -c bridge -n $__bridge_send -l idle-timeout -x -d 'No byte received, seconds [default 120]'
complete -c bridge -n $__bridge_send -l no-stdin -d 'Never read standard input for the prompt'
complete -c bridge -n '__bridge_at ask' -l json -d 'Print the upstream response body exactly as received'
complete -c bridge -n '__bridge_at stream' -l raw -d 'Relay the upstream server-sent events exactly as received'

# keys status
complete -c bridge -n '__bridge_at "keys status"' -l json -d 'Print a JSON array instead of a table'
complete -c bridge -n '__bridge_at "keys status"' -s m -l model -x -a '(__bridge_models)' -d 'Answer for this model'

# keys check
complete -c bridge -n '__bridge_at "keys check"' -l json -d 'Print a JSON array instead of a table'

# keys reset
complete -c bridge -n '__bridge_at "keys reset"' -l all -d 'Clear every mark in the state, other key files too'

# parse-retry-after
complete -c bridge -n '__bridge_at parse-retry-after' -s H -l header -x -d "A response header, 'Name: value' (repeatable)"
complete -c bridge -n '__bridge_at parse-retry-after' -l seconds -d 'Print seconds instead of milliseconds'

# serve and exec (the global options too: they follow the subcommand as well)
complete -c bridge -n '__bridge_at serve exec' -l key-file -r -F -d 'Key file of the provider --provider names'
complete -c bridge -n '__bridge_at serve exec' -l state -r -F -d 'State file, or redis:// / unix:// URL'
complete -c bridge -n '__bridge_at serve exec' -l base-url -x -d 'Base URL of the provider --provider names'
complete -c bridge -n '__bridge_at serve exec' -l provider -x -a 'anthropic openai' -d 'The provider --key-file and --base-url belong to'
complete -c bridge -n '__bridge_at serve exec' -l region -x -d 'AWS region (bedrock; not served by the listener)'
complete -c bridge -n '__bridge_at serve exec' -s v -l verbose -d 'One line per request on stderr'
complete -c bridge -n '__bridge_at serve exec' -s q -l quiet -d 'No warnings or notices, only errors'
complete -c bridge -n '__bridge_at serve exec' -l retries -x -d "Retries of an answer that is not the key's fault (default 0)"
complete -c bridge -n '__bridge_at serve exec' -l wait -d 'Hold a request while every key cools (--wait=MAX)'
complete -c bridge -n '__bridge_at serve exec' -l max-connections -x -d 'Requests served at once (default 256)'
complete -c bridge -n '__bridge_at serve exec' -l timeout -x -d 'Whole request toward the upstream, seconds'
complete -c bridge -n '__bridge_at serve exec' -l connect-timeout -x -d 'Connection set-up, seconds'
complete -c bridge -n '__bridge_at serve exec' -l idle-timeout -x -d 'Silence of the upstream or a client, seconds'
complete -c bridge -n '__bridge_at serve exec' -l request-deadline -x -d 'A request not arrived whole by then is dropped, seconds'
complete -c bridge -n '__bridge_at serve' -l listen -x -a '127.0.0.1:8787 127.0.0.1:0 unix:' -d 'Loopback HOST:PORT, or unix:PATH'
complete -c bridge -n '__bridge_at serve' -l token-file -r -F -d 'File holding the token'
complete -c bridge -n '__bridge_at serve' -l print-env -d 'Print the export lines a client needs'
