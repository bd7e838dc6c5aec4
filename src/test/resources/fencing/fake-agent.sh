#!/bin/sh
# A scriptable fence agent for the runner's protocol tests. Parameters (stdin, key=value):
#   record=FILE     each action received is appended to FILE
#   status_rc=N     exit code of action=status (0 on, 2 off)
#   rc=N            exit code of every other action; when not 0 it complains naming the password
#   flood=1         writes 1 MB to stdout first (the runner must drain it and keep only a bounded part)
while IFS= read -r line; do
  case "$line" in
    action=*) action=${line#action=} ;;
    record=*) record=${line#record=} ;;
    status_rc=*) status_rc=${line#status_rc=} ;;
    rc=*) rc=${line#rc=} ;;
    flood=*) flood=${line#flood=} ;;
    password=*) password=${line#password=} ;;
  esac
done
[ -n "$record" ] && echo "$action" >> "$record"
[ "$flood" = 1 ] && head -c 1000000 /dev/zero | tr '\0' x
if [ "$action" = status ]; then
  echo "Status: $( [ "${status_rc:-0}" = 0 ] && echo ON || echo OFF )"
  exit "${status_rc:-0}"
fi
if [ "${rc:-0}" != 0 ]; then
  echo "2026-01-01 00:00:00,000 ERROR: Failed: device refused user with password $password" >&2
  exit "$rc"
fi
echo "Success: $action done"
