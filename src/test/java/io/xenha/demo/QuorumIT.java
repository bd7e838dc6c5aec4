package io.xenha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.ClusterStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quorum from the configured nodes, read from outside: three agent processes in network namespaces, each on its own
 * libvirtd, fenced by powering their namespace off (NetnsLab). Every test checks, from every libvirtd, that no domU
 * ever ran on two nodes at once, and reads fencing from the fence agent's own log.
 */
class QuorumIT {

  static final List<String> DOMAINS = List.of("vm1", "vm2", "vm3", "vm4", "vm5", "vm6");
  /** Two domUs prefer each node: a node that leaves has something to hand over. */
  static final String PREFER = """
      constraints.location = [
        { resource = vm1, node = n1, score = 50 }, { resource = vm2, node = n1, score = 50 },
        { resource = vm3, node = n2, score = 50 }, { resource = vm4, node = n2, score = 50 },
        { resource = vm5, node = n3, score = 50 }, { resource = vm6, node = n3, score = 50 } ]
      """;

  static void assertNoDoubles(NetnsLab lab) {
    assertEquals(List.of(), lab.doubles, "a domU ran on two nodes at once" + lab.logs());
  }

  static void assertNoFencing(NetnsLab lab) throws Exception {
    assertEquals(List.of(), lab.fenceLog(), "nothing may be fenced" + lab.logs());
  }

  /** Every node's own view: all three online, one and the same Controller. */
  static void assertOneCluster(NetnsLab lab) throws Exception {
    String controller = null;
    for (String n : lab.nodes) {
      ClusterStatus s = lab.awaitStatus(n, st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(60),
          "every node online through " + n);
      if (controller == null) {
        controller = s.controller();
      }
      assertEquals(controller, s.controller(), "one Controller, as every node sees it");
      assertTrue(s.quorum());
      assertEquals(new ClusterStatus.Votes(3, 3), s.votes());
    }
  }

  /** How many times any node formed a new cluster (its Bootstrap's "forming the cluster"). */
  static int formations(NetnsLab lab) throws Exception {
    int formed = 0;
    for (String n : lab.nodes) {
      formed += lab.logLines(n, "bootstrap: forming the cluster").size();
    }
    return formed;
  }

  static void startAll(NetnsLab lab) throws Exception {
    for (String n : lab.nodes) {
      lab.startAgent(n);
    }
    lab.awaitStatus("n1", st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(120), "the cluster formed");
  }

  @Test
  void restartingEachNodeInTurnJoinsTheRunningClusterAndFencesNobody(@TempDir Path dir) throws Exception {
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, PREFER)) {
      startAll(lab);
      Map<String, String> placement = lab.awaitAllOnce(Duration.ofSeconds(60));
      for (String node : List.of("n1", "n2", "n3")) {
        Set<String> leaving = lab.domainsOn(placement, node);
        String other = node.equals("n1") ? "n2" : "n1";
        assertEquals(0, lab.stopAgent(node, Duration.ofSeconds(90)), node + "'s agent exits 0 on SIGTERM");
        // its domUs were handed over before it left: the others run everything, nothing else moved
        Map<String, String> without = lab.awaitAllOnceOff(node, Duration.ofSeconds(60));
        for (Map.Entry<String, String> e : placement.entrySet()) {
          if (leaving.contains(e.getKey())) {
            assertNotEquals(node, without.get(e.getKey()), e.getKey() + " left " + node);
          } else {
            assertEquals(e.getValue(), without.get(e.getKey()), e.getKey() + " did not need to move" + lab.logs());
          }
        }
        lab.startAgent(node);
        lab.awaitStatus(other, st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(90), node + " is back");
        assertOneCluster(lab);
        assertTrue(lab.logLines(node, "joining the running cluster").size() > 0, node + " joined the running cluster");
        // with stickiness nothing moves back to it
        placement = lab.awaitAllOnce(Duration.ofSeconds(30));
        assertEquals(without, placement, "nothing moved when " + node + " came back");
      }
      assertEquals(1, formations(lab), "only the first start formed a cluster: no restarted node formed one of its own");
      assertNoFencing(lab);
      assertNoDoubles(lab);
    }
  }

  /**
   * The defect that opened the quorum issue: the first listed node (hosting the Controller) killed and started again at
   * once formed a cluster of its own and fenced the healthy majority. Now it joins the running cluster; if the others
   * fenced it first (it was lost), it is powered on again and joins; node2 and node3 are never fenced.
   */
  @Test
  void theFirstListedNodeKilledAndStartedAgainNeverFencesTheOthers(@TempDir Path dir) throws Exception {
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, PREFER)) {
      startAll(lab);
      lab.awaitAllOnce(Duration.ofSeconds(60));
      assertEquals("n1", lab.status("n2").controller());
      lab.killAgent("n1");
      lab.startAgent("n1");
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        if (!lab.poweredOn("n1")) {
          lab.powerOn("n1"); // fenced as a lost node: a real host reboots and its agent starts again
        }
        try {
          if (NetnsLab.settled(lab.status("n2"), DOMAINS)) {
            break;
          }
        } catch (IllegalStateException noControllerYet) {
          // the Controller is moving from n1 to another node
        }
        Thread.sleep(500);
      }
      assertOneCluster(lab);
      for (String line : lab.fenceLog()) {
        assertTrue(line.endsWith(" xh-n1"), "only the lost node may be fenced: " + line + lab.logs());
      }
      assertEquals(1, formations(lab), "the restarted n1 formed no cluster of its own" + lab.logs());
      lab.awaitAllOnce(Duration.ofSeconds(30));
      assertNoDoubles(lab);
    }
  }

  /** Three agents started in every order, the last up to 30 s after the first: one cluster, no fence, each domU once. */
  @Test
  void coldStartsInEveryOrderFormOneClusterAndFenceNobody(@TempDir Path dir) throws Exception {
    List<List<String>> orders = List.of(List.of("n1", "n2", "n3"), List.of("n3", "n2", "n1"), List.of("n2", "n3", "n1"),
        List.of("n2", "n1", "n3"), List.of("n3", "n1", "n2"), List.of("n1", "n3", "n2"));
    // the last start 30 s after the first in two orders (the other two nodes together, or the first alone), up to
    // 10 s in the others: the suite's time is bounded, and 30 s apart is covered from both sides
    int[][] gaps = {{0, 30}, {30, 0}, {5, 5}, {0, 10}, {10, 0}, {3, 3}};
    for (int i = 0; i < orders.size(); i++) {
      List<String> order = orders.get(i);
      try (NetnsLab lab = new NetnsLab(dir.resolve("run" + i), 3, DOMAINS, PREFER)) {
        lab.startAgent(order.get(0));
        Thread.sleep(gaps[i][0] * 1000L);
        lab.startAgent(order.get(1));
        Thread.sleep(gaps[i][1] * 1000L);
        lab.startAgent(order.get(2));
        lab.awaitStatus(order.get(2), st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(120),
            "order " + order + ": the cluster formed");
        assertOneCluster(lab);
        lab.awaitAllOnce(Duration.ofSeconds(30));
        assertNoFencing(lab);
        assertNoDoubles(lab);
        assertEquals(1, formations(lab), "order " + order + ": exactly one node formed the cluster" + lab.logs());
      }
    }
  }

  @Test
  void aNodeBootingAloneWaitsForQuorumThenJoins(@TempDir Path dir) throws Exception {
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, PREFER)) {
      lab.startAgent("n2");
      ClusterStatus alone = lab.awaitStatus("n2", st -> st.warnings() != null && st.warnings().stream()
          .anyMatch(w -> w.contains("waiting for quorum")), Duration.ofSeconds(60), "n2 says it waits for quorum");
      assertFalse(alone.quorum());
      assertEquals(null, alone.controller(), "no Controller: no cluster of one");
      assertEquals(new ClusterStatus.Votes(0, 3), alone.votes());
      // longer than it takes to form a cluster and than dc-deadtime would matter: still nothing
      Thread.sleep(10_000);
      assertEquals(List.of(), lab.logLines("n2", "bootstrap: forming the cluster"), "n2 formed no cluster of one");
      assertNoFencing(lab);
      lab.startAgent("n3");
      lab.startAgent("n1");
      lab.awaitStatus("n1", st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(120), "the cluster formed");
      assertOneCluster(lab);
      assertNoFencing(lab);
      lab.awaitAllOnce(Duration.ofSeconds(30));
      assertNoDoubles(lab);
    }
  }

  /**
   * A 1 | 2 split of the cluster link. The fence device takes 4 s to power a node off (as a BMC may), so the
   * minority's own reaction is visible first: it loses quorum, stops its domUs and fences nobody; the majority
   * fences it and only then starts its domUs. Mended and powered on, it rejoins.
   */
  @Test
  void theMajorityFencesAndRecoversAndTheMinorityStopsAndFencesNobody(@TempDir Path dir) throws Exception {
    String slowFence = PREFER + "\nresources { fence-n1.params.delay = 4, fence-n2.params.delay = 4, fence-n3.params.delay = 4 }\n";
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, slowFence)) {
      startAll(lab);
      Map<String, String> before = lab.awaitAllOnce(Duration.ofSeconds(60));
      Set<String> onN3 = lab.domainsOn(before, "n3");
      assertFalse(onN3.isEmpty());
      long cut = System.currentTimeMillis();
      lab.cutCluster("n3");
      // lost and not fenced yet (the fence takes 4 s): UNCLEAN in the status, its domUs blocked, nothing started
      ClusterStatus lost = lab.awaitStatus("n1", st -> st.nodes().stream()
          .anyMatch(n -> n.name().equals("n3") && n.state().equals("unclean")), Duration.ofSeconds(20), "n3 unclean");
      assertTrue(lab.fencedAt("n3") < 0 || lab.fencedAt("n3") > cut, "shown unclean before the fence");
      assertEquals(new ClusterStatus.Votes(2, 3), lost.votes());
      Map<String, String> after = lab.awaitAllOnceOff("n3", Duration.ofSeconds(60));
      long fenced = lab.fencedAt("n3");
      assertTrue(fenced > cut, "the majority fenced n3" + lab.logs());
      assertEquals(1, lab.fenceLog().size(), "only n3 was fenced: " + lab.fenceLog());
      for (String d : onN3) {
        assertNotEquals("n3", after.get(d));
        long elsewhere = lab.firstSeenElsewhere(d, "n3", cut);
        assertTrue(elsewhere >= fenced, d + " was seen running elsewhere by a reading that ended at " + elsewhere
            + ", before n3 was fenced at " + fenced);
        // the minority stopped it itself: seen gone from n3 while n3's libvirtd still answered (before its power-off)
        assertTrue(lab.seenStoppedWhilePoweredOn(d, "n3", cut), d + " was stopped by n3 (no-quorum-policy=stop) before "
            + "the fence" + lab.logs());
      }
      assertFalse(lab.logLines("n3", "partition WITHOUT quorum").isEmpty(), "n3 knew it had no quorum");
      assertTrue(lab.logLines("n3", "transition: FENCE").isEmpty(), "n3 fenced nobody");
      lab.mendCluster("n3");
      lab.powerOn("n3");
      lab.awaitStatus("n3", st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(90), "n3 rejoined");
      assertOneCluster(lab);
      assertEquals(after, lab.awaitAllOnce(Duration.ofSeconds(30)), "nothing moved back");
      assertNoDoubles(lab);
    }
  }

  @Test
  void aShortPauseFencesNothingAndALongOneIsFencedAndRecoveredOnce(@TempDir Path dir) throws Exception {
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, PREFER)) {
      startAll(lab);
      Map<String, String> before = lab.awaitAllOnce(Duration.ofSeconds(60));
      lab.signal("n2", "STOP");
      Thread.sleep(1500);
      lab.signal("n2", "CONT");
      long watch = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < watch) {
        assertEquals(before, lab.awaitAllOnce(Duration.ofSeconds(5)), "a 1.5 s pause moves nothing");
      }
      assertNoFencing(lab);
      assertTrue(lab.poweredOn("n2"));

      Set<String> onN2 = lab.domainsOn(before, "n2");
      long stopped = System.currentTimeMillis();
      lab.signal("n2", "STOP");
      Map<String, String> after = lab.awaitAllOnceOff("n2", Duration.ofSeconds(60));
      long fenced = lab.fencedAt("n2");
      assertTrue(fenced > stopped, "n2 was fenced after its agent froze" + lab.logs());
      assertFalse(lab.poweredOn("n2"), "fenced: nothing of n2 runs when it would resume");
      Map<String, List<String>> seen = lab.nodesSeenAfter(stopped);
      for (String d : onN2) {
        assertNotEquals("n2", after.get(d));
        long elsewhere = lab.firstSeenElsewhere(d, "n2", stopped);
        assertTrue(elsewhere >= fenced, d + " started elsewhere only after the fence: seen by a reading that ended at "
            + elsewhere + ", fenced at " + fenced);
        assertEquals(List.of(after.get(d)), seen.get(d), d + " was recovered once, on one node");
      }
      for (String d : DOMAINS) {
        if (!onN2.contains(d)) {
          assertEquals(before.get(d), after.get(d), d + " did not need to move");
        }
      }
      lab.powerOn("n2");
      lab.awaitStatus("n2", st -> NetnsLab.settled(st, DOMAINS), Duration.ofSeconds(90), "n2 rejoined");
      assertEquals(after, lab.awaitAllOnce(Duration.ofSeconds(30)), "nothing moved back");
      assertEquals(1, lab.fenceLog().size(), lab.fenceLog().toString());
      assertNoDoubles(lab);
    }
  }

  @Test
  void stoppingAnAgentLiveMigratesItsDomUsAwayAndFencesNothing(@TempDir Path dir) throws Exception {
    try (NetnsLab lab = new NetnsLab(dir, 3, DOMAINS, PREFER + "\nresource-defaults.allow-migrate = true\n")) {
      startAll(lab);
      Map<String, String> before = lab.awaitAllOnce(Duration.ofSeconds(60));
      Set<String> onN2 = lab.domainsOn(before, "n2");
      assertFalse(onN2.isEmpty());
      long term = System.currentTimeMillis();
      assertEquals(0, lab.stopAgent("n2", Duration.ofSeconds(90)), "n2's agent exits 0 on SIGTERM");
      Map<String, String> after = lab.awaitAllOnceOff("n2", Duration.ofSeconds(30));
      assertNoFencing(lab);
      Map<String, List<String>> seen = lab.nodesSeenAfter(term);
      for (String d : onN2) {
        assertNotEquals("n2", after.get(d));
        // never stopped: from n2 it went straight to its new node, never running nowhere in between
        for (NetnsLab.Seen s : lab.timeline) {
          if (s.domain().equals(d) && s.atMillis() >= term) {
            assertFalse(s.nodes().isEmpty(), d + " was stopped at " + s.atMillis() + " instead of migrated" + lab.logs());
          }
        }
        assertEquals(after.get(d), seen.get(d).get(seen.get(d).size() - 1));
      }
      List<String> migrations = new ArrayList<>();
      for (String n : List.of("n1", "n3")) {
        migrations.addAll(lab.logLines(n, "transition: MIGRATE"));
      }
      assertEquals(onN2.size(), migrations.size(), "one live migration per domU of n2: " + migrations + lab.logs());
      assertEquals(1, lab.logLines("n2", "n2 is drained").size(), "n2 drained before leaving" + lab.logs());
      // doubles during a live migration are its switch-over (source and target both run it for a moment), nothing else
      Map<String, Set<String>> overlaps = new TreeMap<>();
      lab.doubles.forEach(s -> overlaps.computeIfAbsent(s.domain(), k -> new java.util.TreeSet<>()).addAll(s.nodes()));
      overlaps.forEach((d, on) -> {
        assertTrue(onN2.contains(d) && on.equals(Set.of("n2", after.get(d))),
            d + " ran on " + on + " at once, not as the switch-over of its migration");
      });
    }
  }
}
