package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The action graph the golden summaries do not show: who waits for whom. */
class SchedulerTest {

  @Test
  void theTransitionCarriesBatchLimitAndEachStartItsStartDelay() throws Exception {
    // the seed's "hypervisor friendly" staggering: domUs boot start-delay apart, batch-limit at a time
    Path dir = Files.createTempDirectory("xenha-stagger");
    Path input = dir.resolve("input.json");
    Files.writeString(input, """
        { "properties": { "batch-limit": 2 },
          "nodes": { "host1": "online" },
          "resources": [ { "id": "sles", "start-delay": 10 }, { "id": "nfs" } ] }
        """);
    Transition t = Scheduler.plan(SnapshotFixture.load(input));
    assertEquals(2, t.batchLimit());
    Map<String, java.time.Duration> delays = new LinkedHashMap<>();
    for (Action a : t.actions()) delays.put(a.resource(), a.delay());
    assertEquals(Map.of("sles", java.time.Duration.ofSeconds(10), "nfs", java.time.Duration.ZERO), delays);
  }

  @Test
  void everyStartWaitsForEveryFence() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("unclean-fence"));

    Action fence = only(t, Action.Kind.FENCE, null, "host1");
    assertNull(fence.resource());
    assertEquals("peer is no longer part of the cluster", fence.reason());
    assertTrue(fence.after().isEmpty());
    assertTrue(start(t, "web").after().contains(fence.id()));
    assertTrue(start(t, "nfs").after().contains(fence.id()));
    assertEquals("host2", start(t, "web").node());
    // The unclean node cannot run a stop: the fence takes its resources down.
    assertTrue(t.actions().stream().noneMatch(a -> a.kind() == Action.Kind.STOP));
    // the device stays where it runs: it is not a resource of the fenced node
    assertEquals(Map.of("web", "host2", "app", "host2", "nfs", "host3", "fence-host1", "host2"), t.placement());
  }

  @Test
  void withoutStonithAnUncleanNodeIsOnlyOffline() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("stonith-disabled"));

    assertTrue(t.actions().stream().noneMatch(a -> a.kind() == Action.Kind.FENCE));
    assertTrue(start(t, "web").after().isEmpty());
  }

  @Test
  void aMoveStopsBeforeItStarts() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("standby-moves"));

    Action stop = only(t, Action.Kind.STOP, "web", "host1");
    Action start = only(t, Action.Kind.START, "web", "host2");
    assertEquals(Set.of(stop.id()), start.after());
    assertEquals(2, t.actions().size());
  }

  @Test
  void aLiveMigrationIsAMigrateOnTheSourceThenTheTargetsStart() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("live-migration"));

    // vm1 (allow-migrate) migrates: no stop of it anywhere, the target's start adopts it after the migration
    Action migrate = only(t, Action.Kind.MIGRATE, "vm1", "node1");
    assertEquals("node2", migrate.target());
    assertEquals("migrating to node2", migrate.reason());
    assertEquals(Set.of(migrate.id()), start(t, "vm1").after());
    assertTrue(t.actions().stream().noneMatch(a -> a.kind() == Action.Kind.STOP && a.resource().equals("vm1")));
    // vm2 does not allow migration: stop, then start
    Action stop = only(t, Action.Kind.STOP, "vm2", "node1");
    assertNull(stop.target());
    assertEquals(Set.of(stop.id()), start(t, "vm2").after());
    assertEquals(Map.of("vm1", "node2", "vm2", "node2"), t.placement());
    TransitionInvariants.check(SnapshotFixture.scenario("live-migration"), t);
  }

  @Test
  void reportedCapacityFillsWhatIsNotConfiguredAndLimitsPlacement() {
    ClusterSnapshot s = SnapshotFixture.scenario("utilization-unknown-capacity");
    // nothing configured: host1 reports room for db, host2 for web only; host2's vcpus are too few for db
    ClusterSnapshot reported = new ClusterSnapshot(s.config(), s.nodes(), s.resources(), s.attributes(), s.now(),
        Map.of("host1", Map.of("memory", 1024L, "vcpus", 2L), "host2", Map.of("memory", 2048L, "vcpus", 1L)));
    assertEquals(Map.of("db", "host1", "web", "host2"), Scheduler.plan(reported).placement());
    // host1 has no room left for both, and web no longer fits host2: one of them cannot run
    ClusterSnapshot small = new ClusterSnapshot(s.config(), s.nodes(), s.resources(), s.attributes(), s.now(),
        Map.of("host1", Map.of("memory", 1024L, "vcpus", 2L), "host2", Map.of("memory", 256L, "vcpus", 8L)));
    assertEquals(Map.of("db", "host1"), Scheduler.plan(small).placement());
  }

  @Test
  void configuredCapacityWinsOverReported() {
    ClusterSnapshot s = SnapshotFixture.scenario("utilization-capacity");
    // libvirt would say both nodes are huge: the configured memory still limits them
    ClusterSnapshot reported = new ClusterSnapshot(s.config(), s.nodes(), s.resources(), s.attributes(), s.now(),
        Map.of("node1", Map.of("memory", 65536L), "node2", Map.of("memory", 65536L)));
    assertEquals(Scheduler.plan(s).placement(), Scheduler.plan(reported).placement());
    assertFalse(Scheduler.plan(reported).placement().containsKey("huge"));
  }

  @Test
  void orderedStartsFollowTheChain() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("order-chain-start"));

    assertEquals(Set.of(), start(t, "pool").after());
    assertEquals(Set.of(start(t, "pool").id()), start(t, "db").after());
    assertEquals(Set.of(start(t, "db").id()), start(t, "app").after());
  }

  @Test
  void symmetricalOrdersStopInReverse() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("symmetrical-stop"));

    assertEquals(Set.of(stop(t, "b").id()), stop(t, "a").after());
    assertEquals(Set.of(), stop(t, "b").after());
    // optional and not symmetrical: both stop, in no particular order
    assertEquals(Set.of(), stop(t, "c").after());
    assertEquals(Set.of(), stop(t, "d").after());
  }

  @Test
  void aMovingFirstRestartsItsMandatoryThen() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("order-restart"));

    Action stopWeb = only(t, Action.Kind.STOP, "web", "host2");
    Action stopApp = only(t, Action.Kind.STOP, "app", "host2");
    Action stopPool = only(t, Action.Kind.STOP, "configpool", "host1");
    Action startPool = only(t, Action.Kind.START, "configpool", "host2");
    Action startApp = only(t, Action.Kind.START, "app", "host2");
    Action startWeb = only(t, Action.Kind.START, "web", "host2");
    assertEquals(Set.of(stopWeb.id()), stopApp.after(), "symmetrical app -> web stops web first");
    assertEquals(Set.of(stopApp.id()), stopPool.after(), "a restarting then stops before its first, symmetrical or not");
    assertEquals(Set.of(stopPool.id()), startPool.after());
    assertEquals(Set.of(stopApp.id(), startPool.id()), startApp.after());
    assertEquals(Set.of(stopWeb.id(), startApp.id()), startWeb.after());
    // the optional order does not restart mail
    assertTrue(t.actions().stream().noneMatch(a -> "mail".equals(a.resource())));
  }

  @Test
  void optionalOrdersOnlyOrderActionsOfTheSameTransition() {
    String running = """
        { "nodes": { "host1": "online" },
          "resources": [ { "id": "a", "active-on": ["host1"] }, { "id": "b" } ],
          "orders": [ { "first": "a", "then": "b", "kind": "optional" } ] }""";
    Transition t = Scheduler.plan(SnapshotFixture.fromJson(running));
    assertEquals(1, t.actions().size());
    assertEquals(Set.of(), start(t, "b").after());

    Transition both = Scheduler.plan(SnapshotFixture.fromJson(running.replace(", \"active-on\": [\"host1\"]", "")));
    assertEquals(Set.of(start(both, "a").id()), start(both, "b").after());
  }

  @Test
  void aFreshStartOfFirstRestartsARunningThen() {
    // Pacemaker's semantics (the old planner left b alone): b cannot have been started properly without a
    Transition t = Scheduler.plan(SnapshotFixture.fromJson("""
        { "nodes": { "host1": "online" },
          "resources": [ { "id": "a" }, { "id": "b", "active-on": ["host1"] } ],
          "orders": [ { "first": "a", "then": "b" } ] }"""));
    assertEquals(3, t.actions().size());
    assertEquals(Set.of(stop(t, "b").id(), start(t, "a").id()), start(t, "b").after());
  }

  @Test
  void fenceDevicesArePlacedLikeOtherResources() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("balanced-initial"));
    // a device that can fence every node runs anywhere: here on the least loaded node
    assertEquals("host3", t.placement().get("fence-ipmi"));
    assertEquals(6, t.placement().size());
  }

  @Test
  void fencingAndDomainStartsNeverWaitForADevice() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("stonith-unclean"));

    Action fence = only(t, Action.Kind.FENCE, null, "node1");
    Action device = start(t, "ipmi-node2");
    assertTrue(fence.after().isEmpty());
    assertFalse(start(t, "web").after().contains(device.id()));
    // a device that ran on the lost node is restarted once the node is known dead, like anything else
    assertTrue(device.after().contains(fence.id()));
  }

  @Test
  void ordersApplyToDevicesAsToDomains() {
    Transition t = Scheduler.plan(SnapshotFixture.fromJson("""
        { "nodes": { "host1": "online", "host2": "online" },
          "resources": [ { "id": "net" }, { "id": "ipmi-host1", "type": "stonith", "hosts": ["host1"] } ],
          "orders": [ { "first": "net", "then": "ipmi-host1" } ] }"""));
    assertEquals("host2", start(t, "ipmi-host1").node());
    assertEquals(Set.of(start(t, "net").id()), start(t, "ipmi-host1").after());
  }

  @Test
  void aDeviceThatRunsOnItsTargetMovesAway() {
    Transition t = Scheduler.plan(SnapshotFixture.fromJson("""
        { "properties": { "default-resource-stickiness": 1000 },
          "nodes": { "host1": "online", "host2": "online" },
          "resources": [ { "id": "ipmi-host1", "type": "stonith", "hosts": ["host1"], "active-on": ["host1"] } ] }"""));
    assertEquals(List.of("* Move ipmi-host1 ( host1 -> host2 )"), t.summary().stream().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
  }

  @Test
  void failCountsBelowTheThresholdDoNotBan() {
    ClusterSnapshot s = SnapshotFixture.scenario("fail-count-ban");
    assertTrue(NodeScores.allowed(NodeScores.of(s, s.config().resources().get("web")).get("node1")));
    assertFalse(NodeScores.allowed(NodeScores.of(s, s.config().resources().get("db")).get("node1")));
    assertFalse(NodeScores.allowed(NodeScores.of(s, s.config().resources().get("app")).get("node1")));
    assertTrue(NodeScores.allowed(NodeScores.of(s, s.config().resources().get("dns")).get("node1")));
  }

  @Test
  void sameSnapshotSameTransitionWhateverTheMapOrder() {
    ClusterSnapshot s = SnapshotFixture.scenario("double-active");
    ClusterSnapshot shuffled = new ClusterSnapshot(s.config(), reversed(s.nodes()), reversedStates(s.resources()));

    Transition t = Scheduler.plan(s);
    assertEquals(t, Scheduler.plan(s));
    assertEquals(t, Scheduler.plan(shuffled));
    assertEquals(List.copyOf(t.placement().keySet()), List.copyOf(Scheduler.plan(shuffled).placement().keySet()));
  }

  @Test
  void formatPrefixesTheSummary() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("standby-moves"));
    String text = Scheduler.format(t);
    assertTrue(text.startsWith("Transition Summary:\n"));
    assertTrue(text.replaceAll("\\s+", " ").contains("* Move web ( host1 -> host2 )"), text);
  }

  @Test
  void nothingToDoIsAnEmptyTransition() {
    Transition t = Scheduler.plan(SnapshotFixture.fromJson("""
        { "nodes": { "host1": "online", "host2": "online" },
          "resources": [ { "id": "a", "active-on": ["host2"] } ] }"""));
    assertTrue(t.isEmpty(), "the current node wins a tie, so stickiness 0 does not shuffle");
    assertEquals(Map.of("a", "host2"), t.placement());
    assertEquals("Transition Summary:\n", Scheduler.format(t));
  }

  private static Action start(Transition t, String rsc) {
    return only(t, Action.Kind.START, rsc, null);
  }

  private static Action stop(Transition t, String rsc) {
    return only(t, Action.Kind.STOP, rsc, null);
  }

  private static Action only(Transition t, Action.Kind kind, String rsc, String node) {
    List<Action> found = t.actions().stream()
        .filter(a -> a.kind() == kind)
        .filter(a -> rsc == null || rsc.equals(a.resource()))
        .filter(a -> node == null || node.equals(a.node()))
        .toList();
    assertEquals(1, found.size(), kind + " " + rsc + " " + node + " in " + t.actions());
    return found.get(0);
  }

  private static <V> Map<String, V> reversed(Map<String, V> map) {
    List<String> keys = new ArrayList<>(map.keySet());
    Collections.reverse(keys);
    Map<String, V> out = new LinkedHashMap<>();
    for (String k : keys) out.put(k, map.get(k));
    return out;
  }

  private static Map<String, ResourceState> reversedStates(Map<String, ResourceState> map) {
    Map<String, ResourceState> out = new LinkedHashMap<>();
    reversed(map).forEach((k, v) -> {
      List<String> active = new ArrayList<>(v.activeOn());
      Collections.reverse(active);
      out.put(k, new ResourceState(k, new LinkedHashSet<>(active), v.failedOn(), v.failCounts()));
    });
    return out;
  }
}
