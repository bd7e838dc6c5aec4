#!/usr/bin/env bash
# Scheduler benchmark (issue #3), not part of the test suite: generates Pacemaker CIBs of 16x1,000, 32x5,000 and
# 100x10,000 (dom0s x resources; "initial": nothing runs yet, "failover": one node lost), checks that xenha's
# placement for 16x1,000 is plausible and compares its Transition Summary with crm_simulate's, measures the policy
# engine in-process with JMH, then times the whole process `xenha simulate --cib` against `crm_simulate -R -Q`
# (wall time, peak RSS) and prints every figure.
#
# Environment (all optional):
#   BUILD_DIR   Maven build directory (default target; e.g. target-bench for a second build in one checkout)
#   JMH_OPTS    JMH options (default: -f 1 -wi 2 -i 3 -w 1s -r 1s); JMH_FILTER the benchmarks (SchedulerBenchmark)
#   SKIP_JMH=1  skip the in-process benchmark; SKIP_BUILD=1 use the build that is there
#   RUNS        whole-process runs of xenha per CIB, the median is shown (default 3)
#   CRM_LARGE=0 skip crm_simulate on 32x5,000; CRM_TIMEOUT seconds per crm_simulate run (default 600)
#   KEEP=1      keep the working directory (CIBs, outputs, JMH results)
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-target}
JMH_OPTS=${JMH_OPTS:--f 1 -wi 2 -i 3 -w 1s -r 1s}
JMH_FILTER=${JMH_FILTER:-SchedulerBenchmark}
RUNS=${RUNS:-3}
CRM_LARGE=${CRM_LARGE:-1}
CRM_TIMEOUT=${CRM_TIMEOUT:-600}
SIZES=(16x1000 32x5000 100x10000)
VARIANTS=(initial failover)

# ---- tools: crm_simulate (pacemaker-cli-utils) and GNU time
missing=()
command -v crm_simulate >/dev/null 2>&1 || [ -x /usr/sbin/crm_simulate ] || missing+=(pacemaker-cli-utils)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "needs: ${missing[*]}; run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
CRM_SIMULATE=$(command -v crm_simulate || echo /usr/sbin/crm_simulate)

# ---- build: the jar, plus the benchmark sources (src/bench/java) compiled as test sources by the bench profile
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "building ($BUILD_DIR) ..." >&2
  mvn -B -ntp -q -Pbench -DskipTests -Dbuild.dir="$PWD/$BUILD_DIR" package
fi
JAR=$BUILD_DIR/xenha.jar
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench-classpath.txt")"

WORK=$(mktemp -d /tmp/xenha-bench.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "working directory: $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

# ---- CIBs
for s in "${SIZES[@]}"; do
  for v in "${VARIANTS[@]}"; do
    java -cp "$CP" io.xenha.bench.CibGenerator "${s%x*}" "${s#*x}" "$v" "$WORK/cib-$s-$v.xml" >&2
  done
done

# one-shot commands as scripts/xenha runs them (C1, the serial collector, a class-data archive that the first run,
# the Transition Summary comparison below, writes)
XENHA=(env XENHA_JAR="$JAR" XENHA_CDS_DIR="$WORK/cds" scripts/xenha)

# ---- plausibility of xenha's placement, and its Transition Summary against crm_simulate's on 16x1,000
checks=()
for v in "${VARIANTS[@]}"; do
  if line=$(java -cp "$CP" io.xenha.bench.PlacementCheck 16 1000 "$v" "$WORK/cib-16x1000-$v.xml"); then :; fi
  echo "$line" >&2
  checks+=("$(echo "$line" | head -1)")
done
summary_lines() { sed -n '/^Transition Summary:/,/^Executing/p' "$1" | grep '^  \* ' | sed 's/  */ /g' || true; }
compares=()
for v in "${VARIANTS[@]}"; do
  cib=$WORK/cib-16x1000-$v.xml
  "${XENHA[@]}" simulate --cib "$cib" >"$WORK/xenha-16x1000-$v.txt" 2>"$WORK/xenha-16x1000-$v.err" || true
  timeout "$CRM_TIMEOUT" "$CRM_SIMULATE" -R -x "$cib" >"$WORK/crm-16x1000-$v.txt" 2>/dev/null || true
  summary_lines "$WORK/xenha-16x1000-$v.txt" >"$WORK/x.lines"
  summary_lines "$WORK/crm-16x1000-$v.txt" >"$WORK/c.lines"
  same=$(comm -12 <(sort "$WORK/x.lines") <(sort "$WORK/c.lines") | wc -l)
  compares+=("16x1000 $v: crm_simulate $(wc -l <"$WORK/c.lines") lines, xenha $(wc -l <"$WORK/x.lines"), identical $same; $(
    if cmp -s "$WORK/x.lines" "$WORK/c.lines"; then echo "same summary, same order"; else
      echo "crm_simulate: $(awk '{print $2}' "$WORK/c.lines" | sort | uniq -c | tr -s ' ' | tr '\n' ',')" \
        "xenha: $(awk '{print $2}' "$WORK/x.lines" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"; fi)")
done

# ---- in-process: JMH
if [ "${SKIP_JMH:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  java -Dxenha.bench.cibs="$WORK" -cp "$CP" org.openjdk.jmh.Main "$JMH_FILTER" $JMH_OPTS \
    -rf csv -rff "$WORK/jmh.csv" >"$WORK/jmh.log" 2>&1 || echo "JMH failed, see its log" >&2
  grep -E '^(Benchmark|SchedulerBenchmark)' "$WORK/jmh.log" >&2 || tail -20 "$WORK/jmh.log" >&2
fi

# ---- whole process: wall time and peak RSS from GNU time
# measure NAME TIMEOUT CMD...: appends "NAME|seconds|MiB|exit" to $WORK/runs
measure() {
  local name=$1 limit=$2
  shift 2
  local rc=0
  /usr/bin/time -v -o "$WORK/time.txt" timeout "$limit" "$@" >/dev/null 2>"$WORK/stderr.txt" || rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$WORK/time.txt")
  echo "$name|$wall|$rss|$rc" >>"$WORK/runs"
  echo "  $name: ${wall} s, ${rss} MiB, exit $rc" >&2
}
: >"$WORK/runs"
echo "timing whole processes ..." >&2
for s in 16x1000 32x5000; do
  for v in "${VARIANTS[@]}"; do
    for _ in $(seq "$RUNS"); do measure "xenha $s $v" "$CRM_TIMEOUT" "${XENHA[@]}" simulate --cib "$WORK/cib-$s-$v.xml"; done
    if [ "$s" = 16x1000 ] || [ "$CRM_LARGE" = 1 ]; then
      measure "crm_simulate $s $v" "$CRM_TIMEOUT" "$CRM_SIMULATE" -R -Q -x "$WORK/cib-$s-$v.xml"
    fi
  done
done

# ---- report
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }
field() { grep -F "$1|" "$WORK/runs" | cut -d'|' -f"$2" || true; }
echo
echo "Scheduler benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1), $("$CRM_SIMULATE" --version 2>/dev/null | head -1)"
echo
echo "Sanity (xenha's placement, 16x1,000):"
printf '  %s\n' "${checks[@]}"
echo "Transition Summary, xenha vs crm_simulate -R:"
printf '  %s\n' "${compares[@]}"
if [ -f "$WORK/jmh.csv" ]; then
  echo
  echo "In-process (JMH $JMH_OPTS), ms per operation (- : failed or not run, see jmh.log):"
  echo "| CIB | variant | parse (CibXml.read) | input (CibInput.read) | plan (PolicyEngine.run) |"
  echo "| --- | --- | --- | --- | --- |"
  for s in "${SIZES[@]}"; do
    for v in "${VARIANTS[@]}"; do
      row="| $s | $v"
      for b in parseCib readInput plan; do
        cell=$(tr -d '"\r' <"$WORK/jmh.csv" | awk -F, -v b="io.xenha.bench.SchedulerBenchmark.$b" -v s="$s" -v v="$v" \
          '$1 == b && $8 == s && $9 == v {if ($6 == "NaN" || $6 == "") printf "%.1f", $5; else printf "%.1f ± %.1f", $5, $6}')
        row="$row | ${cell:--}"
      done
      echo "$row |"
    done
  done
fi
echo
echo "Whole process (median of $RUNS for xenha), wall time and peak RSS:"
echo "| CIB | variant | xenha simulate --cib | crm_simulate -R -Q | ratio |"
echo "| --- | --- | --- | --- | --- |"
for s in 16x1000 32x5000; do
  for v in "${VARIANTS[@]}"; do
    xw=$(field "xenha $s $v" 2 | median)
    xr=$(field "xenha $s $v" 3 | sort -n | tail -1)
    xe=$(field "xenha $s $v" 4 | sort -n | tail -1)
    cw=$(field "crm_simulate $s $v" 2)
    cr=$(field "crm_simulate $s $v" 3)
    ce=$(field "crm_simulate $s $v" 4)
    xcell="$xw s, $xr MiB"
    [ "$xe" != 0 ] && xcell="$xcell (exit $xe)"
    if [ -n "$cw" ]; then
      ccell="$cw s, $cr MiB"
      [ "$ce" != 0 ] && ccell="$ccell (exit $ce)"
      # crm_simulate stopped by the timeout (or killed): its time is a lower bound
      ratio=$(awk -v c="$cw" -v x="$xw" -v e="$ce" -v xe="$xe" \
        'BEGIN {if (x > 0 && xe == 0) printf "%s%.1fx", (e == 0 ? "" : ">= "), c / x}')
    else
      ccell="not run"
      ratio=""
    fi
    echo "| $s | $v | $xcell | $ccell | $ratio |"
  done
done
