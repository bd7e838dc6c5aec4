#!/usr/bin/env python3
"""What a frozen agent costs: three agents in network namespaces (scripts/netns-lab.sh), one of them stopped with
SIGSTOP for increasing lengths and then continued. Prints, per pause, whether it was fenced (builtin:kill) and whether
any domU moved, at the timing settings given (default: xenha's defaults). Root only.

usage: pause-sweep.py [--jar target/xenha.jar] [--heartbeat 500ms] [--pause 2500ms] [--stable 2s]
                      [--lengths 1,1.5,2,2.5,3,4,6] [--dir /tmp/xenha-pause-sweep]
"""
import argparse, json, os, shutil, signal, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--jar', default='target/xenha.jar')
ap.add_argument('--heartbeat', default='500ms')
ap.add_argument('--pause', default='2500ms')
ap.add_argument('--stable', default='2s')
ap.add_argument('--lengths', default='1,1.5,2,2.5,3,4,6')
ap.add_argument('--dir', default='/tmp/xenha-pause-sweep')
a = ap.parse_args()
LAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'netns-lab.sh')
JAR = os.path.abspath(a.jar)
NODES = ['n1', 'n2', 'n3']
DOMS = ['vm%d' % i for i in range(1, 7)]
VICTIM = 'n2'


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def write_conf(d):
    c = ['xenha {', '  cluster-name = sweep', '  nodes {']
    for i, n in enumerate(NODES, 1):
        nd = f'{d}/{n}'
        os.makedirs(nd, exist_ok=True)
        open(f'{nd}/host.xml', 'w').write('<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores>'
            '<threads>1</threads><active>4</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>8388608</memory></node>')
        c.append(f'    {n} {{ address = "10.77.0.1{i}:2551", hypervisor = "test://{nd}/host.xml", state-dir = "{nd}", '
                 'jmx-port = 9011 }')
    c += ['  }', '  properties { default-resource-stickiness = 100 }',
          f'  cluster {{ heartbeat-interval = {a.heartbeat}, acceptable-heartbeat-pause = {a.pause}, stable-after = {a.stable} }}',
          '  resources {', '    fence { type = stonith, agent = "builtin:kill" }']
    for v in DOMS:
        open(f'{d}/{v}.xml', 'w').write(f"<domain type='test'><name>{v}</name><memory unit='MiB'>128</memory>"
                                        "<vcpu>1</vcpu><os><type>hvm</type></os></domain>")
        c.append(f'    {v} {{ type = domain, domain-xml = "{d}/{v}.xml" }}')
    c += ['  }', '  constraints.location = [']
    c += [f'    {{ resource = {v}, node = n{(i + 1) // 2}, score = 50 }}' for i, v in enumerate(DOMS, 1)]
    c += ['  ]', '}']
    open(f'{d}/sweep.conf', 'w').write('\n'.join(c) + '\n')
    # the secure default: mutual TLS between the agents, JMX login for the CLI
    subprocess.run(['java', '-jar', JAR, 'keys', 'init', '--config', f'{d}/sweep.conf', '-o', f'{d}/keys'], check=True,
                   capture_output=True)
    open(f'{d}/sweep.conf', 'a').write(f'xenha.security {{ tls-dir = "{d}/keys", credentials = "{d}/keys/jmx.credentials" }}\n')
    return f'{d}/sweep.conf'


def start(n, conf, d):
    log = open(f'{d}/{n}.log', 'a')
    return subprocess.Popen(['ip', 'netns', 'exec', 'xh-' + n, 'java', '-Xmx256m', '-jar', JAR, 'agent', '--config',
                             conf, '--node', n], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def status(n='n1'):
    r = subprocess.run(['ip', 'netns', 'exec', 'xh-' + n, 'java', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar',
                        JAR, 'status', '--json', '--jmx', '127.0.0.1:9011', '--credentials', f'{a.dir}/keys/cli.credentials'],
                       capture_output=True, text=True, timeout=30)
    return json.loads(r.stdout) if r.returncode == 0 else None


def placement(s):
    return {r['id']: r['node'] for r in s['resources'] if r.get('type') == 'domain' and r.get('state') == 'started'}


def settled(s):
    return s and s.get('controller') and len(placement(s)) == 6 and all(x['state'] == 'online' for x in s['nodes'])


def await_settled(max_s=180):
    end = time.time() + max_s
    while time.time() < end:
        try:
            s = status()
            if settled(s):
                return s
        except Exception:
            pass
        time.sleep(1)
    raise SystemExit('the cluster did not settle within %d s' % max_s)


shutil.rmtree(a.dir, ignore_errors=True)
os.makedirs(a.dir)
sh(LAB, 'down', '5')
if sh(LAB, 'up', '3').returncode != 0:
    raise SystemExit('cannot create the namespaces (root?)')
conf = write_conf(a.dir)
procs = {n: start(n, conf, a.dir) for n in NODES}
try:
    s = await_settled()
    print(f'settings: heartbeat-interval {a.heartbeat}, acceptable-heartbeat-pause {a.pause}, stable-after {a.stable}')
    print('%-8s %-8s %-10s %s' % ('pause_s', 'fenced', 'moved', 'domUs of the frozen node'))
    for length in [float(x) for x in a.lengths.split(',')]:
        before = placement(status())
        fences_before = len(status().get('fencing') or [])
        pid = procs[VICTIM].pid
        os.kill(pid, signal.SIGSTOP)
        time.sleep(length)
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        time.sleep(8)   # longer than detection + fence + start
        s = status()
        fenced = len(s.get('fencing') or []) > fences_before or procs[VICTIM].poll() is not None
        after = placement(s)
        moved = sorted(d for d in DOMS if before.get(d) != after.get(d))
        print('%-8s %-8s %-10s %s' % (length, 'yes' if fenced else 'no', ','.join(moved) or '-',
                                      sorted(d for d, n in before.items() if n == VICTIM)), flush=True)
        if procs[VICTIM].poll() is not None or fenced:
            procs[VICTIM].wait(timeout=30)
            procs[VICTIM] = start(VICTIM, conf, a.dir)
            await_settled()
            time.sleep(3)
finally:
    for p in procs.values():
        if p.poll() is None:
            p.kill()
    for p in procs.values():
        p.wait(timeout=30)
    sh(LAB, 'down', '3')
