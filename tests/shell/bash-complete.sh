# Runs bash-completion's machinery on one command line and prints COMPREPLY,
# one candidate per line.
#
#   bash --norc --noprofile bash-complete.sh BASH_COMPLETION COMPLETION_FILE 'LINE'
#
# BASH_COMPLETION is bash-completion's main script (it defines
# _init_completion and friends); COMPLETION_FILE is ours. The line is split
# into COMP_WORDS as readline splits it: at blanks, and around the
# characters of COMP_WORDBREAKS that bash-completion cares about (= and :),
# which readline puts in words of their own. The cursor is at the end of the
# line. Quotes are not handled: the test lines use none.
set -u

if (($# != 3)); then
  echo "usage: bash-complete.sh BASH_COMPLETION COMPLETION_FILE 'LINE'" >&2
  exit 3
fi
# shellcheck source=/dev/null
source "$1" || exit 3
# shellcheck source=/dev/null
source "$2" || exit 3
line=$3

complete_function=$(complete -p bridge 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
if [[ -z $complete_function ]]; then
  echo "bash-complete: $2 registered no completion function for bridge" >&2
  exit 3
fi

COMP_WORDS=()
set -f
for token in $line; do
  while [[ -n $token ]]; do
    if [[ $token =~ ^[=:]+ || $token =~ ^[^=:]+ ]]; then
      COMP_WORDS+=("${BASH_REMATCH[0]}")
      token=${token:${#BASH_REMATCH[0]}}
    fi
  done
done
set +f
[[ -z $line || $line == *[[:blank:]] ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
COMP_TYPE=9
COMP_KEY=9
COMPREPLY=()

"$complete_function" bridge "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
exit 0
