#!/bin/sh
# Runs the IPMI simulator the fencing tests use (OpenIPMI's ipmi_sim on 127.0.0.1), for trying fence_ipmilan
# or a fence device config by hand. Its "node" is a sleep process: power off ends it, power on starts a new one.
#
#   scripts/ipmi-sim-env.sh [DIR] [LAN_PORT]     (defaults: a new temp dir, UDP port 9623; serial port LAN_PORT+1)
#
# Needs: apt-get install openipmi ipmitool fence-agents. Stops with Ctrl-C.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
res="$here/src/test/resources/fencing"
dir=${1:-$(mktemp -d /tmp/xenha-ipmi-sim.XXXXXX)}
port=${2:-9623}
user=fenceadm
password=${IPMI_SIM_PASSWORD:-xenha-sim}

command -v ipmi_sim >/dev/null || { echo "ipmi_sim missing: apt-get install openipmi" >&2; exit 1; }
mkdir -p "$dir/state"
cp "$res/node.sh" "$res/bmc.emu" "$dir/"
sed -e "s|@LAN_PORT@|$port|" -e "s|@SERIAL_PORT@|$((port + 1))|" \
    -e "s|@NODE_SCRIPT@|$dir/node.sh|" -e "s|@NODE_PIDFILE@|$dir/node.pid|" \
    -e "s|@USER@|$user|" -e "s|@PASSWORD@|$password|" "$res/lan.conf" > "$dir/lan.conf"
umask 077
printf '%s\n' "$password" > "$dir/bmc.secret"

cat <<EOF
ipmi_sim on 127.0.0.1:$port (files in $dir); the node's pid is in $dir/node.pid
try:
  printf 'action=status\nip=127.0.0.1\nipport=$port\nusername=$user\npassword=$password\nlanplus=1\ncipher=3\npower_wait=0\n' | fence_ipmilan
or as a xenha fence device:
  sim-bmc { type = stonith, agent = fence_ipmilan, hosts = [host1],
            params { ip = "127.0.0.1", ipport = $port, username = $user, password-file = "$dir/bmc.secret",
                     lanplus = 1, cipher = 3, power_wait = 0 } }
EOF
exec ipmi_sim -c "$dir/lan.conf" -f "$dir/bmc.emu" -s "$dir/state" -n
