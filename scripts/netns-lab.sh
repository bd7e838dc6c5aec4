#!/usr/bin/env bash
# A lab of N "dom0s" as network namespaces on this machine, each with two NICs like the seed's hosts:
#   cluster link  xh-cN (10.77.0.1N) on bridge xh-clu (10.77.0.1)
#   LAN           xh-lN (10.78.0.1N) on bridge xh-lan (10.78.0.1, the "gateway" pingd pings)
# usage: netns-lab.sh up N | down N | cut I | mend I | cut-cluster I | mend-cluster I   (root only; this lab's own
# addresses). cut/mend pull and plug node I's LAN cable, cut-cluster/mend-cluster its cluster link.
set -euo pipefail
cmd=${1:?up|down|cut|mend}; n=${2:?N or I}
case "$cmd" in
  up)
    "$0" down "$n" 2>/dev/null || true
    ip link add xh-clu type bridge && ip addr add 10.77.0.1/24 dev xh-clu && ip link set xh-clu up
    ip link add xh-lan type bridge && ip addr add 10.78.0.1/24 dev xh-lan && ip link set xh-lan up
    for i in $(seq 1 "$n"); do
      ip netns add "xh-n$i"
      ip netns exec "xh-n$i" ip link set lo up
      for net in c l; do
        ip link add "xh-$net$i" type veth peer name "xh-$net${i}p"
        ip link set "xh-$net${i}p" netns "xh-n$i"
        ip link set "xh-$net$i" master "$([ $net = c ] && echo xh-clu || echo xh-lan)"
        ip link set "xh-$net$i" up
        sub=$([ $net = c ] && echo 77 || echo 78)
        ip netns exec "xh-n$i" ip addr add "10.$sub.0.1$i/24" dev "xh-$net${i}p"
        ip netns exec "xh-n$i" ip link set "xh-$net${i}p" up
      done
    done
    ;;
  down)
    for i in $(seq 1 "$n"); do
      ip netns del "xh-n$i" 2>/dev/null || true
      ip link del "xh-c$i" 2>/dev/null || true
      ip link del "xh-l$i" 2>/dev/null || true
    done
    ip link del xh-clu 2>/dev/null || true
    ip link del xh-lan 2>/dev/null || true
    ;;
  cut) ip link set "xh-l$n" down ;;
  mend) ip link set "xh-l$n" up ;;
  cut-cluster) ip link set "xh-c$n" down ;;
  mend-cluster) ip link set "xh-c$n" up ;;
  *) echo "usage: $0 up N | down N | cut I | mend I | cut-cluster I | mend-cluster I" >&2; exit 2 ;;
esac
