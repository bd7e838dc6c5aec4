package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.jmx.JmxServer;
import io.xenha.status.History;
import io.xenha.status.HistoryRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each NodeAgent's journal on an in-JVM cluster (the embedded H2 journal in every node's state directory):
 * `xenha history` after a resource failure and a fence, and fail counts and history that survive an agent restart.
 */
@Tag("slow")
class HistoryTest {

  static History awaitHistory(InJvmCluster c, String via, String resource, String node, Predicate<History> ok,
      Duration max, String what) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    History h = null;
    while (System.nanoTime() < deadline) {
      try {
        h = c.nodes.get(via).console().history(resource, node);
        if (ok.test(h)) {
          return h;
        }
      } catch (Exception e) {
        // Controller moving: ask again
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + " within " + max + "; last history: " + h);
  }

  static boolean has(History h, String node, String resource, String operation, String result) {
    return h.records().stream().anyMatch(r -> r.node().equals(node) && r.resource().equals(resource)
        && r.operation().equals(operation) && r.result().equals(result));
  }

  @Test
  void historyShowsAFailureAndAFenceNewestFirstAndNamesTheNodeThatIsDown(@TempDir Path dir) throws Exception {
    Map<String, FaultyHypervisor> faulty = new ConcurrentHashMap<>();
    try (InJvmCluster c = new InJvmCluster(dir, 3, ClusterFailoverTest.DOMAINS, "", "resources.vm5.migration-threshold = 1",
        "", n -> hv -> faulty.computeIfAbsent(n, k -> new FaultyHypervisor(hv)))) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      c.awaitConverged(Duration.ofSeconds(30));
      String home = before.get("vm5").get(0);
      // vm5 dies behind xenha's back: with migration-threshold 1 its node gives up and the Controller moves it
      faulty.get(home).real().destroy("vm5", Duration.ofSeconds(5)).toCompletableFuture().get();
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode(home);
      String victim = FencingTest.other(c, controller, home);
      c.crash(victim);
      String v = victim;
      History h = awaitHistory(c, controller, null, null,
          x -> x.records().stream().anyMatch(r -> HistoryRecord.FENCING.equals(r.kind()) && v.equals(r.target())
              && r.result().equals("ok")),
          Duration.ofSeconds(60), "the fence of " + victim + " in the history");

      assertTrue(has(h, home, "vm5", "monitor", "failed"), "vm5's failure on " + home + ": " + h);
      assertTrue(h.records().stream().anyMatch(r -> r.resource().equals("vm5") && r.operation().equals("start")
          && r.result().equals("ok") && !r.node().equals(home)), "vm5 started elsewhere: " + h);
      List<Instant> times = h.records().stream().map(r -> Instant.parse(r.at())).toList();
      List<Instant> sorted = new ArrayList<>(times);
      sorted.sort(Comparator.reverseOrder());
      assertEquals(sorted, times, "newest first");
      assertTrue(h.missing().stream().anyMatch(m -> m.startsWith(v + ":")), "the down node is named: " + h.missing());

      History vm5 = c.nodes.get(controller).console().history("vm5", null);
      assertFalse(vm5.records().isEmpty());
      assertTrue(vm5.records().stream().allMatch(r -> r.resource().equals("vm5")), vm5.toString());
      History ofVictim = c.nodes.get(controller).console().history(null, v);
      assertTrue(ofVictim.records().stream().allMatch(r -> v.equals(r.node()) || v.equals(r.target())), ofVictim.toString());

      // the same through JMX (what `xenha history` reads)
      int port;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      try (JmxServer jmx = JmxServer.start("127.0.0.1", port, c.nodes.get(controller).console(),
          new ArrayList<>(c.config.nodes().keySet()), new ArrayList<>(c.config.resources().keySet()), io.xenha.security.TestCredentials.shared().access())) {
        try (io.xenha.jmx.JmxClient client = io.xenha.jmx.JmxClient.connect("127.0.0.1", port, Duration.ofSeconds(5), io.xenha.security.TestCredentials.shared().adminLogin(), null)) {
          History viaJmx = client.history("vm5", null);
          assertTrue(has(viaJmx, home, "vm5", "monitor", "failed"), viaJmx.toString());
          assertTrue(viaJmx.missing().stream().anyMatch(m -> m.startsWith(v + ":")), viaJmx.toString());
        }
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void failCountsAndHistorySurviveAnAgentRestart(@TempDir Path dir) throws Exception {
    Map<String, FaultyHypervisor> faulty = new ConcurrentHashMap<>();
    List<String> domains = List.of("vm1", "vm2");
    // three nodes: with two, the survivor of a leave has 1 of 2 votes, no quorum, and stops everything (Pacemaker's rule)
    try (InJvmCluster c = new InJvmCluster(dir, 3, domains, "", "resources.vm1.migration-threshold = 1", "",
        n -> hv -> faulty.computeIfAbsent(n, k -> new FaultyHypervisor(hv)))) {
      Map<String, List<String>> before = awaitRunningOnce(c, domains);
      c.awaitConverged(Duration.ofSeconds(30));
      String home = before.get("vm1").get(0);
      String other = FencingTest.other(c, home);
      faulty.get(home).real().destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
      FencingTest.awaitStatus(c, other, s -> failCount(s, "vm1", home) == 1, Duration.ofSeconds(30),
          "vm1 failed once on " + home);
      Map<String, List<String>> moved = awaitRunningOnce(c, domains);
      assertFalse(moved.get("vm1").contains(home), "vm1 moved off " + home + ": " + moved);

      // the agent stops (its domUs with it) and starts again on the same state directory
      c.leave(home);
      awaitRunningOnce(c, domains);
      faulty.remove(home);
      c.restart(home);
      c.awaitConverged(Duration.ofSeconds(30));

      FencingTest.awaitStatus(c, other, s -> s.nodes().stream().anyMatch(n -> n.name().equals(home) && n.state().equals("online"))
          && failCount(s, "vm1", home) == 1, Duration.ofSeconds(60), "the fail count of vm1 on " + home + " recovered");
      History h = awaitHistory(c, home, "vm1", home, x -> has(x, home, "vm1", "monitor", "failed"),
          Duration.ofSeconds(30), "the failure before the restart in " + home + "'s history");
      assertTrue(has(h, home, "vm1", "start", "ok"), h.toString());
      Map<String, List<String>> after = awaitRunningOnce(c, domains);
      assertFalse(after.get("vm1").contains(home), "vm1 stays away from the node it failed on: " + after);
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  private static int failCount(io.xenha.status.ClusterStatus s, String resource, String node) {
    return s.resources().stream().filter(r -> r.id().equals(resource)).findFirst()
        .map(r -> r.failCounts().getOrDefault(node, 0)).orElse(0);
  }

  static Map<String, List<String>> awaitRunningOnce(InJvmCluster c, List<String> domains) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, List<String>> where = Map.of();
    while (System.nanoTime() < deadline) {
      Map<String, List<String>> now = c.activeDomains();
      where = now;
      if (now.keySet().containsAll(domains) && domains.stream().allMatch(d -> now.get(d).size() == 1)) {
        return now;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not every domU running once: " + where);
  }
}
