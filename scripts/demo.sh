#!/usr/bin/env bash
# Builds xenha when needed and runs the demo: 3 agents on 127.0.0.1 with libvirt's test driver. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup-deps.sh
xenha_install_deps
if [ ! -f target/xenha.jar ] || [ -n "$(find src pom.xml conf -newer target/xenha.jar -print -quit)" ]; then
  mvn -B -ntp -q -Dstyle.color=never -DskipTests package
fi
exec java -XX:+DisableAttachMechanism -jar target/xenha.jar demo "$@"
