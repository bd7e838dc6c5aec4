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
        ResourceSpec spec = s.config().resources().get(a.resource());
        assertTrue(NodeScores.allowed(NodeScores.of(s, spec).get(a.node())), a + " starts where it may not run");
        assertTrue(!spec.isStonith() || !spec.hosts().contains(a.node()), a + " starts a device on a node it fences");
      }
      if (a.kind() == Action.Kind.STOP) {
        NodeState ns = s.node(a.node());
        assertTrue(ns == NodeState.ONLINE || ns == NodeState.STANDBY, a + " stops on a node that cannot run it");
        assertTrue(s.resource(a.resource()).activeOn().contains(a.node()), a + " stops where it is not active");
      }
    }
    for (Action a : actions) {
      if (a.kind() != Action.Kind.START) continue;
      assertTrue(a.after().containsAll(fences), a + " does not wait for fencing");
      for (Action b : actions) {
        if (b.kind() == Action.Kind.STOP && b.resource().equals(a.resource())) {
          assertTrue(a.after().contains(b.id()), a + " does not wait for " + b);
        }
      }
    }
    // After the transition each placed resource runs exactly on its target; unplaced ones nowhere live.
    for (ResourceSpec r : s.config().resources().values()) {
      Set<String> after = new HashSet<>();
      for (String n : s.resource(r.id()).activeOn()) {
        NodeState ns = s.node(n);
        if (ns == NodeState.ONLINE || ns == NodeState.STANDBY) after.add(n);
      }
      for (Action a : actions) {
        if (r.id().equals(a.resource()) && a.kind() == Action.Kind.STOP) after.remove(a.node());
      }
      for (Action a : actions) {
        if (r.id().equals(a.resource()) && a.kind() == Action.Kind.START) after.add(a.node());
      }
      String target = t.placement().get(r.id());
      assertEquals(target == null ? Set.of() : Set.of(target), after, r.id() + " ends up on the wrong nodes");
    }
    for (OrderConstraint o : s.config().orders()) {
      ResourceSpec f = s.config().resources().get(o.first());
      ResourceSpec th = s.config().resources().get(o.then());
      if (!o.mandatory() || f == null || th == null) continue;
      if (t.placement().containsKey(o.then())) {
        assertTrue(t.placement().containsKey(o.first()), o.then() + " placed without its first " + o.first());
      }
      Action first = startOf.get(o.first());
      Action then = startOf.get(o.then());
      if (first != null && then != null) assertTrue(then.after().contains(first.id()), then + " before " + first);
    }
    assertNotEquals(null, t.summary());
  }
}
