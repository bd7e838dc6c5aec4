#!/usr/bin/env bash
# Measures the demo's failover time (kill -9 of one agent -> every domU running exactly once elsewhere) over N
# runs (default 5) and each agent's RSS and CPU, with mutual TLS and with plain TCP (2nd argument: tls, insecure or
# both, the default); prints every run and the medians. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-deps.sh
xenha_install_deps
mvn -B -ntp -q -DskipTests test-compile
mvn -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/classpath.txt)" io.xenha.bench.FailoverBenchmark "${1:-5}" "${2:-both}"
