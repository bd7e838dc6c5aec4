#!/bin/sh
# A small OCF agent for OcfAgentRunnerTest; the "mode" parameter says what it does, "file" where it writes.

meta_data() {
  cat <<'END'
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="test-agent" version="1.0">
<version>1.0</version>
<longdesc lang="en">Does what its mode parameter says, to test how xenha runs OCF agents.</longdesc>
<shortdesc lang="en">xenha test agent</shortdesc>
<parameters>
<parameter name="mode" required="1" unique="0">
<longdesc lang="en">hang, configured, odd, chatty or env</longdesc>
<shortdesc lang="en">What to do</shortdesc>
<content type="string"/>
</parameter>
<parameter name="file" unique="1">
<longdesc lang="en">Where to write the pids (hang) or the environment (env)</longdesc>
<shortdesc lang="en">Output file</shortdesc>
<content type="string" default=""/>
</parameter>
<parameter name="password">
<longdesc lang="en">A secret the agent repeats in its exit reason</longdesc>
<shortdesc lang="en">Password</shortdesc>
<content type="string"/>
</parameter>
</parameters>
<actions>
<action name="start" timeout="20s"/>
<action name="stop" timeout="20s"/>
<action name="monitor" timeout="10" interval="5s" depth="0"/>
<action name="validate-all" timeout="2min"/>
<action name="meta-data" timeout="5s"/>
</actions>
</resource-agent>
END
}

if [ "$1" = meta-data ]; then
  meta_data
  exit 0
fi

case "$OCF_RESKEY_mode" in
  hang)
    # never answers, and starts a child that never ends either: the runner's timeout must end both
    sleep 100000 &
    echo "$$ $!" > "$OCF_RESKEY_file.tmp" && mv "$OCF_RESKEY_file.tmp" "$OCF_RESKEY_file"
    wait
    ;;
  configured)
    echo "checking the password" >&2
    echo "ocf-exit-reason:password $OCF_RESKEY_password is not accepted" >&2
    exit 6
    ;;
  odd)
    echo "something unexpected" >&2
    exit 42
    ;;
  chatty)
    i=0
    while [ $i -lt 20000 ]; do
      echo "line $i of a very chatty agent, far more than anyone wants to keep"
      echo "stderr line $i of a very chatty agent" >&2
      i=$((i + 1))
    done
    echo "chatty done" >&2
    exit 0
    ;;
  env)
    # the environment exactly as the runner passed it: a shell drops names it cannot use (with-dash) from "env"
    tr '\0' '\n' < /proc/$$/environ > "$OCF_RESKEY_file.tmp"
    echo "xenha_test_cwd=$(pwd)" >> "$OCF_RESKEY_file.tmp"
    if read -r line; then
      echo "xenha_test_stdin=data" >> "$OCF_RESKEY_file.tmp"
    else
      echo "xenha_test_stdin=eof" >> "$OCF_RESKEY_file.tmp"
    fi
    echo "xenha_test_action=$1" >> "$OCF_RESKEY_file.tmp"
    mv "$OCF_RESKEY_file.tmp" "$OCF_RESKEY_file"
    exit 0
    ;;
  *)
    echo "ocf-exit-reason:unknown mode '$OCF_RESKEY_mode'" >&2
    exit 2
    ;;
esac
