package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Clone instances and orders to and from clones: the action graph behind the golden summaries. */
class CloneSchedulerTest {

  @Test
  void aDomainWaitsForTheCloneInstanceOnItsOwnNode() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("clone-order-domain"));

    Action cp0 = action(t, Action.Kind.START, "configpool:0");
    Action cp1 = action(t, Action.Kind.START, "configpool:1");
    Action evms0 = action(t, Action.Kind.START, "evms:0");
    Action evms1 = action(t, Action.Kind.START, "evms:1");
    // not interleaved: every configpool instance waits for every evms instance
    assertEquals(Set.of(evms0.id(), evms1.id()), cp0.after());
    assertEquals(Set.of(evms0.id(), evms1.id()), cp1.after());
    // a domain after a clone waits for the whole clone, as in Pacemaker (a colocation keeps it with an instance)
    assertTrue(action(t, Action.Kind.START, "nfs").after().containsAll(Set.of(cp0.id(), cp1.id())));
    assertTrue(action(t, Action.Kind.START, "sles").after().containsAll(Set.of(cp0.id(), cp1.id())));
    assertEquals(Map.of("evms:0", "node1", "evms:1", "node2", "configpool:0", "node1", "configpool:1", "node2",
        "nfs", "node1", "sles", "node2"), t.placement());
  }

  @Test
  void interleavedClonesWaitPerNode() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("clone-interleave"));

    // each configpool instance waits for the evms instance on its own node only (instance numbers are Pacemaker's)
    List<Action> cpStarts = t.actions().stream()
        .filter(a -> a.kind() == Action.Kind.START && a.resource().startsWith("configpool:")).toList();
    assertEquals(2, cpStarts.size());
    for (Action cp : cpStarts) {
      Action evms = t.actions().stream()
          .filter(a -> a.kind() == Action.Kind.START && a.resource().startsWith("evms:") && a.node().equals(cp.node()))
          .findFirst().orElseThrow();
      assertEquals(Set.of(evms.id()), cp.after());
    }
    assertTrue(t.placement().values().stream().noneMatch("node3"::equals), "no evms on node3, so no configpool there");
  }

  @Test
  void anOrderAloneLeavesTheDomainWhereItsInstanceStops() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("clone-order-node-excluded"));

    // as crm_simulate 2.1.5: a mandatory order from a (non-interleaved) clone to a domU does not stop the domU when
    // the instance on its node stops; keeping them together takes a colocation
    Action stopCp = action(t, Action.Kind.STOP, "configpool:1");
    assertEquals("node2", stopCp.node());
    assertTrue(t.actions().stream().noneMatch(a -> "nfs".equals(a.resource())));
  }

  @Test
  void restartsCascadeThroughTheCloneToTheDomainOnTheSameNode() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("clone-restart-cascade"));
    Assumptions.assumeTrue(t.actions().stream().anyMatch(a -> "nfs".equals(a.resource())),
        "engine gap: see scheduler/clone-restart-cascade/engine-gap.txt");

    Action stopNfs = action(t, Action.Kind.STOP, "nfs");
    Action stopCp0 = action(t, Action.Kind.STOP, "configpool:0");
    Action stopCp1 = action(t, Action.Kind.STOP, "configpool:1");
    Action stopSan = action(t, Action.Kind.STOP, "san");
    assertTrue(stopCp0.after().contains(stopNfs.id()), "the domain is down before its node's configpool");
    assertTrue(stopSan.after().containsAll(List.of(stopCp0.id(), stopCp1.id())));
    Action startSan = action(t, Action.Kind.START, "san");
    Action startCp0 = action(t, Action.Kind.START, "configpool:0");
    assertTrue(startCp0.after().contains(startSan.id()));
    assertTrue(action(t, Action.Kind.START, "nfs").after().contains(startCp0.id()));
    // sles follows configpool optionally: a restart of its first does not restart it
    assertTrue(t.actions().stream().noneMatch(a -> "sles".equals(a.resource())));
  }

  @Test
  void instanceNumbersAreStableAndNewOnesTakeTheLowestFree() {
    Transition t = Scheduler.plan(SnapshotFixture.scenario("clone-node-returns"));

    assertEquals(Map.of("pingd:0", "node1", "pingd:1", "node2", "pingd:2", "node3"), t.placement());
    assertEquals(1, t.actions().size());
  }

  @Test
  void withoutNumbersActiveInstancesAreNumberedInNodeOrder() {
    ClusterSnapshot s = SnapshotFixture.fromJson("""
        { "nodes": { "node1": "online", "node2": "online", "node3": "online" },
          "resources": [ { "id": "pingd", "type": "builtin", "clone": {}, "active-on": ["node3", "node1"] } ] }
        """);
    Transition t = Scheduler.plan(s);

    assertEquals(Map.of("pingd:0", "node1", "pingd:1", "node3", "pingd:2", "node2"), t.placement());
  }

  @Test
  void belowCloneMinItsDependentsCannotStart() {
    ClusterSnapshot s = SnapshotFixture.fromJson("""
        { "nodes": { "node1": "online", "node2": "standby" },
          "resources": [ { "id": "configpool", "type": "ocf", "clone": { "clone-min": 2 } }, { "id": "nfs" } ],
          "orders": [ { "first": "configpool", "then": "nfs", "kind": "mandatory" } ] }
        """);
    Transition t = Scheduler.plan(s);

    assertEquals(Map.of("configpool:0", "node1"), t.placement());
    TransitionInvariants.check(s, t);
  }

  private static Action action(Transition t, Action.Kind kind, String rsc) {
    List<Action> found = t.actions().stream().filter(a -> a.kind() == kind && rsc.equals(a.resource())).toList();
    assertEquals(1, found.size(), kind + " " + rsc + " in " + t.actions());
    return found.get(0);
  }
}
