package io.xenha.cluster;

import static io.xenha.cluster.ClusterFailoverTest.CONSTRAINTS;
import static io.xenha.cluster.ClusterFailoverTest.DOMAINS;
import static io.xenha.cluster.ClusterFailoverTest.awaitAllRunningOnce;
import static io.xenha.cluster.ClusterFailoverTest.domainsOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.controller.Admin;
import io.xenha.status.ClusterStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin commands against a running three-node cluster: standby drains a node and online moves nothing back,
 * resource stop / start / restart / migrate / unmigrate / cleanup / unmanage / manage, refusals, and the
 * overrides surviving a Controller failover and a restart of the whole cluster.
 */
@Tag("slow")
class AdminCommandsTest {

  static Admin.Reply admin(InJvmCluster c, String via, String op, String target, String node, Duration lifetime)
      throws Exception {
    return c.nodes.get(via).console().admin(new Admin.Request(op, target, node, lifetime));
  }

  static Admin.Reply admin(InJvmCluster c, String via, String op, String target) throws Exception {
    return admin(c, via, op, target, null, null);
  }

  static void assertOk(Admin.Reply r) {
    assertTrue(r.ok(), "refused: " + r.message());
  }

  /** Waits until the status seen via {@code via} satisfies {@code p}. */
  static ClusterStatus awaitStatus(InJvmCluster c, String via, Predicate<ClusterStatus> p, String what) throws Exception {
    return FencingTest.awaitStatus(c, via, p, Duration.ofSeconds(60), what);
  }


  static String nodeState(ClusterStatus s, String node) {
    return s.nodes().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().state();
  }

  static ClusterStatus.ResourceStatus resource(ClusterStatus s, String id) {
    return s.resources().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  /** Waits until every domU but {@code stopped} runs exactly once and those in {@code stopped} run nowhere. */
  static Map<String, List<String>> awaitRunning(InJvmCluster c, List<String> stopped) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> where = c.activeDomains();
      boolean ok = DOMAINS.stream().allMatch(d -> stopped.contains(d)
          ? !where.containsKey(d) : where.containsKey(d) && where.get(d).size() == 1);
      if (ok) {
        return where;
      }
      assertTrue(System.nanoTime() < deadline, "expected all but " + stopped + " running once: " + where);
      Thread.sleep(100);
    }
  }

  /** Waits until the placement satisfies {@code p} with every domU running once, and returns it. */
  static Map<String, List<String>> awaitPlacement(InJvmCluster c, Predicate<Map<String, List<String>>> p, String what)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> where = c.activeDomains();
      if (p.test(where) && DOMAINS.stream().allMatch(d -> where.containsKey(d) && where.get(d).size() == 1)) {
        return where;
      }
      assertTrue(System.nanoTime() < deadline, what + " not reached: " + where);
      Thread.sleep(100);
    }
  }

  /**
   * Nothing starts or stops for a while: the placement stays {@code where}. Absence can only be watched over a
   * window; the window is longer than a planning round with the test's timings (monitor 1 s).
   */
  static void assertNothingMoves(InJvmCluster c, Map<String, List<String>> where, long sinceNanos) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    while (System.nanoTime() < until) {
      assertEquals(where, c.activeDomains(), "something moved");
      Thread.sleep(200);
    }
    assertEquals(List.of(), c.startsAfter(sinceNanos), "nothing started");
  }

  @Test
  void standbyDrainsANodeAndOnlineMovesNothingBack(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String drained = new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !n.equals(controller)).findFirst().orElseThrow();
      List<String> moved = domainsOn(before, drained);
      assertFalse(moved.isEmpty(), "the node to drain runs something: " + before);

      assertOk(admin(c, controller, "node-standby", drained));
      Map<String, List<String>> drainedWhere = awaitPlacement(c, w -> domainsOn(w, drained).isEmpty(), drained + " drained");
      assertEquals(List.of(), domainsOn(drainedWhere, drained), drained + " is drained: " + drainedWhere);
      assertEquals("standby", nodeState(c.status(controller), drained));
      for (String d : DOMAINS) {
        if (!moved.contains(d) && !d.equals("vm2")) { // vm2 is ordered after vm1: it may restart with it
          assertEquals(before.get(d), drainedWhere.get(d), d + " was not on " + drained + " and stays");
        }
      }
      // the same again is no change, not an error; the last node able to run resources cannot go to standby
      assertTrue(admin(c, controller, "node-standby", drained).message().contains("already"));
      String other = c.nodes.keySet().stream().filter(n -> !n.equals(drained) && !n.equals(controller)).findFirst().orElseThrow();
      assertOk(admin(c, controller, "node-standby", other));
      Admin.Reply last = admin(c, controller, "node-standby", controller);
      assertFalse(last.ok(), "standby of the last node must be refused");
      assertTrue(last.message().contains("no online node"), last.message());
      assertOk(admin(c, controller, "node-online", other));
      awaitStatus(c, controller, s -> nodeState(s, other).equals("online"), other + " online");
      Map<String, List<String>> settled = awaitAllRunningOnce(c, Duration.ofSeconds(60));

      long onlineAt = System.nanoTime();
      assertOk(admin(c, controller, "node-online", drained));
      awaitStatus(c, controller, s -> nodeState(s, drained).equals("online"), drained + " online");
      assertNothingMoves(c, settled, onlineAt);
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);

      Admin.Reply unknown = admin(c, controller, "node-standby", "nope");
      assertFalse(unknown.ok());
      assertTrue(unknown.message().contains("unknown node 'nope'"), unknown.message());
    }
  }

  @Test
  void standbyDrainsByLiveMigrationOneAtATimeWithBatchLimitOne(@TempDir Path dir) throws Exception {
    String extra = "resource-defaults.allow-migrate = true\nproperties.batch-limit = 1\n";
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, extra, "", n -> hv -> hv)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String drained = new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !n.equals(controller))
          .filter(n -> domainsOn(before, n).size() >= 2).findFirst().orElseThrow();
      List<String> moved = domainsOn(before, drained);
      long t0 = System.nanoTime();
      assertOk(admin(c, controller, "node-standby", drained));
      awaitPlacement(c, w -> domainsOn(w, drained).isEmpty(), drained + " drained");

      // every domU left by live migration (vm2 is ordered after vm1 and may restart when vm1 moves: not counted)
      List<InJvmCluster.Migration> migrations = c.migrations.stream().filter(m -> m.startNanos > t0).toList();
      for (String d : moved) {
        if (!d.equals("vm2")) {
          assertTrue(migrations.stream().anyMatch(m -> m.domain.equals(d) && m.source.equals(drained) && m.endNanos != 0),
              d + " was migrated off " + drained + ": " + migrations.stream().map(m -> m.domain + " " + m.source + "->" + m.target).toList());
        }
      }
      // batch-limit 1: no two migrations at once
      for (InJvmCluster.Migration a : migrations) {
        for (InJvmCluster.Migration b : migrations) {
          if (a != b && a.startNanos < b.startNanos) {
            assertTrue(a.endNanos <= b.startNanos, a.domain + " and " + b.domain + " migrated at the same time");
          }
        }
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void standbyWithoutMigrationRestartsElsewhereAfterStartDelay(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, "resource-defaults.start-delay = 2s\n", "",
        n -> hv -> hv)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String drained = new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !n.equals(controller))
          .filter(n -> !domainsOn(before, n).isEmpty()).findFirst().orElseThrow();
      long t0 = System.nanoTime();
      assertOk(admin(c, controller, "node-standby", drained));
      awaitPlacement(c, w -> domainsOn(w, drained).isEmpty(), drained + " drained");
      List<InJvmCluster.StartEvent> starts = c.awaitStartsAfter(t0, domainsOn(before, drained).size());
      assertFalse(starts.isEmpty(), "the drained domUs started elsewhere");
      assertTrue(c.migrations.stream().noneMatch(m -> m.startNanos > t0), "no allow-migrate: no migration");
      for (InJvmCluster.StartEvent s : starts) {
        assertTrue(s.atNanos() - t0 >= Duration.ofSeconds(2).toNanos(),
            s.domain() + " started " + (s.atNanos() - t0) / 1_000_000 + " ms after the standby: start-delay is 2 s");
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void aNodeWhoseConfigurationDiffersIsReported(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, "", "", n -> hv -> hv, (n, cfg) ->
        !n.equals("n3") ? cfg : new io.xenha.config.XenhaConfig(cfg.source(), cfg.clusterName(), cfg.nodeName(),
            cfg.nodes(), cfg.properties(), cfg.resources(), cfg.locations(), cfg.orders(), cfg.cluster(), cfg.jmx(),
            "f".repeat(64), cfg.fencingTopology(), cfg.ocfRoot(), cfg.colocations(), cfg.persistence(), cfg.security()))) {
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      // the Controller compares every node with its own file: n3 differs, or (Controller on n3) the two others
      List<String> expected = controller.equals("n3") ? List.of("n1", "n2") : List.of("n3");
      ClusterStatus s = awaitStatus(c, "n1", x -> x.warnings().stream().filter(w -> w.startsWith("the configuration of"))
          .count() == expected.size(), "the configuration difference reported");
      for (String n : expected) {
        assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("the configuration of " + n + " differs")),
            s.warnings().toString());
      }
    }
  }

  /**
   * Standby says what the plan does before it does it: with two of three nodes in standby, vm3 (banned from n3) can
   * run nowhere, and the answer says it stops rather than "its resources move". --dry-run shows the transition and
   * changes nothing.
   */
  @Test
  void standbySaysWhatStopsForLackOfANodeAndDryRunChangesNothing(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      Admin.Reply first = admin(c, "n3", "node-standby", "n1");
      assertOk(first);
      assertFalse(first.message().contains("STOPPED"), first.message());
      Map<String, List<String>> drained = awaitPlacement(c, w -> domainsOn(w, "n1").isEmpty(), "n1 drained");

      Admin.Reply dry = c.nodes.get("n3").console().admin(new Admin.Request("node-standby", "n2", null, null).dryRunOf());
      assertOk(dry);
      assertTrue(dry.message().startsWith("dry run, nothing changed: "), dry.message());
      assertTrue(dry.message().contains("Transition Summary:"), dry.message());
      assertTrue(dry.message().lines().anyMatch(l -> l.contains("Stop") && l.contains("vm3")), dry.message());
      assertEquals("online", nodeState(c.status("n3"), "n2"), "a dry run changes nothing");
      c.awaitConverged(Duration.ofSeconds(10));
      assertEquals(drained, c.activeDomains(), "a dry run moves nothing");

      Admin.Reply second = admin(c, "n3", "node-standby", "n2");
      assertOk(second);
      assertTrue(second.message().matches("n2 is in standby: .*; STOPPED, no node may run them \\(capacity, constraints\\): .*vm3.*"),
          second.message());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.activeDomains().containsKey("vm3")) {
        assertTrue(System.nanoTime() < deadline, "vm3 should stop: " + c.activeDomains());
        Thread.sleep(100);
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void resourceCommandsAndTheirRefusals(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String via = "n1";

      // stop: vm1 stops, and vm2 with it (mandatory order vm1 -> vm2); start brings both back
      assertOk(admin(c, via, "resource-stop", "vm1"));
      awaitRunning(c, List.of("vm1", "vm2"));
      // libvirt shows it stopped a moment before the agent's report reaches the Controller
      awaitStatus(c, via, s -> resource(s, "vm1").state().equals("stopped"), "vm1 stopped in the status");
      assertOk(admin(c, via, "resource-start", "vm1"));
      awaitRunning(c, List.of());

      // migrate without a node bans it from where it runs; unmigrate clears the ban and nothing moves back
      String from = c.activeDomains().get("vm5").get(0);
      assertOk(admin(c, via, "resource-migrate", "vm5"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.activeDomains().getOrDefault("vm5", List.of()).equals(List.of(from))
          || !c.activeDomains().containsKey("vm5")) {
        assertTrue(System.nanoTime() < deadline, "vm5 did not leave " + from + ": " + c.activeDomains());
        Thread.sleep(100);
      }
      Map<String, List<String>> moved = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertFalse(moved.get("vm5").contains(from));
      Admin.Reply noNode = admin(c, via, "resource-migrate", "vm5", moved.get("vm5").get(0), null);
      assertFalse(noNode.ok(), "migrating to where it runs is refused");
      long clearedAt = System.nanoTime();
      assertOk(admin(c, via, "resource-unmigrate", "vm5"));
      assertNothingMoves(c, moved, clearedAt);
      assertTrue(admin(c, via, "resource-unmigrate", "vm5").message().contains("no migrate constraint"));

      // migrate --node with a lifetime: it goes there, and stays when the constraint expires (stickiness)
      String to = c.nodes.keySet().stream().filter(n -> !moved.get("vm6").contains(n)).findFirst().orElseThrow();
      assertOk(admin(c, via, "resource-migrate", "vm6", to, Duration.ofSeconds(3)));
      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!c.activeDomains().getOrDefault("vm6", List.of()).equals(List.of(to))) {
        assertTrue(System.nanoTime() < deadline, "vm6 did not move to " + to + ": " + c.activeDomains());
        Thread.sleep(100);
      }

      // restart: stopped and started again, once, and its target-role is as before
      Map<String, List<String>> settled = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      long restartAt = System.nanoTime();
      assertOk(admin(c, via, "resource-restart", "vm4"));
      List<InJvmCluster.StartEvent> again = c.awaitStartsAfter(restartAt, 1);
      assertEquals(List.of("vm4"), again.stream().map(InJvmCluster.StartEvent::domain).toList(), "vm4 started again once");
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertTrue(admin(c, via, "resource-start", "vm4").message().contains("already"), "the restart left no target-role");

      // unmanage: a domU that dies is left alone; manage again recovers it; cleanup clears the fail count
      assertOk(admin(c, via, "resource-unmanage", "vm3"));
      awaitStatus(c, via, s -> resource(s, "vm3").state().equals("unmanaged"), "vm3 unmanaged");
      String home = c.activeDomains().get("vm3").get(0);
      long killedAt = System.nanoTime();
      c.nodes.get(home).hypervisor().destroy("vm3", Duration.ofSeconds(5)).toCompletableFuture().get();
      Map<String, List<String>> withoutVm3 = c.activeDomains();
      assertFalse(withoutVm3.containsKey("vm3"));
      assertNothingMoves(c, withoutVm3, killedAt);
      assertOk(admin(c, via, "resource-manage", "vm3"));
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertOk(admin(c, via, "resource-cleanup", "vm3"));
      awaitStatus(c, via, s -> resource(s, "vm3").failCounts().values().stream().allMatch(v -> v == 0),
          "vm3's fail counts cleared");

      // refusals name the reason
      Admin.Reply unknown = admin(c, via, "resource-stop", "nope");
      assertFalse(unknown.ok());
      assertTrue(unknown.message().contains("unknown resource 'nope'"), unknown.message());
      Admin.Reply device = admin(c, via, "resource-stop", "fence");
      assertFalse(device.ok(), "stopping the only fence device is refused");
      assertTrue(device.message().contains("only fence device"), device.message());
      Admin.Reply badNode = admin(c, via, "resource-migrate", "vm1", "n9", null);
      assertFalse(badNode.ok());
      assertTrue(badNode.message().contains("unknown node 'n9'"), badNode.message());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
      assertEquals(before.keySet(), c.activeDomains().keySet());
    }
  }

  @Test
  void overridesSurviveAControllerFailoverAndAFullRestart(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      // vm3 may not run on n3: keep a node other than n3 online when the Controller's node is gone
      String standby = controller.equals("n3") ? "n2" : "n3";
      assertOk(admin(c, controller, "node-standby", standby));
      assertOk(admin(c, controller, "resource-stop", "vm6"));
      Map<String, List<String>> where;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!domainsOn(c.activeDomains(), standby).isEmpty()) {
        assertTrue(System.nanoTime() < deadline, standby + " not drained: " + c.activeDomains());
        Thread.sleep(100);
      }
      awaitRunning(c, List.of("vm6"));

      // the Controller's node dies: the new Controller keeps the overrides
      c.crash(controller);
      String survivor = c.nodes.keySet().stream().filter(n -> !n.equals(controller)).filter(n -> !n.equals(standby))
          .findFirst().orElseThrow();
      awaitStatus(c, survivor, s -> s.controller() != null && !s.controller().equals(controller)
          && nodeState(s, controller).equals("offline"), "a new Controller after the fence");
      where = awaitRunning(c, List.of("vm6"));
      assertEquals(List.of(), domainsOn(where, standby), standby + " stays in standby: " + where);
      assertEquals("standby", nodeState(c.status(survivor), standby));

      // everything goes down and comes back: the overrides were durable on every node
      c.restartAll();
      ClusterStatus s = awaitStatus(c, "n1", x -> x.controller() != null
          && x.warnings().stream().noneMatch(w -> w.contains("starting")), "a Controller after the restart");
      where = awaitRunning(c, List.of("vm6"));
      assertEquals(List.of(), domainsOn(where, standby), standby + " is still in standby after a full restart: " + where);
      assertEquals("standby", nodeState(c.status("n1"), standby));
      assertEquals("stopped", resource(s, "vm6").state());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /**
   * The first node to start after a full restart has a damaged copy of the runtime overrides (random bytes): it once
   * stopped its replicator, became Controller with no overrides, started the stopped resource again and gave the
   * standby node resources. Now the file is set aside, the node says so in the status, and the majority's copy wins.
   */
  @Test
  void aDamagedReplicaOfTheOverridesOnTheFirstNodeToStartLosesNoDecision(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertOk(admin(c, "n1", "resource-stop", "vm6"));
      assertOk(admin(c, "n1", "node-standby", "n2"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!domainsOn(c.activeDomains(), "n2").isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "n2 not drained: " + c.activeDomains());
        Thread.sleep(100);
      }
      awaitRunning(c, List.of("vm6"));
      Path ddata = dir.resolve("n1").resolve("ddata");
      List<Path> damaged = new ArrayList<>();
      long t0 = System.nanoTime();
      Path journal = dir.resolve("n1").resolve("journal.mv.db");
      assertTrue(java.nio.file.Files.exists(journal), "n1 has an H2 journal");
      c.restartAll(() -> {
        byte[] junk = new byte[64 * 1024];
        new java.util.Random(11).nextBytes(junk);
        java.nio.file.Files.write(journal, junk); // the journal too: history lost, said, started afresh
        try (var files = java.nio.file.Files.list(ddata)) {
          for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".ddata")).toList()) {
            byte[] noise = new byte[4096];
            new java.util.Random(7).nextBytes(noise);
            java.nio.file.Files.write(f, noise);
            damaged.add(f);
          }
        }
      });
      assertFalse(damaged.isEmpty(), "n1 had durable data to damage");
      ClusterStatus s = awaitStatus(c, "n1", x -> x.controller() != null
          && x.warnings().stream().noneMatch(w -> w.contains("starting")), "a Controller after the restart");
      // what was decided holds: vm6 stays stopped, n2 stays in standby and empty, whoever is Controller
      c.awaitConverged(Duration.ofSeconds(30));
      Map<String, List<String>> where = awaitRunning(c, List.of("vm6"));
      assertEquals(List.of(), domainsOn(where, "n2"), "n2 is still in standby: " + where);
      s = c.status("n1");
      assertEquals("standby", nodeState(s, "n2"));
      assertEquals("stopped", resource(s, "vm6").state());
      assertTrue(c.startsAfter(t0).stream().noneMatch(e -> e.domain().equals("vm6") || e.node().equals("n2")),
          "nothing started vm6 or anything on n2 after the restart: " + c.startsAfter(t0));
      // the damage is said, on that node, naming the file
      for (Path f : damaged) {
        ClusterStatus st = s;
        assertTrue(st.warnings().stream().anyMatch(w -> w.startsWith("n1: durable data damaged: " + f + ": ")),
            st.warnings().toString());
      }
      assertTrue(java.nio.file.Files.list(ddata).anyMatch(f -> f.getFileName().toString().contains(".damaged-")),
          "the damaged file is kept aside for the operator");
      assertTrue(s.warnings().stream().anyMatch(w -> w.startsWith("n1: journal " + journal.toAbsolutePath()
          + " was damaged (") && w.endsWith("started afresh; the fail counts and history recorded before are lost")),
          s.warnings().toString());
      assertTrue(java.nio.file.Files.list(dir.resolve("n1")).anyMatch(f -> f.getFileName().toString()
          .startsWith("journal.mv.db.damaged-")), "the damaged journal is kept aside");
      // the fresh journal records again: n1's history answers (its new records only)
      assertTrue(c.nodes.get("n1").console().history(null, "n1").missing().isEmpty(), "n1's history is readable");
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /**
   * #14, for real: the disks of the nodes' replicas (a tmpfs each) fill up. With only the Controller's disk full, a
   * `resource stop` is still durable on a majority (the other two): "done", and the full disk is a warning on that
   * node in the status. With every disk full it cannot be kept on a majority, yet it takes effect in the cluster: the
   * answer is "unknown: written to the cluster but not to the disks of a majority ...", never "refused" (it once
   * said refused while the domU was stopped).
   */
  @Test
  void changesTheDisksCannotKeepAreAnsweredTruly(@TempDir Path dir) throws Exception {
    List<AutoCloseable> mounts = new java.util.ArrayList<>();
    try {
      // each node's replica directory (STATE-DIR/ddata) on a small disk of its own
      for (String n : List.of("n1", "n2", "n3")) {
        mounts.add(io.xenha.testutil.Tmpfs.mount(dir.resolve(n).resolve("ddata"), "size=1m"));
      }
      try (InJvmCluster c = new InJvmCluster(dir, 3, ClusterFailoverTest.DOMAINS, "", "", "", n -> hv -> hv)) {
        Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
        String controller = c.controllerNode("n1");
        List<String> vms = new ArrayList<>(before.keySet());
        io.xenha.testutil.Tmpfs.fill(dir.resolve(controller).resolve("ddata").resolve("filler"));

        assertOk(admin(c, controller, "resource-stop", vms.get(0)));
        awaitStatus(c, other(c, controller), st -> st.warnings().stream().anyMatch(w -> w.startsWith(controller
            + ": durable data cannot be written to ")), "the full disk in the status, on " + controller);

        for (String n : List.of("n1", "n2", "n3")) {
          if (!n.equals(controller)) {
            io.xenha.testutil.Tmpfs.fill(dir.resolve(n).resolve("ddata").resolve("filler"));
          }
        }
        Admin.Reply r = admin(c, controller, "resource-stop", vms.get(1));
        assertTrue(r.outcomeUnknown(), "not refused, not done: " + r.message());
        assertTrue(r.message().contains("written to the cluster but not to the disks of a majority"), r.message());
        awaitRunning(c, vms.subList(0, 2)); // both took effect: stopped, and nothing else moved
        assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
      }
    } finally {
      for (AutoCloseable m : mounts) {
        m.close();
      }
    }
  }

  private static String other(InJvmCluster c, String not) {
    return FencingTest.other(c, not);
  }
}
