#!/usr/bin/env bash
# A lab of N "dom0s" as network namespaces on this machine, each with the seed hosts' two NICs and a management one:
#   cluster link  xh-cN (10.77.0.1N) on bridge xh-clu (10.77.0.1)
#   LAN           xh-lN (10.78.0.1N) on bridge xh-lan (10.78.0.1, the "gateway" pingd pings)
#   management    xh-mN (10.79.0.1N) on bridge xh-mgt (10.79.0.1, where the lab's BMCs, ipmi_sim, listen), like an
#                 iLO network: cluster-link and LAN faults leave it alone
# usage: netns-lab.sh up N | down N | cut I | mend I | cut-cluster I | mend-cluster I | split I | unsplit I |
# netem I ARGS | netem-clear I   (root only; this lab's own addresses). cut/mend pull and plug node I's LAN cable,
# cut-cluster/mend-cluster its cluster link; split moves it to a second bridge (a partition whose sides talk among
# themselves); netem shapes it (tc netem delay/loss/duplicate).
set -euo pipefail
cmd=${1:?up|down|cut|mend}; n=${2:?N or I}
case "$cmd" in
  up)
    "$0" down "$n" 2>/dev/null || true
    ip link add xh-clu type bridge && ip addr add 10.77.0.1/24 dev xh-clu && ip link set xh-clu up
    ip link add xh-lan type bridge && ip addr add 10.78.0.1/24 dev xh-lan && ip link set xh-lan up
    ip link add xh-mgt type bridge && ip addr add 10.79.0.1/24 dev xh-mgt && ip link set xh-mgt up
    for i in $(seq 1 "$n"); do
      ip netns add "xh-n$i"
      ip netns exec "xh-n$i" ip link set lo up
      for net in c l m; do
        ip link add "xh-$net$i" type veth peer name "xh-$net${i}p"
        ip link set "xh-$net${i}p" netns "xh-n$i"
        case $net in c) br=xh-clu sub=77 ;; l) br=xh-lan sub=78 ;; m) br=xh-mgt sub=79 ;; esac
        ip link set "xh-$net$i" master "$br"
        ip link set "xh-$net$i" up
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
      ip link del "xh-m$i" 2>/dev/null || true
    done
    ip link del xh-clu 2>/dev/null || true
    ip link del xh-lan 2>/dev/null || true
    ip link del xh-mgt 2>/dev/null || true
    ip link del xh-clu2 2>/dev/null || true
    ;;
  cut) ip link set "xh-l$n" down ;;
  mend) ip link set "xh-l$n" up ;;
  cut-cluster) ip link set "xh-c$n" down ;;
  mend-cluster) ip link set "xh-c$n" up ;;
  # split I: node I's cluster link moves to a second bridge: the nodes split there talk to each other, not to the rest
  split)
    ip link show xh-clu2 >/dev/null 2>&1 || { ip link add xh-clu2 type bridge && ip link set xh-clu2 up; }
    ip link set "xh-c$n" master xh-clu2 ;;
  unsplit) ip link set "xh-c$n" master xh-clu ;;
  # netem I ARGS...: tc netem (delay, loss, duplicate) on node I's cluster link, both ways
  netem)
    shift 2
    tc qdisc replace dev "xh-c$n" root netem "$@"
    ip netns exec "xh-n$n" tc qdisc replace dev "xh-c${n}p" root netem "$@" ;;
  netem-clear)
    tc qdisc del dev "xh-c$n" root 2>/dev/null || true
    ip netns exec "xh-n$n" tc qdisc del dev "xh-c${n}p" root 2>/dev/null || true ;;
  *) echo "usage: $0 up N | down N | cut I | mend I | cut-cluster I | mend-cluster I | split I | unsplit I | netem I ARGS | netem-clear I" >&2; exit 2 ;;
esac
