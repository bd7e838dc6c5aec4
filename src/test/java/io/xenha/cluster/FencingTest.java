package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The escalation ladder and fencing rules on an in-JVM cluster: a stop failure fences the node; fencing levels
 * fall back; when every device fails nothing is recovered and the status says so, until a device works; the
 * two-node fence race is won by the node with the important resources (priority-fencing-delay); without
 * stonith the survivors wait for the lost node's self-fence deadline; manual fencing; a member whose agent died is
 * held, then fenced.
 */
@Tag("slow")
class FencingTest {

  static final List<String> DOMAINS = ClusterFailoverTest.DOMAINS;

  static ClusterStatus awaitStatus(InJvmCluster c, String via, Predicate<ClusterStatus> ok, Duration max, String what)
      throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    ClusterStatus s = null;
    while (System.nanoTime() < deadline) {
      try {
        s = c.status(via);
        if (ok.test(s)) {
          return s;
        }
      } catch (Exception e) {
        // Controller moving: ask again
      }
      Thread.sleep(100);
    }
    throw new AssertionError(what + " within " + max + "; last status: " + (s == null ? null : io.xenha.status.StatusJson.toJson(s)));
  }

  static String other(InJvmCluster c, String... not) {
    List<String> exclude = List.of(not);
    return new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !exclude.contains(n)).findFirst().orElseThrow();
  }

  @Test
  void aStopThatFailsFencesTheNodeAndItsDomainsRecoverElsewhereOnce(@TempDir Path dir) throws Exception {
    Map<String, FaultyHypervisor> faulty = new ConcurrentHashMap<>();
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "resources.vm5.migration-threshold = 1", "",
        n -> hv -> faulty.computeIfAbsent(n, k -> new FaultyHypervisor(hv)))) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String home = before.get("vm5").get(0);
      List<String> lost = ClusterFailoverTest.domainsOn(before, home);
      // vm5 dies; with migration-threshold 1 its node gives up at once and destroys it, and that destroy fails:
      // vm5's state on its node is unknown, so the node must be fenced before vm5 runs anywhere else
      faulty.get(home).failingStops.add("vm5");
      long t0 = System.nanoTime();
      faulty.get(home).real().destroy("vm5", Duration.ofSeconds(5)).toCompletableFuture().get();

      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertNotNull(c.fencedAtNanos.get(home), home + " was fenced");
      List<InJvmCluster.StartEvent> restarted = c.startsAfter(t0);
      assertEquals(new TreeSet<>(lost), new TreeSet<>(restarted.stream().map(InJvmCluster.StartEvent::domain).toList()),
          "every domU of the fenced node started again, once: " + restarted);
      assertEquals(lost.size(), restarted.size(), restarted.toString());
      for (InJvmCluster.StartEvent s : restarted) {
        assertTrue(s.offAtStart().contains(home), s + " started before " + home + " was fenced");
        assertFalse(s.node().equals(home));
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
      assertFalse(after.get("vm5").contains(home));
    }
  }

  @Test
  void fencingFallsBackToTheNextLevelAndRecordsEveryAttempt(@TempDir Path dir) throws Exception {
    // level 1: an outer libvirt host that does not exist (a dead iLO); level 2: the kill device
    String extra = """
        resources.dead-ilo { type = stonith, agent = "builtin:libvirt", params { uri = "test:///%s/no-such-host.xml" } }
        fencing-topology {
          n1 = [ [dead-ilo], [fence] ]
          n2 = [ [dead-ilo], [fence] ]
          n3 = [ [dead-ilo], [fence] ]
        }
        """.formatted(dir);
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", extra, "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String victim = other(c, controller);
      c.crash(victim);
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      ClusterStatus s = c.status(controller);
      List<ClusterStatus.FencingRecord> against = s.fencing().stream().filter(f -> f.target().equals(victim)).toList();
      assertTrue(against.stream().anyMatch(f -> f.device().equals("dead-ilo") && f.result().equals("failed")),
          "the first level was tried and failed: " + against);
      assertTrue(against.stream().anyMatch(f -> f.device().equals("fence") && f.result().equals("success")),
          "the second level fenced: " + against);
      assertNotNull(c.fencedAtNanos.get(victim));
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void whenEveryDeviceFailsNothingIsRecoveredAndTheStatusSaysSoUntilADeviceWorks(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "properties.fence-retry-max-backoff = 2s", "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String victim = other(c, controller);
      List<String> lost = ClusterFailoverTest.domainsOn(before, victim);
      // the victim's power switch is broken: its pid file cannot be read
      Path pidFile = dir.resolve(victim).resolve("xenha.pid");
      String pid = Files.readString(pidFile);
      Files.writeString(pidFile, "garbage\n");
      long t0 = System.nanoTime();
      c.crash(victim);

      awaitStatus(c, controller, s -> s.warnings() != null && s.warnings().stream().anyMatch(w -> w.startsWith("FENCING OF " + victim)),
          Duration.ofSeconds(60), "a loud fencing failure");
      ClusterStatus s = awaitStatus(c, controller,
          st -> st.fencing().stream().filter(f -> f.target().equals(victim) && f.result().equals("failed")).count() >= 2,
          Duration.ofSeconds(30), "fencing retried");
      assertTrue(s.nodes().stream().anyMatch(n -> n.name().equals(victim) && n.state().equals("unclean")), s.nodes().toString());
      assertTrue(c.startsAfter(t0).isEmpty(), "nothing of the unfenced node was recovered: " + c.startsAfter(t0));
      for (String d : lost) {
        assertFalse(c.activeDomains().containsKey(d), d + " must stay down while " + victim + " is not fenced");
      }

      Files.writeString(pidFile, pid); // the switch is repaired
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      for (InJvmCluster.StartEvent e : c.startsAfter(t0)) {
        assertTrue(e.offAtStart().contains(victim), e + " before the fence");
      }
      assertEquals(lost.size(), c.awaitStartsAfter(t0, lost.size()).size(), c.startsAfter(t0).toString());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void twoNodeFenceRaceIsWonByTheNodeRunningTheImportantResources(@TempDir Path dir) throws Exception {
    // Two nodes that each keep going when they lose the other (two-node mode, like Pacemaker's two_node):
    // both fence. n2 runs the priority-10 domU, so fencing n2 waits priority-fencing-delay and n2 shoots first,
    // although n1 hosts the Controller and would otherwise fence at once.
    String constraints = """
        constraints.location = [ { resource = vm1, node = n2, score = INFINITY }, { resource = vm2, node = n1, score = INFINITY } ]
        """;
    String extra = """
        properties.priority-fencing-delay = 8s
        resources.vm1.priority = 10
        cluster.split-brain-resolver = two-node
        """;
    try (InJvmCluster c = new InJvmCluster(dir, 2, List.of("vm1", "vm2"), constraints, extra, "", n -> hv -> hv)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!(c.activeDomains().getOrDefault("vm1", List.of()).equals(List.of("n2"))
          && c.activeDomains().getOrDefault("vm2", List.of()).equals(List.of("n1")))) {
        assertTrue(System.nanoTime() < deadline, "placement: " + c.activeDomains());
        Thread.sleep(100);
      }
      c.awaitConverged(Duration.ofSeconds(30));
      // libvirt's STARTED events of the initial starts may come after the placement is visible: not after t0
      c.awaitStartEventsOf(c.activeDomains());
      assertEquals("n1", c.controllerNode("n1"), "the oldest node hosts the Controller");
      long t0 = System.nanoTime();
      c.partition("n2");

      deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!(c.fencedAtNanos.containsKey("n1") && c.activeDomains().getOrDefault("vm2", List.of()).equals(List.of("n2")))) {
        assertTrue(System.nanoTime() < deadline, "n2 should fence n1 and take vm2 over; fenced: " + c.fencedAtNanos.keySet()
            + ", active: " + c.activeDomains());
        Thread.sleep(100);
      }
      assertFalse(c.fencedAtNanos.containsKey("n2"), "the node with the important resources survives the race");
      assertTrue(c.standIns.get("n2").isAlive());
      for (InJvmCluster.StartEvent e : c.startsAfter(t0)) {
        assertTrue(e.offAtStart().contains("n1"), e + " before the fence");
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void withStonithDisabledTheSurvivorsWaitForTheSelfFenceDeadline(@TempDir Path dir) throws Exception {
    survivorsWaitForTheSelfFenceDeadline(dir, false);
  }

  /**
   * The same when the lost node ran the Controller: the new Controller starts after the node was removed and has no
   * report of it, only the node history saying it was a member. It once took such a node as offline at once and
   * started its domUs while they still ran there (AgentRestartIT on CI: vm2 on n2 and n3).
   */
  @Test
  void withStonithDisabledANewControllerWaitsForTheSelfFenceDeadlineOfTheNodeItTookOverFrom(@TempDir Path dir)
      throws Exception {
    survivorsWaitForTheSelfFenceDeadline(dir, true);
  }

  private void survivorsWaitForTheSelfFenceDeadline(Path dir, boolean cutTheController) throws Exception {
    String extra = "properties { stonith-enabled = false, self-fence-deadline = 8s }\n        resource-defaults.ops.stop.timeout = 5s";
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", extra, "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String isolated = cutTheController ? controller : other(c, controller);
      assertFalse(ClusterFailoverTest.domainsOn(before, isolated).isEmpty(), isolated + " runs nothing: " + before);
      List<String> lost = ClusterFailoverTest.domainsOn(before, isolated);
      Map<String, Long> stoppedAt = new ConcurrentHashMap<>();
      c.nodes.get(isolated).hypervisor().subscribe(e -> {
        if (e.type().equals("STOPPED")) {
          stoppedAt.put(e.domain(), System.nanoTime());
        }
      });
      long cutAt = System.nanoTime();
      c.partition(isolated);

      c.nodes.get(isolated).system().getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.startsAfter(cutAt).size() < lost.size()) {
        assertTrue(System.nanoTime() < deadline, "lost domUs not recovered: " + c.activeDomains());
        Thread.sleep(100);
      }
      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(30));
      assertEquals(new TreeSet<>(lost), new TreeSet<>(stoppedAt.keySet()), "the losing side stopped its domUs itself");
      List<InJvmCluster.StartEvent> restarted = c.startsAfter(cutAt);
      assertEquals(lost.size(), restarted.size(), restarted.toString());
      for (InJvmCluster.StartEvent e : restarted) {
        assertTrue(e.atNanos() > stoppedAt.get(e.domain()), e + " started before the lost node stopped it");
        assertTrue(e.atNanos() - cutAt > Duration.ofSeconds(8).toNanos(), e + " started before the self-fence deadline");
      }
      assertTrue(c.fencedAtNanos.isEmpty(), "no fencing with stonith disabled");
      for (String d : lost) {
        assertFalse(after.get(d).contains(isolated));
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  @Test
  void manualFencingPowersTheNodeOffAndItsDomainsMove(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "", "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String victim = other(c, controller);
      List<String> lost = ClusterFailoverTest.domainsOn(before, victim);
      ClusterStatus.FencingRecord r = c.nodes.get(controller).console().fence(victim);
      assertEquals("success", r.result());
      assertEquals(victim, r.target());
      assertNotNull(c.fencedAtNanos.get(victim));
      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      for (String d : lost) {
        assertFalse(after.get(d).contains(victim));
      }
      // The fenced node's removal from the membership is not a new loss (it once fenced the node a second time, and
      // killed the agent started again in between): power it on, it rejoins and is never fenced again.
      c.powerOn(victim);
      awaitStatus(c, controller, s -> s.nodes().stream().allMatch(n -> n.state().equals("online")),
          Duration.ofSeconds(60), victim + " back online");
      long watch = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < watch) {
        assertTrue(c.standIns.get(victim).isAlive(), victim + " was fenced a second time");
        Thread.sleep(200);
      }
      assertEquals(1, c.status(controller).fencing().stream().filter(f -> f.target().equals(victim)).count(),
          "one fence for one manual request: " + c.status(controller).fencing());
      try {
        c.nodes.get(controller).console().fence("nosuchnode");
        throw new AssertionError("fencing an unknown node must be refused");
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().contains("unknown node"), e.getMessage());
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /** A fence device that lists every node in its hosts can run nowhere: status says so, with the reason. */
  @Test
  void aFenceDeviceThatCanRunNowhereIsAWarningInTheStatus(@TempDir Path dir) throws Exception {
    String extra = """
        resources.ilo-all { type = stonith, agent = "builtin:libvirt", hosts = [n1, n2, n3],
                            params { uri = "test:///%s/no-such-host.xml" } }
        """.formatted(dir);
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", extra, "", n -> hv -> hv)) {
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      ClusterStatus s = awaitStatus(c, "n1", st -> st.warnings().stream().anyMatch(w -> w.startsWith(
          "fence device 'ilo-all' cannot be placed: a device never runs on a node it fences, and it fences every node")),
          Duration.ofSeconds(60), "a warning for ilo-all");
      assertEquals("stopped", s.resources().stream().filter(r -> r.id().equals("ilo-all")).findFirst().orElseThrow()
          .state());
      // the device that can run (fence, no hosts) is no warning
      assertFalse(s.warnings().stream().anyMatch(w -> w.contains("'fence'")), s.warnings().toString());
    }
  }

  /**
   * Fencing the Controller's own node by hand is carried out, as stonith_admin fences Pacemaker's DC: another node
   * executes it (a device never runs on the node it fences), the Controller goes down with its node, a new one takes
   * over and recovers the node's domUs once each. docs/operations.md says so.
   */
  @Test
  void manualFencingOfTheControllersOwnNodeIsExecutedByAnotherNode(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "", "", n -> hv -> hv)) {
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String asker = other(c, controller);
      // the answer may never come (the Controller is fenced with its node): what happened is read from outside
      java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          c.nodes.get(asker).console().fence(controller);
        } catch (Exception e) {
          // the Controller went down with its node before it could answer
        }
      });
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (c.fencedAtNanos.get(controller) == null) {
        assertTrue(System.nanoTime() < deadline, controller + " (the Controller's node) was not fenced");
        Thread.sleep(100);
      }
      ClusterStatus s = awaitStatus(c, asker, st -> st.controller() != null && !st.controller().equals(controller)
          && st.fencing().stream().anyMatch(f -> f.target().equals(controller) && f.result().equals("success")),
          Duration.ofSeconds(60), "a new Controller that knows of the fence");
      ClusterStatus.FencingRecord fence = s.fencing().stream().filter(f -> f.target().equals(controller)).findFirst()
          .orElseThrow();
      assertFalse(fence.executor().equals(controller), "executed by another node: " + fence);
      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertFalse(after.values().stream().anyMatch(ns -> ns.contains(controller)), after.toString());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /**
   * The agent of a node dies while the node stays a cluster member (its JVM and its domUs live on): the Controller
   * must not take that node's domUs as stopped. It holds every decision, says so in the status, and after
   * dc-deadtime fences the node as Pacemaker fences a member whose controller does not answer; only then do the
   * domUs start elsewhere, once each.
   */
  @Test
  void anAgentThatDiesWhileItsNodeStaysAMemberHoldsDecisionsUntilTheNodeIsFenced(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "properties.dc-deadtime = 8s", "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      c.awaitConverged(Duration.ofSeconds(30));
      String controller = c.controllerNode("n1");
      String victim = other(c, controller);
      List<String> lost = ClusterFailoverTest.domainsOn(before, victim);
      assertFalse(lost.isEmpty(), "the victim runs domUs: " + before);
      long stoppedAt = System.nanoTime();
      org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(c.nodes.get(victim).nodeAgent())
          .tell(org.apache.pekko.actor.PoisonPill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());

      ClusterStatus held = awaitStatus(c, controller, s -> s.warnings() != null
          && s.warnings().stream().anyMatch(w -> w.startsWith("holding decisions: " + victim)), Duration.ofSeconds(30),
          "the Controller holds its decisions while " + victim + " has no agent");
      assertTrue(c.startsAfter(stoppedAt).isEmpty(), "nothing started while held: " + c.startsAfter(stoppedAt) + " " + held);
      assertEquals(new TreeSet<>(lost), new TreeSet<>(c.activeDomains().entrySet().stream()
          .filter(e -> e.getValue().contains(victim)).map(Map.Entry::getKey).toList()), "its domUs still run there");

      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (c.startsAfter(stoppedAt).size() < lost.size()) {
        assertTrue(System.nanoTime() < deadline, "its domUs were not recovered: " + c.activeDomains());
        Thread.sleep(100);
      }
      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(30));
      assertNotNull(c.fencedAtNanos.get(victim), victim + " was fenced");
      List<InJvmCluster.StartEvent> restarted = c.startsAfter(stoppedAt);
      assertEquals(lost.size(), restarted.size(), "each of its domUs started again once: " + restarted);
      for (InJvmCluster.StartEvent e : restarted) {
        assertTrue(e.offAtStart().contains(victim), e + " started before " + victim + " was fenced");
        assertTrue(e.atNanos() - stoppedAt >= Duration.ofSeconds(8).toNanos(), e + " started before dc-deadtime");
      }
      for (String d : lost) {
        assertFalse(after.get(d).contains(victim));
      }
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /**
   * #14: a fence decided against a lost incarnation is not carried out on the agent that restarted meanwhile. The
   * first level (a dead iLO that takes its time and fails) is running when the crashed node's agent starts again and
   * reports; the second level (which works) must then not kill the node. Its domUs start elsewhere once each, from
   * the new agent's probe (the restarted node runs nothing).
   */
  @Test
  void aFenceOfALostIncarnationIsNotCarriedOutOnTheAgentThatRestartedMeanwhile(@TempDir Path dir) throws Exception {
    Path called = dir.resolve("slow-ilo.called");
    Path release = dir.resolve("slow-ilo.release");
    Path agent = dir.resolve("fence_slow_ilo");
    Files.writeString(agent, """
        #!/bin/sh
        action=$(sed -n 's/^action=//p')
        case "$action" in
          off|reboot) touch '%s'; i=0; while [ ! -e '%s' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; exit 1 ;;
          *) exit 0 ;;
        esac
        """.formatted(called, release));
    agent.toFile().setExecutable(true);
    String extra = """
        resources.slow-ilo { type = stonith, agent = "%s" }
        fencing-topology {
          n1 = [ [slow-ilo], [fence] ]
          n2 = [ [slow-ilo], [fence] ]
          n3 = [ [slow-ilo], [fence] ]
        }
        """.formatted(agent);
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", extra, "", n -> hv -> hv)) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String victim = other(c, controller);
      List<String> lost = ClusterFailoverTest.domainsOn(before, victim);
      long crashedAt = System.nanoTime();
      c.crash(victim);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.exists(called)) {
        assertTrue(System.nanoTime() < deadline, "the first fencing level was not tried");
        Thread.sleep(50);
      }
      // the first level is under way: the node's agent starts again (a fresh hypervisor: it runs nothing)
      c.restart(victim);
      awaitStatus(c, controller, s -> s.nodes().stream().anyMatch(n -> n.name().equals(victim)
          && !n.state().equals("unclean")), Duration.ofSeconds(30), victim + " no longer unclean");
      Files.writeString(release, "");

      Map<String, List<String>> after = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      long watch = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < watch) {
        assertTrue(c.standIns.get(victim).isAlive(), victim + "'s restarted agent was killed by a stale fence");
        Thread.sleep(100);
      }
      ClusterStatus s = c.status(controller);
      assertFalse(s.fencing().stream().anyMatch(f -> f.target().equals(victim) && f.result().equals("success")),
          "nothing fenced " + victim + ": " + s.fencing());
      assertFalse(s.warnings().stream().anyMatch(w -> w.startsWith("FENCING OF " + victim)), s.warnings().toString());
      assertEquals(lost.size(), c.startsAfter(crashedAt).size(), "its domUs started again once each: "
          + c.startsAfter(crashedAt) + " " + after);
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  /**
   * The executor's own check, whatever the Controller knows: a fence meant for an incarnation of n2 that is not the
   * one running is answered "superseded" and n2 lives; the same fence for the incarnation that runs is carried out.
   */
  @Test
  void anExecutorDoesNotFenceAnIncarnationThatIsNotTheOneRunning(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, "", "", "", n -> hv -> hv)) {
      ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      var n1 = c.nodes.get("n1").system();
      long uid = org.apache.pekko.cluster.typed.Cluster.get(c.nodes.get("n2").system()).selfMember().uniqueAddress()
          .longUid();
      io.xenha.fencing.FenceResult stale = fence(n1, c.nodes.get("n1").nodeAgent(), "n2", uid + 1);
      assertTrue(stale.superseded() && !stale.ok(), stale.toString());
      assertTrue(stale.reason().contains("n2 runs a new incarnation"), stale.reason());
      assertTrue(c.standIns.get("n2").isAlive(), "n2 was fenced");

      io.xenha.fencing.FenceResult current = fence(n1, c.nodes.get("n1").nodeAgent(), "n2", uid);
      assertTrue(current.ok() && !current.superseded(), current.toString());
      assertTrue(c.standIns.get("n2").waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the incarnation that runs was fenced");
    }
  }

  private static io.xenha.fencing.FenceResult fence(org.apache.pekko.actor.typed.ActorSystem<?> system,
      org.apache.pekko.actor.typed.ActorRef<io.xenha.executor.NodeAgent.Command> agent, String target, long uid)
      throws Exception {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<io.xenha.executor.NodeAgent.Command,
            io.xenha.fencing.FenceResult>ask(agent,
            replyTo -> new io.xenha.executor.NodeAgent.FenceNode(target, "fence", "reboot", uid, replyTo),
            Duration.ofSeconds(30), system.scheduler())
        .toCompletableFuture().get(40, java.util.concurrent.TimeUnit.SECONDS);
  }
}
