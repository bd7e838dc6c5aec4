#!/bin/sh
# A fence agent that never answers and starts a child that never ends either: the runner's timeout must end both.
# It writes "<own pid> <child pid>" to the file named by the pidfile parameter.
pidfile=
while IFS= read -r line; do
  case "$line" in
    pidfile=*) pidfile=${line#pidfile=} ;;
  esac
done
sleep 100000 &
echo "$$ $!" > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
wait
