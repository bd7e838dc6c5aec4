#!/usr/bin/env bash
# verify benchmark (issue #14, point 6), not part of the test suite: generates a configuration of N resources (default
# 5,000: half libvirt domains, each with its own domain XML file, half OCF resources of six resource-agents agents with
# their required parameters, plus an order, a colocation and a location per ten resources, 8 nodes, one fence device
# per node) and prints the wall time of the whole process `java -jar target/xenha.jar verify --config FILE`.
#
# Environment (all optional):
#   RESOURCES   number of resources (default 5000)
#   RUNS        runs; each time and the median are printed (default 3)
#   JAR         the jar (default target/xenha.jar; built with `mvn -B -ntp -q package -DskipTests` when missing)
#   JAVA_OPTS   JVM options for the runs (default none: plain `java -jar`)
#   KEEP=1      keep the generated directory
set -euo pipefail
cd "$(dirname "$0")/.."

RESOURCES=${RESOURCES:-5000}
RUNS=${RUNS:-3}
JAR=${JAR:-target/xenha.jar}
OCF_ROOT=/usr/lib/ocf/resource.d/heartbeat
for a in Dummy Filesystem IPaddr2 apache mysql LVM-activate; do
  if [ ! -x "$OCF_ROOT/$a" ]; then
    echo "needs the OCF agent $OCF_ROOT/$a: apt-get install -y resource-agents" >&2
    exit 1
  fi
done
if [ ! -f "$JAR" ]; then
  mvn -B -ntp -q package -DskipTests
fi

work=$(mktemp -d /tmp/xenha-bench-verify.XXXXXX)
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/vm"
conf="$work/xenha.conf"

# ---- the configuration
domains=$((RESOURCES / 2))
ocf=$((RESOURCES - domains))
{
  echo "xenha {"
  echo "  cluster-name = bench"
  echo "  nodes {"
  for n in $(seq 1 8); do
    echo "    node$n { address = \"10.0.0.$n:2551\", utilization { memory = 256G, vcpus = 64 } }"
  done
  echo "  }"
  echo "  properties { placement-strategy = balanced, default-resource-stickiness = 100 }"
  echo "  resources {"
  for n in $(seq 1 8); do
    echo "    ipmi-node$n { type = stonith, agent = fence_ipmilan, hosts = [node$n]"
    echo "                  params { ip = \"10.0.1.$n\", username = admin, password-env = IPMI_PASSWORD, lanplus = 1 } }"
  done
  for i in $(seq 1 "$domains"); do
    echo "    vm$i { type = domain, domain-xml = \"vm/vm$i.xml\", allow-migrate = true"
    echo "           utilization { memory = 1G, vcpus = 1 }"
    echo "           ops { start.timeout = 60s, stop.timeout = 90s, monitor { interval = 10s, timeout = 30s } } }"
  done
  for i in $(seq 1 "$ocf"); do
    case $((i % 6)) in
      0) echo "    rsc$i { type = ocf, agent = \"heartbeat:Dummy\", params { state = \"/run/dummy-$i\" } }" ;;
      1) echo "    rsc$i { type = ocf, agent = \"heartbeat:Filesystem\""
         echo "            params { device = \"/dev/vg/lv$i\", directory = \"/srv/fs$i\", fstype = ext4 }"
         echo "            ops { monitor { interval = 20s, timeout = 40s } } }" ;;
      2) echo "    rsc$i { type = ocf, agent = \"heartbeat:IPaddr2\", params { ip = \"10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))\", cidr_netmask = 16 } }" ;;
      3) echo "    rsc$i { type = ocf, agent = \"heartbeat:apache\", params { configfile = \"/etc/apache2/site$i.conf\" } }" ;;
      4) echo "    rsc$i { type = ocf, agent = \"heartbeat:mysql\", params { datadir = \"/srv/db$i\" } }" ;;
      5) echo "    rsc$i { type = ocf, agent = \"heartbeat:LVM-activate\", params { vgname = vg$i, vg_access_mode = system_id } }" ;;
    esac
  done
  echo "  }"
  echo "  constraints {"
  echo "    order = ["
  for i in $(seq 10 10 "$domains"); do echo "      { first = rsc$i, then = vm$i }"; done
  echo "    ]"
  echo "    colocation = ["
  for i in $(seq 10 10 "$domains"); do echo "      { resource = vm$i, with = rsc$i }"; done
  echo "    ]"
  echo "    location = ["
  for i in $(seq 10 10 "$domains"); do
    echo "      { resource = vm$i, rule = \"-INFINITY: not_defined pingd or pingd lte 0\" }"
    echo "      { resource = vm$((i - 1)), node = node$((i % 8 + 1)), score = 50 }"
  done
  echo "    ]"
  echo "  }"
  echo "}"
} >"$conf"
for i in $(seq 1 "$domains"); do
  printf "<domain type='xen'>\n  <name>vm%d</name>\n  <memory unit='GiB'>1</memory>\n  <vcpu>1</vcpu>\n  <os><type>linux</type></os>\n</domain>\n" \
    "$i" >"$work/vm/vm$i.xml"
done
echo "generated $conf: $RESOURCES resources ($domains domains, $ocf OCF resources of 6 agents, 8 fence devices besides)," \
  "$(wc -c <"$conf") bytes, $(wc -l <"$conf") lines"

# ---- the runs
export IPMI_PASSWORD=bench
timer=()
if [ -x /usr/bin/time ]; then timer=(/usr/bin/time -f '%U %S %M' -o "$work/time.txt"); fi
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cpus"
times=()
for r in $(seq 1 "$RUNS"); do
  start=$(date +%s%N)
  set +e
  # shellcheck disable=SC2086
  "${timer[@]}" java ${JAVA_OPTS:-} -jar "$JAR" verify --config "$conf" >"$work/out.txt" 2>"$work/err.txt"
  rc=$?
  set -e
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  times+=("$ms")
  cpu=""
  if [ -s "$work/time.txt" ]; then
    read -r user sys rss <"$work/time.txt"
    cpu=", cpu ${user} s user + ${sys} s sys, max RSS $((rss / 1024)) MiB"
  fi
  printf 'run %d: %d.%03d s%s (exit %d: %s)\n' "$r" $((ms / 1000)) $((ms % 1000)) "$cpu" "$rc" "$(tail -n 1 "$work/out.txt")"
  if [ "$rc" -ne 0 ]; then
    echo "verify failed:" >&2
    head -n 20 "$work/out.txt" "$work/err.txt" >&2
    exit 1
  fi
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
printf 'verify of %d resources: median %d.%03d s over %d runs (whole process: java %s-jar %s verify)\n' \
  "$RESOURCES" $((median / 1000)) $((median % 1000)) "$RUNS" "${JAVA_OPTS:+$JAVA_OPTS }" "$JAR"
