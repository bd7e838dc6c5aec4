package io.xenha.demo;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * dom0s as network namespaces on this machine (scripts/netns-lab.sh): each node has a cluster link
 * (10.77.0.1N) and a LAN link, its own libvirtd serving the test driver (its domUs outlive the agent and are read
 * from outside with virsh), its own agent process, and a power switch: the lab fence agent (scripts/lab/fence_netns)
 * powers a node off by killing every process in its namespace, which takes its libvirtd and so every domU with it.
 * An outside checker reads every node's libvirtd all the time and records where each domU ran; the safety
 * assertions read that, never the Controller's view. Root only; skipped elsewhere.
 */
final class NetnsLab implements AutoCloseable {

  static final Path LAB = Path.of("scripts/netns-lab.sh").toAbsolutePath();
  static final Path FENCE = Path.of("scripts/lab/fence_netns").toAbsolutePath();

  /**
   * One observation of the checker: where a domU ran, as every libvirtd that answered said, in a round that began at
   * atMillis and ended at endMillis (the truth lies somewhere between); answered: the nodes whose libvirtd answered
   * (a node that did not is powered off and runs nothing).
   */
  record Seen(long atMillis, long endMillis, String domain, List<String> nodes, Set<String> answered) {}

  final Path dir;
  final List<String> nodes = new ArrayList<>();
  final List<String> domains;
  final Map<String, Process> agents = new ConcurrentHashMap<>();
  private final Map<String, List<Process>> daemons = new ConcurrentHashMap<>();
  final Path config;
  /** node -> when its libvirtd was restarted (every domU there gone), millis. */
  final Map<String, List<Long>> daemonRestarts = new ConcurrentHashMap<>();
  /** The nodes' BMCs when the lab fences over IPMI, else null. */
  Bmcs bmcs;
  private Thread powerWatcher;
  /** Every change the checker saw: domain -> nodes, with its time. */
  final List<Seen> timeline = new CopyOnWriteArrayList<>();
  /** A domU seen running on two nodes in the same round. */
  final List<Seen> doubles = new CopyOnWriteArrayList<>();
  private final Map<String, List<String>> last = new ConcurrentHashMap<>();
  private volatile boolean checking = true;
  private final Thread checker;

  static void assumeLab() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")) && new File("/usr/sbin/ip").canExecute(),
        "network namespaces need root and iproute2: skipping");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/libvirtd")) && new File("/usr/bin/virsh").canExecute(),
        "needs libvirtd and virsh (scripts/setup-deps.sh): skipping");
  }

  /**
   * nodeCount nodes, the domUs, and xenha settings inserted in the configuration (properties, cluster, resources).
   * Starts the namespaces, every libvirtd and the checker; no agent yet.
   */
  NetnsLab(Path dir, int nodeCount, List<String> domains, String extraXenha) throws Exception {
    this(dir, nodeCount, domains, extraXenha, false);
  }

  /**
   * ipmi: every node gets a BMC (ipmi_sim, {@link Bmcs}) and is fenced with fence_ipmilan through it; a node powered
   * on by its BMC (after a fence's reboot, or an operator's power on) gets its libvirtd and agent started again.
   */
  NetnsLab(Path dir, int nodeCount, List<String> domains, String extraXenha, boolean ipmi) throws Exception {
    assumeLab();
    this.dir = dir;
    this.domains = domains;
    sh(LAB.toString(), "down", "5");
    if (sh(LAB.toString(), "up", Integer.toString(nodeCount)) != 0) {
      throw new IllegalStateException("cannot create the network namespaces");
    }
    for (int i = 1; i <= nodeCount; i++) {
      nodes.add("n" + i);
    }
    if (ipmi) {
      assumeTrue(new File("/usr/bin/ipmi_sim").canExecute() && new File("/usr/sbin/fence_ipmilan").canExecute(),
          "needs ipmi_sim and fence_ipmilan (scripts/setup-deps.sh): skipping");
      bmcs = new Bmcs(dir, nodes);
      // each node's state directory on a file system of its own, so that the nemesis can fill it
      for (String n : nodes) {
        stateMounts.add(io.xenha.testutil.Tmpfs.mount(stateDir(n), "size=" + STATE_DIR_MIB + "m,mode=0700"));
      }
    }
    for (String n : nodes) {
      startDaemon(n);
    }
    config = writeConfig(extraXenha);
    if (bmcs != null) {
      powerWatcher = new Thread(this::watchPower, "power-watcher");
      powerWatcher.setDaemon(true);
      powerWatcher.start();
    }
    checker = new Thread(this::check, "virsh-checker");
    checker.setDaemon(true);
    checker.start();
  }

  static int sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  static String ns(String node) {
    return "xh-" + node;
  }

  Path nodeDir(String node) {
    return dir.resolve(node);
  }

  /** Node's state directory (with BMCs: a tmpfs of {@link #STATE_DIR_MIB} MiB of its own). */
  Path stateDir(String node) {
    return nodeDir(node).resolve("state");
  }

  /**
   * Makes node's state directory read-only for its running agent, or writable again: a read-only bind mount over it
   * inside the agent's own mount namespace (`ip netns exec` gives each process one; remounting the tmpfs itself
   * read-only is refused while the journal is open for writing). An agent started again sees it writable.
   */
  void stateDirReadOnly(String node, boolean readOnly) throws Exception {
    Process p = agents.get(node);
    if (p == null || !p.isAlive()) {
      return;
    }
    String d = stateDir(node).toString();
    String pid = Long.toString(p.pid());
    if (readOnly) {
      sh("nsenter", "-t", pid, "-m", "sh", "-c", "mount --bind " + d + " " + d + " && mount -o remount,ro,bind " + d);
    } else {
      sh("nsenter", "-t", pid, "-m", "sh", "-c", "while grep -q ' " + d + " .* ro,' /proc/self/mountinfo; do umount "
          + d + " || break; done");
    }
  }

  static final int STATE_DIR_MIB = 64;
  private final List<AutoCloseable> stateMounts = new ArrayList<>();

  /** A state-directory fault on node: full fills its file system (a file the agent does not know), or frees it. */
  void stateDirFault(String node, boolean full) throws IOException {
    Path filler = stateDir(node).resolve("nemesis-filler");
    if (full) {
      io.xenha.testutil.Tmpfs.fill(filler);
    } else {
      Files.deleteIfExists(filler);
    }
  }

  String uri(String node) {
    return Libvirtd.uri(nodeDir(node));
  }

  // ---- the hosts -----------------------------------------------------------------------------------------

  /** Starts node's libvirtd in its namespace and holds a connection (the test driver keeps its state while one is open). */
  private void startDaemon(String node) throws Exception {
    daemons.put(node, Libvirtd.start(Files.createDirectories(nodeDir(node)), List.of("ip", "netns", "exec", ns(node))));
  }

  static String virsh(String uri, String... args) throws IOException, InterruptedException {
    return Libvirtd.virsh(uri, args);
  }

  /** Whether node's power is on: something runs in its namespace. */
  boolean poweredOn(String node) throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "pids", ns(node)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return !out.isEmpty();
  }

  /** Powers node off as the fence agent does: every process in its namespace dies. */
  void powerOff(String node) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(FENCE.toString()).redirectErrorStream(true);
    Process p = pb.start();
    p.getOutputStream().write(("action=off\nplug=" + ns(node) + "\n").getBytes());
    p.getOutputStream().close();
    p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
    Process agent = agents.remove(node);
    if (agent != null) {
      agent.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Powers node on: its libvirtd starts empty (a powered-off host runs nothing), then its agent. */
  void powerOn(String node) throws Exception {
    if (poweredOn(node)) {
      throw new IllegalStateException(node + " is not powered off");
    }
    // the fence agent kills the namespace's processes in a loop for up to a second: a daemon started while it still
    // runs is killed too (QuorumIT on CI: "virsh cannot reach" after a power-on). Wait until it stays empty.
    long quietSince = System.nanoTime();
    while (System.nanoTime() - quietSince < java.time.Duration.ofMillis(1500).toNanos()) {
      Thread.sleep(100);
      if (poweredOn(node)) {
        throw new IllegalStateException(node + " is not powered off");
      }
    }
    List<Process> old = daemons.remove(node);
    if (old != null) {
      old.forEach(Process::destroyForcibly);
    }
    startDaemon(node);
    startAgent(node);
  }

  /** The fence agent's log: one "TIME ACTION NAMESPACE" line per power-off it carried out. */
  List<String> fenceLog() throws IOException {
    Path log = dir.resolve("fence.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** When node was powered off by the fence agent (millis), or -1. */
  long fencedAt(String node) throws IOException {
    for (String line : fenceLog()) {
      String[] f = line.split(" ");
      if (f.length == 3 && (f[1].equals("off") || f[1].equals("reboot")) && f[2].equals(ns(node))) {
        return Long.parseLong(f[0]);
      }
    }
    return -1;
  }

  // ---- the agents ----------------------------------------------------------------------------------------

  private Path writeConfig(String extraXenha) throws IOException {
    StringBuilder c = new StringBuilder("xenha {\n  cluster-name = lab\n  nodes {\n");
    for (int i = 0; i < nodes.size(); i++) {
      String n = nodes.get(i);
      c.append("    ").append(n).append(" { address = \"10.77.0.1").append(i + 1).append(":2551\", hypervisor = \"")
          .append(uri(n)).append("\", state-dir = \"").append(stateDir(n)).append("\", jmx-port = 9011 }\n");
    }
    c.append("  }\n  properties { default-resource-stickiness = 100 }\n");
    c.append("  resource-defaults.ops { monitor { interval = 2s, timeout = 10s }, stop.timeout = 10s }\n  resources {\n");
    for (String n : nodes) {
      if (bmcs != null) {
        c.append("    ").append(bmcs.device(n)).append("\n");
      } else {
        c.append("    fence-").append(n).append(" { type = stonith, agent = \"").append(FENCE).append("\", hosts = [")
            .append(n).append("], params { plug = \"").append(ns(n)).append("\", lab_dir = \"").append(dir).append("\" } }\n");
      }
    }
    for (String d : domains) {
      Path xml = dir.resolve(d + ".xml");
      Files.writeString(xml, "<domain type='test'><name>" + d + "</name><memory unit='MiB'>128</memory>"
          + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
      c.append("    ").append(d).append(" { type = domain, domain-xml = \"").append(xml).append("\" }\n");
    }
    c.append("  }\n").append(extraXenha).append("\n}\n");
    Path file = dir.resolve("lab.conf");
    Files.writeString(file, c);
    // the secure default: mutual TLS between the agents (a throwaway CA), JMX login for the CLI
    keys = dir.resolve("keys");
    io.xenha.cli.KeysCommand.write(io.xenha.config.ConfigLoader.load(file).config().orElseThrow(), keys,
        Duration.ofDays(30));
    Files.delete(keys.resolve("ca.key"));
    Files.writeString(file, "xenha.security { tls-dir = \"" + keys + "\", credentials = \""
        + keys.resolve("jmx.credentials") + "\" }\n", java.nio.file.StandardOpenOption.APPEND);
    return file;
  }

  /** The lab's key material (`xenha keys init`). */
  Path keys;

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts node's agent in its namespace (its log: DIR/NODE.log, appended across restarts). */
  void startAgent(String node) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns(node), java(), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:+DisableAttachMechanism", "-cp", System.getProperty("java.class.path"), "io.xenha.Main", "agent", "--config",
        config.toString(), "--node", node);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    agents.put(node, pb.start());
  }

  /** Starts node's agent unless one runs there already (the power watcher and the nemesis may both try). */
  synchronized boolean ensureAgent(String node) throws IOException {
    Process p = agents.get(node);
    if (p != null && p.isAlive()) {
      return false;
    }
    startAgent(node);
    return true;
  }

  /**
   * With BMCs: a node whose power came back on gets its libvirtd (empty: a powered-off host runs nothing) and its
   * agent, as a rebooted dom0 starts them at boot.
   */
  private void watchPower() {
    Map<String, Long> seenOn = new ConcurrentHashMap<>();
    for (String n : nodes) {
      seenOn.put(n, bmcs.powerSince(n));
    }
    while (checking) {
      for (String n : nodes) {
        long since = bmcs.powerSince(n);
        if ("on".equals(bmcs.power(n)) && since != seenOn.get(n)) {
          seenOn.put(n, since);
          try {
            synchronized (this) {
              List<Process> old = daemons.remove(n);
              if (old != null) {
                old.forEach(Process::destroyForcibly);
              }
              startDaemon(n);
              ensureAgent(n);
            }
          } catch (Exception e) {
            System.err.println("power watcher: cannot start " + n + ": " + e);
          }
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Restarts node's libvirtd (the test driver forgets its domUs: to xenha, every domU there crashed at once). */
  synchronized void restartDaemon(String node) throws Exception {
    daemonRestarts.computeIfAbsent(node, k -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
    List<Process> old = daemons.remove(node);
    if (old != null) {
      for (Process p : old) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    startDaemon(node);
  }

  /** Runs `xenha ARGS` in node's namespace against its agent; returns the exit code and what it printed. */
  record Cli(int exit, String out) {}

  Cli cli(String node, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(node), java(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xshare:auto", "-cp", System.getProperty("java.class.path"), "io.xenha.Main"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--jmx", "127.0.0.1:9011", "--credentials", keys.resolve("cli.credentials").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Cli(-1, out);
    }
    return new Cli(p.exitValue(), out);
  }

  /** SIGTERM to node's agent (systemctl stop), waiting up to max for it to exit; returns its exit code. */
  int stopAgent(String node, Duration max) throws Exception {
    Process p = agents.remove(node);
    p.destroy();
    if (!p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(node + "'s agent did not exit within " + max + " of SIGTERM" + logs());
    }
    return p.exitValue();
  }

  /** kill -9 of node's agent only: its libvirtd and domUs stay (an agent crash, not a host crash). */
  void killAgent(String node) throws Exception {
    Process p = agents.remove(node);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  void signal(String node, String signal) throws Exception {
    sh("kill", "-" + signal, Long.toString(agents.get(node).pid()));
  }

  void cutCluster(String node) throws Exception {
    if (sh(LAB.toString(), "cut-cluster", node.substring(1)) != 0) {
      throw new IllegalStateException("cannot cut " + node + "'s cluster link");
    }
  }

  void mendCluster(String node) throws Exception {
    if (sh(LAB.toString(), "mend-cluster", node.substring(1)) != 0) {
      throw new IllegalStateException("cannot mend " + node + "'s cluster link");
    }
  }

  /** `xenha status --json` run in node's namespace (its JMX listens on its own loopback). */
  ClusterStatus status(String node) throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "exec", ns(node), java(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xshare:auto", "-cp", System.getProperty("java.class.path"), "io.xenha.Main", "status", "--json", "--jmx",
        "127.0.0.1:9011", "--credentials", keys.resolve("cli.credentials").toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.getErrorStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("status on " + node + " failed: " + out);
    }
    return StatusJson.fromJson(out);
  }

  /** Polls status through node until ok holds; fails with the last status and the agents' logs. */
  ClusterStatus awaitStatus(String node, Predicate<ClusterStatus> ok, Duration max, String what) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    ClusterStatus s = null;
    Exception err = null;
    while (System.nanoTime() < deadline) {
      try {
        s = status(node);
        if (ok.test(s)) {
          return s;
        }
      } catch (Exception e) {
        err = e;
      }
      Thread.sleep(300);
    }
    throw new AssertionError(what + " within " + max + "; last status via " + node + ": "
        + (s == null ? String.valueOf(err) : StatusJson.toJson(s)) + logs());
  }

  /** Every node online, the Controller active (not starting) and every domU started once. */
  static boolean settled(ClusterStatus s, List<String> domains) {
    boolean online = s.nodes().stream().allMatch(n -> n.state().equals("online"));
    boolean starting = s.warnings() != null && s.warnings().stream().anyMatch(w -> w.startsWith("Controller is starting"));
    return online && !starting && s.controller() != null && placement(s).keySet().containsAll(domains);
  }

  static Map<String, String> placement(ClusterStatus s) {
    Map<String, String> out = new TreeMap<>();
    for (ClusterStatus.ResourceStatus r : s.resources()) {
      if ("domain".equals(r.type()) && "started".equals(r.state())) {
        out.put(r.id(), r.node());
      }
    }
    return out;
  }

  // ---- the outside truth ---------------------------------------------------------------------------------

  /** Our domUs running now, per every live libvirtd: domain -> nodes. */
  Map<String, List<String>> running() {
    return round().where();
  }

  /** One reading of every node's libvirtd, at the same time: where our domUs run, and who answered. */
  record Round(long start, long end, Map<String, List<String>> where, Set<String> answered) {}

  Round round() {
    long start = System.currentTimeMillis();
    Map<String, List<String>> where = new TreeMap<>();
    List<Thread> readers = new ArrayList<>();
    Map<String, String> outputs = new ConcurrentHashMap<>();
    for (String n : nodes) {
      Thread t = new Thread(() -> {
        try {
          outputs.put(n, virsh(uri(n), "list", "--name"));
        } catch (Exception e) {
          // libvirtd gone: the node is off and runs nothing
        }
      });
      t.start();
      readers.add(t);
    }
    for (Thread t : readers) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    outputs.forEach((n, out) -> {
      for (String line : out.split("\n")) {
        String d = line.trim();
        if (domains.contains(d)) {
          where.computeIfAbsent(d, k -> new ArrayList<>()).add(n);
        }
      }
    });
    where.values().forEach(l -> l.sort(null));
    return new Round(start, System.currentTimeMillis(), where, new java.util.TreeSet<>(outputs.keySet()));
  }

  private final Map<String, Set<String>> lastAnswered = new ConcurrentHashMap<>();

  private void check() {
    while (checking) {
      Round r = round();
      for (String d : domains) {
        List<String> on = r.where().getOrDefault(d, List.of());
        if (!on.equals(last.get(d)) || !r.answered().equals(lastAnswered.get(d))) {
          last.put(d, on);
          lastAnswered.put(d, r.answered());
          timeline.add(new Seen(r.start(), r.end(), d, on, r.answered()));
        }
        if (on.size() > 1) {
          doubles.add(new Seen(r.start(), r.end(), d, on, r.answered()));
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Whether the checker saw domain gone from {@code node} after t while node's libvirtd answered: stopped by its agent,
   * not by a power-off (which takes the libvirtd with it).
   */
  boolean seenStoppedWhilePoweredOn(String domain, String node, long t) {
    return timeline.stream().anyMatch(s -> s.domain().equals(domain) && s.atMillis() > t && s.answered().contains(node)
        && !s.nodes().contains(node));
  }

  /** Waits until every domU runs on exactly one node (as libvirt says); returns where. */
  Map<String, String> awaitAllOnce(Duration max) throws Exception {
    return awaitAllOnceOff(null, max);
  }

  /** Waits until every domU runs on exactly one node, none on {@code off} (null: any node); returns where. */
  Map<String, String> awaitAllOnceOff(String off, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    Map<String, List<String>> now = Map.of();
    while (System.nanoTime() < deadline) {
      now = running();
      if (now.keySet().containsAll(domains) && now.values().stream().allMatch(l -> l.size() == 1 && !l.contains(off))) {
        Map<String, String> out = new TreeMap<>();
        now.forEach((d, l) -> out.put(d, l.get(0)));
        awaitChecker(out);
        return out;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("not every domU running once within " + max + ": " + now + logs());
  }

  /** Waits (at most 5 s) until the checker's last round saw every domU where {@code where} says: its rounds trail. */
  void awaitChecker(Map<String, String> where) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline
        && !where.entrySet().stream().allMatch(e -> List.of(e.getValue()).equals(last.get(e.getKey())))) {
      Thread.sleep(50);
    }
  }

  /** The nodes each domU was ever seen on after t (millis), in order. */
  Map<String, List<String>> nodesSeenAfter(long t) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Seen s : timeline) {
      if (s.atMillis() >= t) {
        for (String n : s.nodes()) {
          List<String> l = out.computeIfAbsent(s.domain(), k -> new ArrayList<>());
          if (l.isEmpty() || !l.get(l.size() - 1).equals(n)) {
            l.add(n);
          }
        }
      }
    }
    return out;
  }

  /**
   * When the first reading that saw domain running on a node other than {@code not} after t (millis) ended, or -1: by
   * then at the latest it ran there (a reading that ended before an instant proves it ran before it). Waits a few
   * seconds for the checker, whose rounds may trail what a caller has just read itself.
   */
  long firstSeenElsewhere(String domain, String not, long t) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    do {
      for (Seen s : timeline) {
        if (s.atMillis() >= t && s.domain().equals(domain) && s.nodes().stream().anyMatch(n -> !n.equals(not))) {
          return s.endMillis();
        }
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return -1;
  }

  /** Lines of node's log that contain text. */
  List<String> logLines(String node, String text) throws IOException {
    Path log = dir.resolve(node + ".log");
    if (!Files.exists(log)) {
      return List.of();
    }
    return Files.readAllLines(log).stream().filter(l -> l.contains(text)).toList();
  }

  /** The end of every agent's log, for a failure message. */
  String logs() {
    int lines = Integer.getInteger("xenha.it.log-lines", 25);
    StringBuilder b = new StringBuilder();
    for (String n : nodes) {
      try {
        List<String> all = Files.readAllLines(dir.resolve(n + ".log"));
        b.append("\n--- ").append(n).append(".log\n")
            .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())));
      } catch (IOException | RuntimeException e) {
        b.append("\n--- ").append(n).append(".log: ").append(e);
      }
    }
    try {
      b.append("\n--- fence.log\n").append(String.join("\n", fenceLog()));
    } catch (IOException e) {
      b.append("\n--- fence.log: ").append(e);
    }
    return b.toString();
  }

  Set<String> domainsOn(Map<String, String> placement, String node) {
    Set<String> out = new java.util.TreeSet<>();
    placement.forEach((d, n) -> {
      if (n.equals(node)) {
        out.add(d);
      }
    });
    return out;
  }

  @Override
  public void close() throws Exception {
    checking = false;
    if (checker != null) {
      checker.join(5000);
    }
    if (powerWatcher != null) {
      powerWatcher.join(5000);
    }
    if (bmcs != null) {
      bmcs.close();
    }
    for (Process p : agents.values()) {
      p.destroyForcibly();
    }
    for (Process p : agents.values()) {
      p.waitFor(20, TimeUnit.SECONDS);
    }
    for (String n : nodes) {
      sh("sh", "-c", "ip netns pids " + ns(n) + " | xargs -r kill -9");
    }
    daemons.values().forEach(l -> l.forEach(Process::destroyForcibly));
    sh(LAB.toString(), "down", Integer.toString(Math.max(5, nodes.size())));
    for (AutoCloseable m : stateMounts) {
      m.close();
    }
  }
}
