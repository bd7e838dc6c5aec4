#!/usr/bin/env bash
# Runs the whole test suite (unit, in-JVM cluster and process-level tests), installing what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-deps.sh
xenha_install_deps
# verify = compile, unit and cluster tests (surefire), package target/xenha.jar, then the process-level tests (failsafe)
exec mvn -B -ntp verify "$@"
