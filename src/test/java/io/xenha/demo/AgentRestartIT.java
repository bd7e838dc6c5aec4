package io.xenha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.jmx.JmxClient;
import io.xenha.status.ClusterStatus;
import io.xenha.status.History;
import io.xenha.status.HistoryRecord;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents that restart while their domUs keep running. Each simulated node has its own libvirtd serving libvirt's
 * test driver on a private unix socket, so the domUs outlive the agent processes (the in-process test:/// driver
 * would die with them); one long-lived virsh per daemon keeps the driver's state. Every agent is killed with
 * kill -9 and started again: they recover their journals, probe libvirt and the new Controller adopts what runs.
 * An outside checker polls `virsh list` on every daemon across the restart: every domU runs exactly once, always
 * with the same domain id (never stopped, never started a second time), and the history from before the kill
 * survives. Three nodes: with two, the survivor of one agent's death would have 1 of 2 votes, no quorum, and stop
 * its domUs (no-quorum-policy=stop, Pacemaker's rule). Ports: cluster 25661-25663, JMX 29061-29063 (no other IT).
 */
class AgentRestartIT {

  static final List<String> NODES = List.of("n1", "n2", "n3");
  static final List<String> DOMAINS = List.of("vm1", "vm2", "vm3", "vm4");
  static final int CLUSTER_PORT = 25661;
  static final int JMX_PORT = 29061;

  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final Map<String, Process> agents = new ConcurrentHashMap<>();
  private final Map<String, String> uris = new LinkedHashMap<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  /** domain -> every "node:id" the checker ever saw it running as. */
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
  private volatile boolean checking = true;

  @AfterEach
  void stopEverything() throws InterruptedException {
    checking = false;
    for (Process p : agents.values()) p.destroyForcibly();
    for (Process p : processes) p.destroy();
    for (Process p : processes) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    }
  }

  /** The daemons, the checker and both agents; returns the cluster configuration. */
  private Path startCluster(Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/libvirtd")) && onPath("virsh"),
        "needs libvirtd and virsh: apt-get install --no-install-recommends libvirt-daemon libvirt-clients (scripts/setup-deps.sh)");
    for (String n : NODES) {
      uris.put(n, startDaemon(dir.resolve(n)));
    }
    Path config = writeConfig(dir);
    checker = new Thread(this::check, "virsh-checker");
    checker.setDaemon(true);
    checker.start();
    for (String n : NODES) startAgent(dir, config, n);
    return config;
  }

  private Thread checker;
  private Path keys;
  private io.xenha.security.CliCredentials login;

  private void assertNoDomUStartedTwice() throws InterruptedException {
    checking = false;
    checker.join(5000);
    assertEquals(List.of(), violations, "a domU active on two nodes at once");
    seen.forEach((d, s) -> assertEquals(1, s.size(), d + " ran as " + s + ": started more than once"));
  }

  @Test
  void killNineOfEveryAgentStartsNothingTwice(@TempDir Path dir) throws Exception {
    Path config = startCluster(dir);
    Map<String, String> ids = awaitAllOnce(Duration.ofSeconds(120));
    History before = awaitHistory(h -> DOMAINS.stream().allMatch(d -> started(h, d) == 1), Duration.ofSeconds(30));
    awaitActive(Duration.ofSeconds(30));

    // every agent dies at once; the domUs stay up in their daemons
    for (String n : NODES) {
      Process p = agents.get(n);
      p.destroyForcibly();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), n + " did not die");
    }
    Instant restartedAt = Instant.now();
    assertEquals(ids, runningIds(), "the domUs outlive their agents");
    for (String n : NODES) startAgent(dir, config, n);

    awaitActive(Duration.ofSeconds(120));
    // the new Controller replans every few seconds: nothing may move, stop or start again meanwhile
    long watchUntil = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    while (System.nanoTime() < watchUntil) {
      assertEquals(ids, runningIds(), "every domU keeps running where it ran, with the same id");
      Thread.sleep(300);
    }
    History after = awaitHistory(h -> DOMAINS.stream().allMatch(d -> adopted(h, d, restartedAt)), Duration.ofSeconds(30));
    for (String d : DOMAINS) {
      assertEquals(1, started(after, d), d + " was started once, before the restart (history survived kill -9): " + after);
    }
    assertTrue(after.records().containsAll(before.records().stream().filter(r -> r.kind().equals(HistoryRecord.OPERATION)).toList()),
        "the history from before the kill is still there");
    assertNoDomUStartedTwice();
  }

  /**
   * One agent dies and comes back while the other keeps the cluster: the survivor sees a lost node, but the
   * restarted agent reports its domUs running before the self-fence deadline (stonith is disabled here), so
   * nothing is recovered elsewhere. n2 is the one killed; n1 and n3 keep quorum (2 of 3 votes). (With stonith the
   * node would be fenced: QuorumIT fences by powering a namespace off, which takes its libvirtd with it.)
   */
  @Test
  void killNineOfOneAgentThatComesBackStartsNothingTwice(@TempDir Path dir) throws Exception {
    Path config = startCluster(dir);
    Map<String, String> ids = awaitAllOnce(Duration.ofSeconds(120));
    awaitActive(Duration.ofSeconds(30));
    Process p = agents.get("n2");
    long killed = System.nanoTime();
    p.destroyForcibly();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "n2 did not die");
    startAgent(dir, config, "n2");
    awaitActive(Duration.ofSeconds(60));
    // past the self-fence deadline set for the lost incarnation (60 s after it was removed) and a few replans
    long watchUntil = killed + Duration.ofSeconds(80).toNanos();
    while (System.nanoTime() < watchUntil) {
      assertEquals(ids, runningIds(), "every domU keeps running where it ran, with the same id" + logs());
      Thread.sleep(300);
    }
    assertNoDomUStartedTwice();
  }

  /**
   * #14's first finding, as a user saw it: vm4 stopped and n3 in standby, every agent down, n1's copy of the runtime
   * overrides overwritten with random bytes, n1 started first. It once stopped its replicator, became Controller with
   * no overrides, started vm4 again and gave n3 domUs. Now, read from every libvirtd: vm4 never runs, n3 runs
   * nothing, and `xenha status` shows n1's damaged file.
   */
  @Test
  void aDamagedOverridesFileOnTheFirstAgentToStartLosesNoDecision(@TempDir Path dir) throws Exception {
    Path config = startCluster(dir);
    awaitAllOnce(Duration.ofSeconds(120));
    awaitActive(Duration.ofSeconds(30));
    try (JmxClient c = io.xenha.security.Security.connect("127.0.0.1", JMX_PORT, Duration.ofSeconds(5), login)) {
      c.admin("resource-stop", "vm4", null, null);
      c.admin("node-standby", "n3", null, null);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (runningIds().containsKey("vm4") || runningIds().values().stream().anyMatch(v -> v.contains("n3:"))) {
      assertTrue(System.nanoTime() < deadline, "vm4 stopped and n3 drained: " + runningIds() + logs());
      Thread.sleep(300);
    }
    for (String n : NODES) {
      Process p = agents.get(n);
      p.destroyForcibly();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), n + " did not die");
    }
    Path ddata = dir.resolve("n1").resolve("state").resolve("ddata");
    List<Path> damaged;
    try (var files = Files.list(ddata)) {
      damaged = files.filter(f -> f.getFileName().toString().startsWith("xenha-overrides")).toList();
    }
    assertEquals(1, damaged.size(), "n1's copy of the overrides: " + damaged);
    byte[] noise = new byte[2048];
    new java.util.Random(3).nextBytes(noise);
    Files.write(damaged.get(0), noise);

    startAgent(dir, config, "n1");
    Thread.sleep(3000); // n1 first, alone: it waits for quorum
    startAgent(dir, config, "n2");
    startAgent(dir, config, "n3");
    ClusterStatus s = null;
    deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (true) {
      try (JmxClient c = io.xenha.security.Security.connect("127.0.0.1", JMX_PORT, Duration.ofSeconds(5), login)) {
        s = c.status();
        if (s.controller() != null && s.warnings().stream().noneMatch(w -> w.startsWith("Controller is starting"))
            && s.nodes().stream().noneMatch(n -> n.state().equals("offline"))) break;
      } catch (Exception e) {
        // not up yet
      }
      assertTrue(System.nanoTime() < deadline, "no active Controller: " + s + logs());
      Thread.sleep(300);
    }
    long watchUntil = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < watchUntil) {
      Map<String, String> ids = runningIds();
      assertTrue(!ids.containsKey("vm4"), "vm4 stays stopped: " + ids + logs());
      assertTrue(ids.values().stream().noneMatch(v -> v.contains("n3:")), "n3 stays empty: " + ids + logs());
      Thread.sleep(300);
    }
    try (JmxClient c = io.xenha.security.Security.connect("127.0.0.1", JMX_PORT, Duration.ofSeconds(5), login)) {
      s = c.status();
    }
    ClusterStatus st = s;
    assertTrue(st.nodes().stream().anyMatch(n -> n.name().equals("n3") && n.state().equals("standby")), st.toString());
    assertTrue(st.warnings().stream().anyMatch(w -> w.startsWith("n1: durable data damaged: " + damaged.get(0) + ": ")),
        st.warnings().toString());
    checking = false;
    checker.join(5000);
    assertEquals(List.of(), violations, "a domU active on two nodes at once"); // standby moved some: new ids there
  }

  private static int started(History h, String domain) {
    return (int) h.records().stream()
        .filter(r -> r.resource().equals(domain) && r.operation().equals("start") && r.result().equals("ok")).count();
  }

  private static boolean adopted(History h, String domain, Instant after) {
    return h.records().stream().anyMatch(r -> r.resource().equals(domain) && r.operation().equals("probe")
        && r.result().equals("ok") && Instant.parse(r.at()).isAfter(after));
  }

  // ---- the simulated nodes: a libvirtd each ----------------------------------------------------------------

  /** Starts a libvirtd on DIR/libvirt-sock (no TCP, no auth) and holds a connection; returns its URI. */
  private String startDaemon(Path dir) throws Exception {
    processes.addAll(Libvirtd.start(dir, List.of()));
    return Libvirtd.uri(dir);
  }

  private static String virsh(String uri, String... args) throws IOException, InterruptedException {
    return Libvirtd.virsh(uri, args);
  }

  /** Our domUs running anywhere, as every daemon reports them: domain -> "node:id" (joined when on several). */
  private Map<String, String> runningIds() throws Exception {
    Map<String, List<String>> where = new TreeMap<>();
    for (Map.Entry<String, String> e : uris.entrySet()) {
      for (String line : virsh(e.getValue(), "list").split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 3 && DOMAINS.contains(f[1]) && f[0].matches("\\d+")) {
          where.computeIfAbsent(f[1], k -> new ArrayList<>()).add(e.getKey() + ":" + f[0]);
        }
      }
    }
    Map<String, String> ids = new TreeMap<>();
    where.forEach((d, l) -> ids.put(d, String.join(",", l)));
    return ids;
  }

  /** The outside checker: libvirt's truth on every node, all the time. */
  private void check() {
    while (checking) {
      try {
        runningIds().forEach((d, at) -> {
          if (at.contains(",")) violations.add(d + " on " + at);
          seen.computeIfAbsent(d, k -> ConcurrentHashMap.newKeySet()).add(at);
        });
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // a virsh call that failed: look again
      }
    }
  }

  private Map<String, String> awaitAllOnce(Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      Map<String, String> ids = runningIds();
      if (ids.keySet().containsAll(DOMAINS) && ids.values().stream().noneMatch(v -> v.contains(","))) {
        return ids;
      }
      assertTrue(System.nanoTime() < deadline, "not every domU running once within " + max + ": " + ids + "; " + logs());
      Thread.sleep(300);
    }
  }

  // ---- the agents ------------------------------------------------------------------------------------------

  private Path writeConfig(Path dir) throws IOException {
    StringBuilder c = new StringBuilder("xenha {\n  cluster-name = restart\n  nodes {\n");
    for (int i = 0; i < NODES.size(); i++) {
      String n = NODES.get(i);
      c.append("    ").append(n).append(" { address = \"127.0.0.1:").append(CLUSTER_PORT + i)
          .append("\", hypervisor = \"").append(uris.get(n)).append("\", jmx-port = ").append(JMX_PORT + i)
          .append(", state-dir = \"").append(dir.resolve(n).resolve("state")).append("\" }\n");
    }
    // no fence device reaches a libvirtd's domUs here: the test kills agents, never nodes
    c.append("  }\n  properties { stonith-enabled = false, self-fence-deadline = 60s, default-resource-stickiness = 100, dc-deadtime = 30s }\n");
    c.append("  cluster { stable-after = 2s, heartbeat-interval = 500ms, acceptable-heartbeat-pause = 3s }\n");
    c.append("  resource-defaults.ops { monitor { interval = 2s, timeout = 10s }, stop.timeout = 10s }\n  resources {\n");
    for (String d : DOMAINS) {
      Path xml = dir.resolve(d + ".xml");
      Files.writeString(xml, "<domain type='test'><name>" + d + "</name><memory unit='MiB'>128</memory>"
          + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
      c.append("    ").append(d).append(" { type = domain, domain-xml = \"").append(xml).append("\" }\n");
    }
    c.append("  }\n}\n");
    Path file = dir.resolve("cluster.conf");
    Files.writeString(file, c);
    // mutual TLS between the agents and a login for JMX, as `xenha keys init` makes them
    keys = dir.resolve("keys");
    io.xenha.cli.KeysCommand.write(io.xenha.config.ConfigLoader.load(file).config().orElseThrow(), keys, Duration.ofDays(30));
    Files.delete(keys.resolve("ca.key"));
    Files.writeString(file, "xenha.security { tls-dir = \"" + keys + "\", credentials = \"" + keys.resolve("jmx.credentials")
        + "\" }\n", java.nio.file.StandardOpenOption.APPEND);
    login = io.xenha.security.CliCredentials.read(keys.resolve("cli.credentials"));
    return file;
  }

  private void startAgent(Path dir, Path config, String node) throws IOException {
    logDir = dir;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+DisableAttachMechanism", "-cp", System.getProperty("java.class.path"),
        "io.xenha.Main", "agent", "--config", config.toString(), "--node", node);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(node + ".log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    agents.put(node, pb.start());
  }

  private Path logDir;
  /** How much of each agent's log a failure shows (-Dxenha.it.log-lines to see more). */
  private static final int LOG_LINES = Integer.getInteger("xenha.it.log-lines", 15);

  /** The end of every agent's log, for a failure message. */
  private String logs() {
    StringBuilder b = new StringBuilder();
    for (String n : NODES) {
      try {
        List<String> lines = Files.readAllLines(logDir.resolve(n + ".log"));
        b.append("\n--- ").append(n).append(".log\n")
            .append(String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size())));
      } catch (IOException | RuntimeException e) {
        b.append("\n--- ").append(n).append(".log: ").append(e);
      }
    }
    return b.toString();
  }

  /** Both nodes online and the Controller past its start (probed everyone). */
  private void awaitActive(Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    ClusterStatus s = null;
    while (System.nanoTime() < deadline) {
      try (JmxClient c = io.xenha.security.Security.connect("127.0.0.1", JMX_PORT, Duration.ofSeconds(5), login)) {
        s = c.status();
        boolean online = s.nodes().stream().allMatch(n -> n.state().equals("online"));
        boolean starting = s.warnings() != null && s.warnings().stream().anyMatch(w -> w.startsWith("Controller is starting"));
        if (online && !starting) return;
      } catch (Exception e) {
        // not up yet
      }
      Thread.sleep(300);
    }
    throw new AssertionError("the cluster did not become active within " + max + ": " + s + logs());
  }

  private History awaitHistory(java.util.function.Predicate<History> ok, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    History h = null;
    while (System.nanoTime() < deadline) {
      try (JmxClient c = io.xenha.security.Security.connect("127.0.0.1", JMX_PORT, Duration.ofSeconds(5), login)) {
        h = c.history(null, null);
        if (ok.test(h)) return h;
      } catch (Exception e) {
        // not up yet
      }
      Thread.sleep(300);
    }
    throw new AssertionError("history not as expected within " + max + ": " + h);
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) return true;
    }
    return false;
  }
}
