#!/usr/bin/env zsh
# Runs zsh's real completion system on one command line and prints the
# candidates it offers, one per line (sorted, without duplicates).
#
#   zsh -f zsh-complete.zsh FPATH_DIR 'bridge ask --'
#
# An interactive zsh (zsh -f -i) is started on a pseudo-terminal (zsh/zpty)
# with FPATH_DIR first in $fpath and compinit loaded. The line is typed,
# followed by Tab bound to complete-word. A wrapper around the compadd
# builtin records every word that compsys adds (after its own matching
# against the typed prefix); when completion ends, comppostfuncs writes the
# words to a file and leaves the shell. Nothing is parsed from the screen.
#
# Exit status: 0 when the completion ran (even with no candidates), 3 when
# the shell could not be driven (no zpty, time-out).
emulate -L zsh
setopt err_return no_unset

if (( $# != 2 )); then
  print -u2 "usage: zsh-complete.zsh FPATH_DIR 'COMMAND LINE'"
  exit 3
fi
local fpath_dir=${1:a} command_line=$2
zmodload zsh/zpty 2>/dev/null || { print -u2 "zsh-complete: no zsh/zpty module"; exit 3 }
zmodload zsh/zselect 2>/dev/null || { print -u2 "zsh-complete: no zsh/zselect module"; exit 3 }

local work=$(mktemp -d "${TMPDIR:-/tmp}/zsh-complete.XXXXXX")

# compinit looks through every function directory of $fpath (a second or
# more); with ZSH_COMPLETE_DUMP naming a file, the first run writes what it
# found there and the next runs read it back (-C: no second look). The
# caller gives each test run a dump of its own, so the completions under
# test are always the ones found.
local compinit_call='compinit -u -D'
if [[ -n ${ZSH_COMPLETE_DUMP:-} ]]; then
  if [[ -s $ZSH_COMPLETE_DUMP ]]; then
    compinit_call="compinit -u -C -d ${(q)ZSH_COMPLETE_DUMP}"
  else
    compinit_call="compinit -u -d ${(q)ZSH_COMPLETE_DUMP}"
  fi
fi
trap 'zpty -d completer 2>/dev/null; rm -rf -- $work' EXIT

# Runs inside the interactive shell, before the line is typed.
cat >$work/setup.zsh <<EOF
PS1='' PROMPT='' RPROMPT='' PROMPT_EOL_MARK=''
unset zle_bracketed_paste
fpath=(${(q)fpath_dir} \$fpath)
autoload -Uz compinit && ${compinit_call}
bindkey '^I' complete-word
zstyle ':completion:*' menu no
LISTMAX=100000
typeset -ga __captured
compadd() {
  # A query (-O, -A or -D) only asks which words would match: pass it on.
  local arg
  for arg in "\$@"; do
    [[ \$arg == (-|--) ]] && break
    if [[ \$arg == -[[:alnum:]]#[OAD]* ]]; then
      builtin compadd "\$@"
      return
    fi
  done
  local -a __matched
  builtin compadd -O __matched "\$@"
  __captured+=( "\${__matched[@]}" )
  builtin compadd "\$@"
}
__capture_done() {
  print -rl -- "\${(@ou)__captured}" >${(q)work}/candidates
  : >${(q)work}/done
  exit
}
comppostfuncs=( __capture_done )
: >${(q)work}/ready
EOF

# The interactive shell: with -f and ZDOTDIR pointing at an empty directory
# it reads no start-up file (and writes no dump file but the one asked for).
mkdir -p $work/home
zpty completer "env TERM=xterm ZDOTDIR=${(q)work}/home zsh -f -i"

# Waits (reading and dropping the terminal output, so that the shell never
# blocks on a full pty) until FILE exists, for at most 20 seconds.
wait_for() {
  local file=$1 chunk
  local -i tries=0
  while [[ ! -e $file ]]; do
    while zpty -r -t completer chunk 2>/dev/null; do :; done
    if (( ++tries > 400 )); then
      print -u2 "zsh-complete: timed out waiting for ${file:t}"
      exit 3
    fi
    zselect -t 5 || true   # 50 ms, without starting a process
  done
}

zpty -w completer "source ${(q)work}/setup.zsh"
wait_for $work/ready
zpty -w -n completer "$command_line"$'\t'
wait_for $work/done
cat $work/candidates
