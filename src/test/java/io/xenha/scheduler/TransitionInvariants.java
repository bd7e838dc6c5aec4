package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Safety properties every transition must have, whatever the scenario (architecture.md's invariants). */
final class TransitionInvariants {
  private TransitionInvariants() {}

  static void check(ClusterSnapshot s, Transition t) {
    List<Action> actions = t.actions();
    Map<String, Action> startOf = new HashMap<>();
    Set<Integer> fences = new HashSet<>();
    for (int i = 0; i < actions.size(); i++) {
      Action a = actions.get(i);
      assertEquals(i, a.id(), "ids are 0..n-1 in order");
      for (int dep : a.after()) assertTrue(dep >= 0 && dep < a.id(), a + " depends on a later or unknown action");
      if (a.kind() == Action.Kind.FENCE) {
        fences.add(a.id());
        assertEquals(NodeState.UNCLEAN, s.node(a.node()));
      }
      if (a.kind() == Action.Kind.START) {
        assertTrue(startOf.put(a.resource(), a) == null, a.resource() + " started twice");
        assertEquals(NodeState.ONLINE, s.node(a.node()), a + " starts on a node that is not online");
        assertEquals(a.node(), t.placement().get(a.resource()), a + " starts away from its placement");
        ResourceSpec spec = s.config().resources().get(base(a.resource()));
        assertTrue(NodeScores.allowed(NodeScores.of(s, spec).get(a.node())), a + " starts where it may not run");
        assertTrue(!spec.isStonith() || !spec.hosts().contains(a.node()), a + " starts a device on a node it fences");
      }
      if (a.kind() == Action.Kind.MIGRATE) {
        // a live migration leaves the source like a stop and is followed by the target's start (which adopts)
        assertEquals(NodeState.ONLINE, s.node(a.target()), a + " migrates to a node that is not online");
        assertEquals(a.target(), t.placement().get(a.resource()), a + " migrates away from its placement");
        assertNotEquals(a.node(), a.target(), a + " migrates to where it is");
        assertTrue(actions.stream().anyMatch(b -> b.kind() == Action.Kind.START && b.resource().equals(a.resource())
            && b.node().equals(a.target()) && b.after().contains(a.id())), a + " has no start on its target after it");
      }
      if (a.leavesNode()) {
        NodeState ns = s.node(a.node());
        assertTrue(ns == NodeState.ONLINE || ns == NodeState.STANDBY, a + " stops on a node that cannot run it");
        assertTrue(s.resource(base(a.resource())).activeOn().contains(a.node()), a + " stops where it is not active");
      }
    }
    for (Action a : actions) {
      if (a.kind() != Action.Kind.START) continue;
      assertTrue(a.after().containsAll(fences), a + " does not wait for fencing");
      for (Action b : actions) {
        if (b.leavesNode() && b.resource().equals(a.resource())) {
          assertTrue(a.after().contains(b.id()), a + " does not wait for " + b);
        }
      }
    }
    // After the transition each placed resource runs exactly on its targets; unplaced ones nowhere live.
    for (ResourceSpec r : s.config().resources().values()) {
      if (r.isClone() && r.cloneSet().cloneNodeMax() > 1) continue; // activeOn does not count instances per node
      Set<String> after = new HashSet<>();
      for (String n : s.resource(r.id()).activeOn()) {
        NodeState ns = s.node(n);
        if (ns == NodeState.ONLINE || ns == NodeState.STANDBY) after.add(n);
      }
      for (Action a : actions) {
        if (r.id().equals(base(a.resource())) && a.leavesNode()) after.remove(a.node());
      }
      for (Action a : actions) {
        if (r.id().equals(base(a.resource())) && a.kind() == Action.Kind.START) after.add(a.node());
      }
      assertEquals(placedOn(t, r), after, r.id() + " ends up on the wrong nodes");
    }
    for (ResourceSpec r : s.config().resources().values()) {
      if (!r.isClone()) continue;
      List<String> nodes = t.placement().entrySet().stream()
          .filter(e -> e.getKey().startsWith(r.id() + ":")).map(Map.Entry::getValue).toList();
      assertTrue(nodes.size() <= r.cloneSet().cloneMax(), r.id() + " has more than clone-max instances");
      for (String n : nodes) {
        assertTrue(nodes.stream().filter(n::equals).count() <= r.cloneSet().cloneNodeMax(), r.id() + " exceeds clone-node-max on " + n);
      }
    }
    for (OrderConstraint o : s.config().orders()) {
      ResourceSpec f = s.config().resources().get(o.first());
      ResourceSpec th = s.config().resources().get(o.then());
      if (!o.mandatory() || f == null || th == null) continue;
      // Pacemaker: an order never restricts placement (a colocation does); only interleaved clones order per node
      boolean local = f.isClone() && th.isClone() && th.cloneSet().interleave();
      // interleaving pairs an instance with one instance of first on its node: several there, any one may be it
      if (local && f.cloneSet().cloneNodeMax() > 1) continue;
      if (o.symmetrical()) {
        for (String n : placedOn(t, th)) assertTrue(!placedOn(t, f).isEmpty(), o.then() + " placed on " + n + " without its first " + o.first());
      }
      for (Action then : startsOf(actions, th)) {
        for (Action first : startsOf(actions, f)) {
          if (!local || first.node().equals(then.node())) {
            assertTrue(then.after().contains(first.id()), then + " before " + first);
          }
        }
      }
    }
    // placement-strategy other than default: no node holds more than its capacity
    if (!"default".equals(s.config().properties().placementStrategy())) {
      for (String node : s.config().nodes().keySet()) {
        for (Map.Entry<String, Long> cap : s.config().nodes().get(node).utilization().entrySet()) {
          long used = 0;
          for (Map.Entry<String, String> e : t.placement().entrySet()) {
            ResourceSpec r = s.config().resources().get(base(e.getKey()));
            if (node.equals(e.getValue()) && r != null) used += r.utilization().getOrDefault(cap.getKey(), 0L);
          }
          assertTrue(used <= cap.getValue(), node + " overcommitted: " + cap.getKey() + " " + used + " > " + cap.getValue());
        }
      }
    }
    assertNotEquals(null, t.summary());
  }

  /** The resource an action's id names: "pingd:1" is an instance of pingd. */
  static String base(String id) {
    if (id == null) return "";
    int colon = id.indexOf(':');
    return colon < 0 ? id : id.substring(0, colon);
  }

  private static Set<String> placedOn(Transition t, ResourceSpec r) {
    Set<String> out = new HashSet<>();
    for (Map.Entry<String, String> e : t.placement().entrySet()) {
      if (base(e.getKey()).equals(r.id()) && (r.isClone() ? e.getKey().contains(":") : e.getKey().equals(r.id()))) {
        out.add(e.getValue());
      }
    }
    return out;
  }

  private static List<Action> startsOf(List<Action> actions, ResourceSpec r) {
    return actions.stream().filter(a -> a.kind() == Action.Kind.START && base(a.resource()).equals(r.id())).toList();
  }
}
