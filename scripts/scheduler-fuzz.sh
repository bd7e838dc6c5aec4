#!/bin/sh
# Differential fuzzing of the scheduler against Pacemaker's crm_simulate (docs/scheduler.md):
#   scripts/scheduler-fuzz.sh --seed 1000 --cases 2000 [--threads N] [--keep DIR]
# generates one random CIB per seed, runs crm_simulate -R and `xenha simulate --cib` on it, and prints the
# agreement, the differences grouped by kind, then each difference. --keep DIR saves the CIBs that differ.
set -e
cd "$(dirname "$0")/.."
[ -x /usr/sbin/crm_simulate ] || { echo "crm_simulate is missing: apt-get install --no-install-recommends pacemaker-cli-utils" >&2; exit 2; }
mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/fuzz.classpath -Dmdep.includeScope=test >&2
exec java -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" io.xenha.scheduler.fuzz.DifferentialFuzzTest "$@"
