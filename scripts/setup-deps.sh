#!/usr/bin/env bash
# Installs what xenha needs on Debian/Ubuntu when it is missing: a JDK (17+), Maven, libvirt's client library,
# fence agents and the IPMI simulator their tests use, PostgreSQL and libvirtd for the journal and agent-restart tests,
# Pacemaker's crm_simulate for the scheduler's differential fuzzing.
# Sourced by scripts/demo.sh and scripts/test.sh. Not root: prints the exact command to run instead.
set -euo pipefail

xenha_missing_packages() {
  local missing=()
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  # libvirt0: libvirt.so.0, driven through JNA by libvirt-java (the test:/// driver is built in)
  ldconfig -p 2>/dev/null | grep -q 'libvirt\.so\.0 ' || missing+=(libvirt0)
  # procps: ps/kill used by the process-level tests
  command -v ps >/dev/null 2>&1 || missing+=(procps)
  # real fence agents (fence_ipmilan, ...) and a real IPMI peer for their tests
  [ -x /usr/sbin/fence_ipmilan ] || missing+=(fence-agents)
  command -v ipmi_sim >/dev/null 2>&1 || missing+=(openipmi)
  command -v ipmitool >/dev/null 2>&1 || missing+=(ipmitool)
  # ssh client for the builtin:ssh fence device, and a real sshd for its test
  command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  # OCF resource agents (Dummy, Filesystem, Xen, ...) and ping for the built-in ping agent (pingd)
  [ -d /usr/lib/ocf/resource.d/heartbeat ] || missing+=(resource-agents)
  command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
  # openssl: the key tests check xenha's certificates with a second, independent implementation
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # runuser (util-linux): the security tests run the CLI as an unprivileged user
  command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
  # network namespaces for the network-loss test (scripts/netns-lab.sh)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  printf '%s\n' "${missing[@]}" | sort -u | grep -v '^$' || true
}

# Installed without their recommendations: libvirt-daemon would pull in QEMU and a desktop's worth of packages.
xenha_missing_lean_packages() {
  local missing=()
  # PostgreSQL for the shared-journal test (it starts a private server as the postgres user)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # a libvirtd per simulated node serving the test driver, and virsh to read each node's truth from outside
  [ -x /usr/sbin/libvirtd ] || missing+=(libvirt-daemon)
  command -v virsh >/dev/null 2>&1 || missing+=(libvirt-clients)
  # crm_simulate (Pacemaker 2.1.5) for the differential fuzzing of the scheduler (DifferentialFuzzTest,
  # scripts/scheduler-fuzz.sh). Its Depends "pacemaker | pacemaker-remote" brings in pacemaker and corosync too.
  [ -x /usr/sbin/crm_simulate ] || missing+=(pacemaker-cli-utils)
  printf '%s\n' "${missing[@]}" | sort -u | grep -v '^$' || true
}

xenha_install_deps() {
  local pkgs lean
  pkgs=$(xenha_missing_packages | tr '\n' ' ')
  lean=$(xenha_missing_lean_packages | tr '\n' ' ')
  [ -z "${pkgs// /}" ] && [ -z "${lean// /}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "xenha needs these packages: $pkgs $lean" >&2
    echo -n "run as root:  apt-get update" >&2
    [ -n "${pkgs// /}" ] && echo -n " && apt-get install -y $pkgs" >&2
    [ -n "${lean// /}" ] && echo -n " && apt-get install -y --no-install-recommends $lean" >&2
    echo >&2
    exit 1
  fi
  echo "installing: $pkgs $lean" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  [ -z "${pkgs// /}" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
  [ -z "${lean// /}" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $lean >/dev/null
}
