package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's stack on three in-JVM nodes: pingd (built-in ping clone) sets a node attribute, evms and configpool
 * are OCF clones (the real Dummy agent stands in for EvmsSCC and Filesystem), and every domU is ordered after
 * configpool and kept off nodes without network by a location rule.
 */
@Tag("slow")
class ClonesTest {

  static final List<String> DOMAINS = List.of("vm1", "vm2", "vm3", "vm4");
  static final String STACK = """
      resources {
        pingd { type = builtin, agent = ping, clone {}, params { host-list = ["127.0.0.1"], multiplier = 100, dampen = 1s }
                ops.monitor { interval = 500ms, timeout = 5s } }
        evms { type = ocf, agent = "heartbeat:Dummy", clone { notify = true }, ops.monitor { interval = 1s, timeout = 10s } }
        configpool { type = ocf, agent = "heartbeat:Dummy", clone {}, migration-threshold = 1
                     ops.monitor { interval = 1s, timeout = 10s } }
      }
      """;
  static final String CONSTRAINTS = """
      constraints {
        order = [
          { first = evms, then = configpool }
          { first = configpool, then = vm1 }, { first = configpool, then = vm2 }
          { first = configpool, then = vm3 }, { first = configpool, then = vm4 }
        ]
        # an order does not keep a domU with its node's configpool (Pacemaker's semantics): a colocation does
        colocation = [
          { resource = vm1, with = configpool }, { resource = vm2, with = configpool }
          { resource = vm3, with = configpool }, { resource = vm4, with = configpool }
        ]
        location = [
          { resource = vm1, rule = "-INFINITY: not_defined pingd or pingd lte 0" }
          { resource = vm2, rule = "-INFINITY: not_defined pingd or pingd lte 0" }
          { resource = vm3, rule = "-INFINITY: not_defined pingd or pingd lte 0" }
          { resource = vm4, rule = "-INFINITY: not_defined pingd or pingd lte 0" }
        ]
      }
      """;

  @BeforeAll
  static void needsAgents() {
    assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy")),
        "resource-agents is not installed: skipping the clone tests");
  }

  static ClusterStatus awaitStatus(InJvmCluster c, Predicate<ClusterStatus> ok, String what) throws Exception {
    return FencingTest.awaitStatus(c, "n1", ok, Duration.ofSeconds(60), what);
  }

  static boolean everyInstanceStarted(ClusterStatus s, String clone, int n) {
    return s.resources().stream().anyMatch(r -> r.id().equals(clone) && r.instances() != null
        && r.instances().stream().filter(i -> i.state().equals("started")).count() == n);
  }

  @Test
  void aNodeThatLosesItsNetworkLosesItsDomainsAndGetsNoneBack(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, STACK, "", n -> hv -> hv)) {
      Map<String, List<String>> before = awaitAllOnce(c);
      ClusterStatus s = awaitStatus(c, st -> everyInstanceStarted(st, "pingd", 3) && everyInstanceStarted(st, "configpool", 3),
          "clone instances on every node");
      for (ClusterStatus.NodeStatus n : s.nodes()) {
        assertEquals(100L, ((Number) n.attributes().get("pingd")).longValue(), "pingd on " + n.name());
      }
      String cut = "n2";
      List<String> lost = ClusterFailoverTest.domainsOn(before, cut);
      assertFalse(lost.isEmpty(), "n2 runs domUs: " + before);
      long t0 = System.nanoTime();
      c.cableCut.add(cut);

      awaitStatus(c, st -> st.nodes().stream().anyMatch(n -> n.name().equals(cut) && Long.valueOf(0).equals(n.attributes().get("pingd"))),
          "pingd = 0 on " + cut);
      Map<String, List<String>> after = awaitNoneOn(c, cut);
      for (String d : lost) {
        assertFalse(after.get(d).contains(cut), d + " left " + cut);
      }
      assertEquals(lost.size(), c.awaitStartsAfter(t0, lost.size()).size(), "each moved once: " + c.startsAfter(t0));

      c.cableCut.remove(cut); // the network is back: nothing moves back (stickiness)
      awaitStatus(c, st -> st.nodes().stream().anyMatch(n -> n.name().equals(cut) && Long.valueOf(100).equals(n.attributes().get("pingd"))),
          "pingd back on " + cut);
      long watch = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < watch) {
        assertEquals(after, c.activeDomains(), "with stickiness nothing moves back");
        Thread.sleep(200);
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void everyDomainStartsAfterTheConfigpoolInstanceOnItsNode(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, STACK, "", n -> hv -> hv)) {
      awaitAllOnce(c);
      for (InJvmCluster.StartEvent start : c.starts) {
        // Dummy creates its state file when it starts: the instance on the domU's node started before the domU
        Path state = dummyState(dir, start.node(), "configpool");
        long poolStarted = Files.getLastModifiedTime(state).toMillis();
        assertTrue(poolStarted <= start.atMillis(), start + " started before configpool on " + start.node()
            + " (" + poolStarted + ")");
        Path evms = dummyState(dir, start.node(), "evms");
        assertTrue(Files.getLastModifiedTime(evms).toMillis() <= poolStarted, "evms before configpool on " + start.node());
      }
    }
  }

  static Path dummyState(Path dir, String node, String resource) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir.resolve(node))) {
      return files.filter(p -> p.getFileName().toString().contains(resource) && p.getFileName().toString().endsWith(".state"))
          .findFirst().orElseThrow(() -> new AssertionError("no Dummy state file of " + resource + " on " + node));
    }
  }

  @Test
  void aFailedConfigpoolInstanceStopsTheDomainsOnItsNodeAndTheyMove(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, STACK, "", n -> hv -> hv)) {
      Map<String, List<String>> before = awaitAllOnce(c);
      awaitStatus(c, st -> everyInstanceStarted(st, "configpool", 3), "configpool everywhere");
      String victim = before.get("vm1").get(0);
      List<String> moved = ClusterFailoverTest.domainsOn(before, victim);
      long t0 = System.nanoTime();
      // the configpool instance on the victim dies (Dummy's state file disappears): with migration-threshold 1
      // it is failed there, and what is ordered after it cannot stay on that node
      try (Stream<Path> files = Files.walk(dir.resolve(victim))) {
        List<Path> state = files.filter(p -> p.getFileName().toString().contains("configpool")
            && p.getFileName().toString().endsWith(".state")).toList();
        assertFalse(state.isEmpty(), "Dummy's state file for configpool under " + dir.resolve(victim));
        for (Path p : state) {
          Files.delete(p);
        }
      }
      Map<String, List<String>> after = awaitNoneOn(c, victim);
      for (String d : moved) {
        assertFalse(after.get(d).contains(victim));
      }
      assertEquals(moved.size(), c.awaitStartsAfter(t0, moved.size()).size(), "each moved once: " + c.startsAfter(t0));
      ClusterStatus s = c.status("n1");
      assertTrue(s.resources().stream().anyMatch(r -> r.id().equals("configpool") && r.failCounts().get(victim) > 0),
          "the failure is counted: " + s.resources());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  static Map<String, List<String>> awaitAllOnce(InJvmCluster c) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> w = c.activeDomains();
      if (w.keySet().containsAll(DOMAINS) && DOMAINS.stream().allMatch(d -> w.get(d).size() == 1)) {
        c.awaitConverged(Duration.ofSeconds(30));
        return w;
      }
      assertTrue(System.nanoTime() < deadline, "not all running once: " + w + "\n" + ClusterFailoverTest.safeStatus(c));
      Thread.sleep(100);
    }
  }

  static Map<String, List<String>> awaitNoneOn(InJvmCluster c, String node) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<String, List<String>> w = c.activeDomains();
      boolean ok = w.keySet().containsAll(DOMAINS) && DOMAINS.stream().allMatch(d -> w.get(d).size() == 1 && !w.get(d).contains(node));
      if (ok) {
        return w;
      }
      assertTrue(System.nanoTime() < deadline, "domUs not off " + node + ": " + w + "\n" + ClusterFailoverTest.safeStatus(c));
      Thread.sleep(100);
    }
  }
}
