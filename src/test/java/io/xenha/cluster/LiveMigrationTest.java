package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.hypervisor.Hypervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A domU with allow-migrate = true that must leave its node (the node loses its network: pingd drops to 0 and a
 * location rule forbids it there) while that node stays healthy is live-migrated, not stopped and started: it
 * starts once, on the target, is never stopped there, is destroyed on the source only after it runs on the target,
 * and is never seen on two nodes outside the migration's switch-over (see InJvmCluster.checkInvariants).
 */
@Tag("slow")
class LiveMigrationTest {

  static final List<String> DOMAINS = List.of("vm1");
  static final String EXTRA = """
      resource-defaults.allow-migrate = true
      resources {
        pingd { type = builtin, agent = ping, clone {}, params { host-list = ["127.0.0.1"], multiplier = 100, dampen = 1s }
                ops.monitor { interval = 500ms, timeout = 5s } }
      }
      """;
  static final String CONSTRAINTS = """
      constraints {
        location = [ { resource = vm1, rule = "-INFINITY: not_defined pingd or pingd lte 0" } ]
      }
      """;

  /** A lifecycle event as a node's hypervisor reported it, in the order the (single) libvirt event loop delivered. */
  record Seen(String node, Hypervisor.DomainEvent event) {}

  @Test
  void aDomainThatMustLeaveAHealthyNodeIsMigratedNotRestarted(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, EXTRA, "", n -> hv -> hv)) {
      List<Seen> events = new CopyOnWriteArrayList<>();
      c.nodes.forEach((n, node) -> node.hypervisor().subscribe(e -> events.add(new Seen(n, e))));
      Map<String, List<String>> before = awaitOnce(c, null);
      ClonesTest.awaitStatus(c, st -> ClonesTest.everyInstanceStarted(st, "pingd", 3), "pingd on every node");
      String source = before.get("vm1").get(0);
      events.clear();
      long t0 = System.nanoTime();
      c.cableCut.add(source);

      Map<String, List<String>> after = awaitOnce(c, source);
      String target = after.get("vm1").get(0);
      List<InJvmCluster.StartEvent> starts = c.awaitStartsAfter(t0, 1).stream()
          .filter(s -> s.domain().equals("vm1")).toList();
      assertEquals(1, starts.size(), "vm1 started once, on its target: " + c.startsAfter(t0));
      assertEquals(target, starts.get(0).node());

      // the migration as the source's hypervisor saw it
      assertTrue(c.migrations.stream().anyMatch(m -> m.domain.equals("vm1") && m.source.equals(source)
          && m.target.equals(target) && m.endNanos != 0), "vm1 migrated " + source + " -> " + target);
      // never stopped: no stop of it on the target, and on the source only the migration's destroy, after it ran there
      List<Seen> vm1 = events.stream().filter(s -> s.event().domain().equals("vm1")).toList();
      int startedThere = indexOf(vm1, target, "STARTED");
      int goneHere = indexOf(vm1, source, "STOPPED");
      assertTrue(startedThere >= 0 && goneHere > startedThere, "started on the target, then gone from the source: " + vm1);
      assertEquals("DESTROYED", vm1.get(goneHere).event().detail(), vm1.toString());
      assertTrue(vm1.stream().noneMatch(s -> s.node().equals(target) && s.event().type().equals("STOPPED")), vm1.toString());
      assertEquals(1, vm1.stream().filter(s -> s.event().type().equals("STOPPED")).count(), vm1.toString());

      // the target monitors it as its own: stable, running once
      c.awaitConverged(Duration.ofSeconds(30));
      assertEquals(List.of(target), c.activeDomains().get("vm1"));
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);

      // xenha history tells it as crm_mon's operation history would: migrate_to on the source, migrate_from on the
      // target, each with where, how long and the result (it once showed only a probe "already running")
      List<io.xenha.status.HistoryRecord> history = c.nodes.get(target).console().history("vm1", null).records();
      assertTrue(history.stream().anyMatch(h -> h.operation().equals("migrate_to") && h.node().equals(source)
          && h.result().equals("ok") && h.reason().matches("to " + target + " in \\d+\\.\\d\\d s: migrated")),
          history.toString());
      assertTrue(history.stream().anyMatch(h -> h.operation().equals("migrate_from") && h.node().equals(target)
          && h.result().equals("ok") && h.reason().matches("from " + source + " in \\d+\\.\\d\\d s: arrived")),
          history.toString());
    }
  }

  /** Waits until vm1 runs on exactly one node, not on avoid (may be null). */
  static Map<String, List<String>> awaitOnce(InJvmCluster c, String avoid) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> w = c.activeDomains();
      if (w.containsKey("vm1") && w.get("vm1").size() == 1 && !w.get("vm1").contains(avoid)) {
        c.awaitConverged(Duration.ofSeconds(30));
        return w;
      }
      assertTrue(System.nanoTime() < deadline, "vm1 not running once (avoiding " + avoid + "): " + w + "\n"
          + ClusterFailoverTest.safeStatus(c));
      Thread.sleep(50);
    }
  }

  @Test
  void aFailedMigrationIsAFailureOnTheSourceAndTheDomainIsRecoveredElsewhere(@TempDir Path dir) throws Exception {
    Map<String, FaultyHypervisor> faulty = new java.util.concurrent.ConcurrentHashMap<>();
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, EXTRA, "",
        n -> hv -> faulty.computeIfAbsent(n, k -> new FaultyHypervisor(hv)))) {
      Map<String, List<String>> before = awaitOnce(c, null);
      ClonesTest.awaitStatus(c, st -> ClonesTest.everyInstanceStarted(st, "pingd", 3), "pingd on every node");
      String source = before.get("vm1").get(0);
      faulty.get(source).failingMigrations.add("vm1");
      long t0 = System.nanoTime();
      c.cableCut.add(source);

      // Pacemaker: the failed migrate_to is a failure of vm1 on its source; vm1 is recovered (stopped there,
      // started on a node it may run on), the failure counted
      Map<String, List<String>> after = awaitOnce(c, source);
      String target = after.get("vm1").get(0);
      assertTrue(c.migrations.stream().anyMatch(m -> m.domain.equals("vm1") && m.source.equals(source)),
          "a migration was tried");
      List<InJvmCluster.StartEvent> starts = c.awaitStartsAfter(t0, 1);
      assertEquals(1, starts.size(), "started once, after its stop: " + starts);
      assertEquals(target, starts.get(0).node());
      ClonesTest.awaitStatus(c, st -> st.resources().stream().anyMatch(r -> r.id().equals("vm1")
          && r.failCounts().get(source) == 1 && target.equals(r.node()) && r.state().equals("started")),
          "vm1 started on " + target + ", one failure on " + source);
      // Failed Resource Actions name the operation that failed, not the last one (a start since)
      io.xenha.status.ClusterStatus st = c.status(target);
      var vm1 = st.resources().stream().filter(r -> r.id().equals("vm1")).findFirst().orElseThrow();
      assertEquals("migrate_to: to " + target, vm1.failedOperations().get(source).replaceFirst(" in .*", ""),
          vm1.toString());
      assertTrue(vm1.failedOperations().get(source).contains("injected fault: cannot migrate vm1"), vm1.toString());
      assertTrue(io.xenha.status.StatusText.render(st).contains("* vm1 on " + source
          + ": fail-count=1, failed operation 'migrate_to: to " + target), io.xenha.status.StatusText.render(st));
      List<io.xenha.status.HistoryRecord> history = c.nodes.get(target).console().history("vm1", null).records();
      assertTrue(history.stream().anyMatch(h -> h.operation().equals("migrate_to") && h.node().equals(source)
          && h.result().equals("failed")), history.toString());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  private static int indexOf(List<Seen> events, String node, String type) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).node().equals(node) && events.get(i).event().type().equals(type)) {
        return i;
      }
    }
    return -1;
  }
}
