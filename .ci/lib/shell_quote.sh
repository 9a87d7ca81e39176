# shellcheck shell=bash
# shell_quote WORD...: prints the words as one command line that a POSIX shell
# reads back as exactly those words, so a command the demo shows can be
# pasted. A word of plain characters is printed as it is; any other word is
# put in single quotes, a single quote inside it written as '\''.
shell_quote() {
  local word out=() plain="^[A-Za-z0-9_./:=@%+,-]+$"
  for word in "$@"; do
    if [[ $word =~ $plain ]]; then
      out+=("$word")
    else
      out+=("'${word//\'/\'\\\'\'}'")
    fi
  done
  printf '%s\n' "${out[*]}"
}
