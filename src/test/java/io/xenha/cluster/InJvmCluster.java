package io.xenha.cluster;

import com.typesafe.config.ConfigFactory;
import io.xenha.agent.XenhaNode;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeAgent;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.status.ClusterStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Several xenha agents in one JVM (ActorSystems on port 0), each with its own private libvirt test hypervisor,
 * and a stand-in process per node (`sleep`) that the builtin:kill fence device kills: a node counts as fenced
 * when its stand-in is dead. Records every domain start (libvirt lifecycle events) and checks the safety
 * invariants while it runs.
 */
final class InJvmCluster implements AutoCloseable {

  /**
   * One domain start seen by libvirt, with the nodes that were powered off (stand-in process gone) at that
   * instant: read synchronously from the OS, so "started after the fence" needs no timestamps that race.
   */
  record StartEvent(String node, String domain, long atNanos, long atMillis, java.util.Set<String> offAtStart) {}

  /** The nodes whose stand-in process no longer exists: powered off. */
  java.util.Set<String> poweredOff() {
    java.util.Set<String> off = new java.util.TreeSet<>();
    standIns.forEach((n, p) -> {
      if (!ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        off.add(n);
      }
    });
    return off;
  }

  final Path dir;
  final XenhaConfig config;
  final Map<String, XenhaNode> nodes = new java.util.concurrent.ConcurrentSkipListMap<>(); // the checker reads it while restartAll() writes
  final Map<String, Process> standIns = new LinkedHashMap<>();
  final Map<String, Long> fencedAtNanos = new ConcurrentHashMap<>();
  final List<StartEvent> starts = new CopyOnWriteArrayList<>();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final List<Migration> migrations = new CopyOnWriteArrayList<>();

  /**
   * A live migration as its source's hypervisor saw it, from the call until it completed (endNanos 0 meanwhile):
   * the only time a domU may be active on two nodes, its source and its target.
   */
  static final class Migration {
    final String domain;
    final String source;
    final String target;
    final long startNanos = System.nanoTime();
    volatile long endNanos;

    Migration(String domain, String source, String target) {
      this.domain = domain;
      this.source = source;
      this.target = target;
    }

    /** Whether it was under way at some instant between from and to (nanoTime). */
    boolean during(long from, long to) {
      long end = endNanos;
      return startNanos <= to && (end == 0 || end >= from);
    }
  }
  /** Nodes whose LAN cable is pulled: their ping agent reaches nothing (the cluster link stays up). */
  final java.util.Set<String> cableCut = ConcurrentHashMap.newKeySet();
  private final Thread checker;
  private volatile boolean running = true;

  InJvmCluster(Path dir, int nodeCount, List<String> domains, String constraints) throws Exception {
    this(dir, nodeCount, domains, constraints, "", "", n -> hv -> hv);
  }

  /**
   * extraXenha: HOCON inserted in the xenha section (properties, more resources in a resources { } block...);
   * extraPekko: Pekko settings for every node; wrap: per node, a decoration of its hypervisor port.
   */
  InJvmCluster(Path dir, int nodeCount, List<String> domains, String constraints, String extraXenha, String extraPekko,
      java.util.function.Function<String, java.util.function.UnaryOperator<Hypervisor>> wrap) throws Exception {
    this(dir, nodeCount, domains, constraints, extraXenha, extraPekko, wrap, (n, c) -> c);
  }

  /** perNode: the configuration node n runs with, from the common one (a node with a different file). */
  InJvmCluster(Path dir, int nodeCount, List<String> domains, String constraints, String extraXenha, String extraPekko,
      java.util.function.Function<String, java.util.function.UnaryOperator<Hypervisor>> wrap,
      java.util.function.BiFunction<String, XenhaConfig, XenhaConfig> perNode) throws Exception {
    this(dir, nodeCount, domains, constraints, extraXenha, extraPekko, wrap, perNode, 0);
  }

  /**
   * basePort > 0: node i listens on 127.0.0.1:basePort+i and joins by itself (Bootstrap), as a real agent does; 0:
   * any free port, joined by hand to the first live node.
   */
  InJvmCluster(Path dir, int nodeCount, List<String> domains, String constraints, String extraXenha, String extraPekko,
      java.util.function.Function<String, java.util.function.UnaryOperator<Hypervisor>> wrap,
      java.util.function.BiFunction<String, XenhaConfig, XenhaConfig> perNode, int basePort) throws Exception {
    this.dir = dir;
    this.basePort = basePort;
    this.perNode = perNode;
    StringBuilder conf = new StringBuilder();
    conf.append("xenha {\n  cluster-name = itest\n  nodes {\n");
    for (int i = 1; i <= nodeCount; i++) {
      String n = "n" + i;
      Path nd = Files.createDirectories(dir.resolve(n));
      Files.writeString(nd.resolve("host.xml"), "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores>"
          + "<threads>1</threads><active>4</active><mhz>2000</mhz><model>x86_64</model></cpu><memory>8388608</memory></node>");
      conf.append("    ").append(n).append(" { address = \"127.0.0.1:").append(basePort == 0 ? 0 : basePort + i)
          .append("\", hypervisor = \"test://")
          .append(nd.resolve("host.xml")).append("\", state-dir = \"").append(nd).append("\" }\n");
    }
    conf.append("  }\n  properties { default-resource-stickiness = 100, dc-deadtime = 20s }\n");
    conf.append("  cluster { stable-after = 2s, heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2500ms, ask-timeout = 5s }\n");
    // plain TCP between the in-JVM nodes, said explicitly (SecureClusterTest runs a whole cluster over TLS)
    conf.append("  security.insecure = true\n");
    conf.append("  resource-defaults.ops.monitor { interval = 1s, timeout = 5s }\n");
    conf.append("  resources {\n    fence { type = stonith, agent = \"builtin:kill\", params { process-match = sleep } }\n");
    for (String d : domains) {
      Files.writeString(dir.resolve(d + ".xml"), "<domain type='test'><name>" + d + "</name><memory unit='MiB'>128</memory>"
          + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
      conf.append("    ").append(d).append(" { type = domain, domain-xml = \"").append(dir.resolve(d + ".xml")).append("\" }\n");
    }
    conf.append("  }\n").append(constraints).append("\n").append(extraXenha).append("\n}\n");
    Path file = dir.resolve("cluster.conf");
    Files.writeString(file, conf);
    LoadResult loaded = ConfigLoader.load(file, Optional.empty());
    if (!loaded.ok()) {
      throw new IllegalStateException("test config invalid: " + loaded.problems());
    }
    config = loaded.config().get();

    this.wrap = wrap;
    for (String n : config.nodes().keySet()) {
      startStandIn(n);
    }
    // a crashed node must vanish without leaving the cluster: terminate() does not run CoordinatedShutdown
    pekkoOverrides = ConfigFactory.parseString(
        "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n"
            + "pekko.coordinated-shutdown.terminate-actor-system = on\n"
            + "pekko.remote.artery.advanced.test-mode = on\n"
            + extraPekko + "\n"
            + "pekko.loglevel = INFO\n");
    for (String n : config.nodes().keySet()) {
      startNode(n);
    }
    checker = new Thread(this::checkInvariants, "invariant-checker");
    checker.setDaemon(true);
    checker.start();
  }

  private final java.util.function.Function<String, java.util.function.UnaryOperator<Hypervisor>> wrap;
  private final int basePort;
  private final com.typesafe.config.Config pekkoOverrides;
  private final java.util.function.BiFunction<String, XenhaConfig, XenhaConfig> perNode;

  /** The node's power: a `sleep` process the builtin:kill device kills; a dead one is a powered-off node. */
  private void startStandIn(String n) throws IOException {
    {
      Process p = new ProcessBuilder("sleep", "600").start();
      standIns.put(n, p);
      // the stand-in dying is the node being powered off: its agent and its hypervisor, with every domU on it,
      // are gone too (terminate() here runs no CoordinatedShutdown: nothing is stopped gracefully)
      p.onExit().thenRun(() -> {
        fencedAtNanos.put(n, System.nanoTime());
        XenhaNode fenced = nodes.get(n);
        if (fenced != null && running) {
          fenced.hypervisor().close();
          fenced.system().terminate();
        }
      });
      Files.writeString(dir.resolve(n).resolve("xenha.pid"), p.pid() + "\n");
    }
  }

  /** Starts node n's agent (a fresh hypervisor: the test driver keeps no state) and joins it to the first live node. */
  private void startNode(String n) throws Exception {
    {
      XenhaNode node = XenhaNode.start(perNode.apply(n, config), n, pekkoOverrides,
          new NodeAgent.Settings(Duration.ofMillis(200), Duration.ofSeconds(2)).withPinger((host, timeout) ->
              !cableCut.contains(n) && io.xenha.agents.PingAgent.SYSTEM.reachable(host, timeout)),
          Clock.systemUTC(), hv -> new PowerSwitch(wrap.apply(n).apply(hv), standIns.get(n), (domain, targetUri) -> {
            Migration m = new Migration(domain, n, nodeOfUri(targetUri));
            migrations.add(m);
            return () -> m.endNanos = System.nanoTime();
          }));
      nodes.put(n, node);
      node.hypervisor().subscribe(e -> {
        if (e.type().equals("STARTED")) {
          starts.add(new StartEvent(n, e.domain(), System.nanoTime(), System.currentTimeMillis(), poweredOff()));
        }
      });
      if (basePort > 0) {
        return; // it joins by itself
      }
      // another live node when there is one (a restarted n1 would otherwise join itself: a cluster of its own)
      var live = nodes.values().stream().filter(x -> !x.system().whenTerminated().isCompleted()).toList();
      var first = Cluster.get(live.stream().filter(x -> x != node).findFirst().orElse(node).system())
          .selfMember().address();
      Cluster.get(node.system()).manager().tell(Join.create(first));
    }
  }

  /**
   * Starts the agent of a node that left or crashed again, on the same state directory (its journal); a fresh
   * in-process hypervisor, as after a reboot.
   */
  void restart(String n) throws Exception {
    startNode(n);
  }

  /** A fenced (powered-off) node gets power again and its agent starts, as after a reboot. */
  void powerOn(String n) throws Exception {
    if (standIns.get(n).isAlive()) {
      throw new IllegalStateException(n + " is not powered off");
    }
    XenhaNode old = nodes.get(n);
    if (old != null) {
      old.system().getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
    fencedAtNanos.remove(n);
    startStandIn(n);
    startNode(n);
  }

  /**
   * The whole cluster goes down at once (a site power cut) and comes back: every agent is terminated, powered-off
   * nodes get power again, and every node starts anew with the same state directories. The test driver forgets
   * its domUs, as a power cut would.
   */
  void restartAll() throws Exception {
    restartAll(() -> {});
  }

  /** As {@link #restartAll()}, doing {@code whileDown} (e.g. damaging a state directory) while every node is down. */
  void restartAll(ThrowingRunnable whileDown) throws Exception {
    for (String n : new ArrayList<>(nodes.keySet())) {
      XenhaNode x = nodes.remove(n);
      x.system().terminate();
      x.system().getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      x.hypervisor().close();
    }
    whileDown.run();
    for (String n : config.nodes().keySet()) {
      if (!standIns.get(n).isAlive()) {
        fencedAtNanos.remove(n);
        startStandIn(n);
      }
    }
    for (String n : config.nodes().keySet()) {
      startNode(n);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private String nodeOfUri(String uri) {
    return config.nodes().values().stream().filter(s -> s.hypervisor().equals(uri)).map(s -> s.name()).findFirst()
        .orElse(uri);
  }

  /**
   * A domU active on two nodes at once is the one thing that must never happen, live migration aside: a domU seen on
   * exactly its source and its target while a migration between them was under way (the source's migrate call had
   * begun and not completed during the sampling round) is its switch-over, not a violation.
   */
  private void checkInvariants() {
    while (running) {
      long roundStart = System.nanoTime();
      Map<String, List<String>> where = new HashMap<>();
      for (Map.Entry<String, XenhaNode> e : new ArrayList<>(nodes.entrySet())) {
        if (e.getValue().system().whenTerminated().isCompleted()) {
          continue;
        }
        try {
          for (String d : e.getValue().hypervisor().activeDomains(Duration.ofSeconds(2)).toCompletableFuture().get()) {
            where.computeIfAbsent(d, k -> new ArrayList<>()).add(e.getKey());
          }
        } catch (Exception ignored) {
          // a node going down mid-check
        }
      }
      long roundEnd = System.nanoTime();
      where.forEach((d, ns) -> {
        if (ns.size() > 1 && !migrating(d, ns, roundStart, roundEnd)) {
          violations.add(d + " active on " + ns);
        }
      });
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean migrating(String domain, List<String> nodes, long from, long to) {
    return nodes.size() == 2 && migrations.stream().anyMatch(m -> m.domain.equals(domain) && m.during(from, to)
        && nodes.contains(m.source) && nodes.contains(m.target));
  }

  /**
   * Waits until every live node sees every live node Up. A Controller may act as soon as the leader has moved
   * nodes to Up, before the others have heard of it; crashing the leader in that window leaves a cluster of
   * Joining members, which the Split Brain Resolver rightly downs whole. Tests crash nodes only after this.
   */
  void awaitConverged(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      List<XenhaNode> live = nodes.values().stream().filter(n -> !n.system().whenTerminated().isCompleted()).toList();
      boolean converged = true;
      for (XenhaNode n : live) {
        var state = Cluster.get(n.system()).state();
        long up = java.util.stream.StreamSupport.stream(state.getMembers().spliterator(), false)
            .filter(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up()).count();
        converged &= up == live.size() && state.getUnreachable().isEmpty();
      }
      if (converged) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("cluster did not converge within " + max);
      }
      Thread.sleep(50);
    }
  }

  /** Domain name to the nodes whose hypervisor reports it active, over the live nodes. */
  Map<String, List<String>> activeDomains() throws Exception {
    Map<String, List<String>> where = new java.util.TreeMap<>();
    for (Map.Entry<String, XenhaNode> e : nodes.entrySet()) {
      if (e.getValue().system().whenTerminated().isCompleted()) {
        continue;
      }
      List<String> active;
      try {
        active = e.getValue().hypervisor().activeDomains(Duration.ofSeconds(5)).toCompletableFuture().get();
      } catch (java.util.concurrent.ExecutionException closed) {
        continue; // powered off (fenced) while its agent is still terminating: nothing runs there
      }
      for (String d : active) {
        where.computeIfAbsent(d, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    return where;
  }

  ClusterStatus status(String via) throws Exception {
    return nodes.get(via).console().status();
  }

  /** The node hosting the Controller singleton, as the cluster reports it. */
  String controllerNode(String via) throws Exception {
    return status(via).controller();
  }

  /** The node dies: its agent vanishes without leaving and its hypervisor (with every domU on it) is gone. */
  void crash(String node) {
    XenhaNode n = nodes.get(node);
    n.system().terminate();
    n.system().getWhenTerminated().toCompletableFuture().join();
  }

  /** The node's agent is stopped by its operator: CoordinatedShutdown stops its domUs and leaves the cluster. */
  void leave(String node) throws Exception {
    XenhaNode n = nodes.get(node);
    org.apache.pekko.actor.CoordinatedShutdown.get(n.system().classicSystem())
        .runAll(org.apache.pekko.actor.CoordinatedShutdown.unknownReason())
        .toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Cuts the network between {@code isolated} and every other node, both ways (Artery's test-mode blackhole). */
  void partition(String isolated) throws Exception {
    for (String other : nodes.keySet()) {
      if (!other.equals(isolated)) {
        blackhole(other, isolated);
        blackhole(isolated, other);
      }
    }
  }

  private void blackhole(String from, String to) throws Exception {
    var system = (org.apache.pekko.actor.ExtendedActorSystem) nodes.get(from).system().classicSystem();
    var provider = (org.apache.pekko.remote.RemoteActorRefProvider) system.provider();
    var target = Cluster.get(nodes.get(to).system()).selfMember().address();
    var done = provider.transport().managementCommand(new org.apache.pekko.remote.transport.ThrottlerTransportAdapter.SetThrottle(
        target,
        (org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Direction) Class
            .forName("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Both$")
            .getField("MODULE$").get(null),
        org.apache.pekko.remote.transport.ThrottlerTransportAdapter.Blackhole$.MODULE$));
    scala.concurrent.Await.result(done, scala.concurrent.duration.Duration.create(10, "s"));
  }

  /**
   * The starts after nanos once there are at least n of them (or after 10 s): start events come from the libvirt
   * event loop and can trail what the hypervisor already shows as running.
   */
  List<StartEvent> awaitStartsAfter(long nanos, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (startsAfter(nanos).size() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return startsAfter(nanos);
  }

  /**
   * Waits (at most 10 s) until the start event of every domain running where {@code where} says has been recorded:
   * a test that counts the starts after some instant must not count the trailing event of an earlier start.
   */
  void awaitStartEventsOf(Map<String, List<String>> where) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline && !where.entrySet().stream().allMatch(e -> e.getValue().stream()
        .allMatch(n -> starts.stream().anyMatch(s -> s.node().equals(n) && s.domain().equals(e.getKey()))))) {
      Thread.sleep(20);
    }
  }

  List<StartEvent> startsAfter(long nanos) {
    List<StartEvent> out = new ArrayList<>();
    for (StartEvent s : starts) {
      if (s.atNanos() > nanos) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public void close() throws IOException {
    running = false;
    for (XenhaNode n : nodes.values()) {
      n.system().terminate();
    }
    for (XenhaNode n : nodes.values()) {
      try {
        n.system().getWhenTerminated().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort
      }
    }
    standIns.values().forEach(Process::destroyForcibly);
  }
}
