#!/bin/sh
# The "power" of one dom0 of the lab, as OpenIPMI's ipmi_sim sees it (its startcmd): started at power-on, sent
# SIGTERM at power-off. Power-off kills every process in the node's network namespace (its xenha agent and its
# libvirtd, whose test-driver domUs vanish with it), as cutting a real host's power would. The lab watches STATE
# (on/off with the time) to start the node's libvirtd and agent again after a power-on.
#   bmc-host.sh NAMESPACE STATE-FILE POWER-LOG
ns=$1 state=$2 log=$3
now() { date +%s%3N; }
echo "on $(now)" > "$state.tmp" && mv "$state.tmp" "$state"
echo "$(now) on $ns" >> "$log"
off() {
  ip netns pids "$ns" | xargs -r kill -9
  echo "off $(now)" > "$state.tmp" && mv "$state.tmp" "$state"
  echo "$(now) off $ns" >> "$log"
  exit 0
}
trap off TERM INT
while :; do
  sleep 1 &
  wait $!
done
