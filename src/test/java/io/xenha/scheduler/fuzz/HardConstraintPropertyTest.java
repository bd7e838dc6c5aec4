package io.xenha.scheduler.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cib.CibXml;
import io.xenha.scheduler.engine.CibInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.Model;
import io.xenha.scheduler.engine.Model.Action;
import io.xenha.scheduler.engine.Model.Node;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.PolicyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hard constraints hold for every plan, whatever Pacemaker would do: over thousands of {@link CibGenerator} CIBs
 * (in-process, no crm_simulate), the placement that results from executing the transition (what runs now, minus
 * runnable stops and fenced nodes, plus runnable starts and migrations) must satisfy INFINITY and -INFINITY
 * colocations and -INFINITY locations, mandatory orders (nothing starts whose mandatory first does not end up
 * running), node capacities under a utilization strategy, no start on an unclean, standby, offline or banned
 * node, no primitive on two nodes, and clone-max / clone-node-max. A resource that cannot leave its node (unmanaged,
 * or its stop is blocked) stays where it is: the constraints then bind the others, and only the others.
 */
@Tag("slow") // about 20 s each on an idle machine: not among the fast unit tests
class HardConstraintPropertyTest {
  static final int CASES = Integer.getInteger("xenha.fuzz.property.cases", 3000);
  static final long FIRST_SEED = 100_000;
  /**
   * The load of resources that cannot leave a node (unmanaged, stop blocked) is not counted against its capacity:
   * Pacemaker 2.1.5 assigns them to their node after the others and lets them overflow it (docs/scheduler.md).
   */
  static final boolean STUCK_LOAD_EXEMPT = !Boolean.getBoolean("xenha.fuzz.strict-capacity");

  /** Where every primitive ends up, and which of those places it could not have left. */
  record Outcome(Map<Rsc, Set<Node>> running, Map<Rsc, Set<Node>> stuck, Map<Rsc, Set<Node>> started,
      Map<Rsc, Set<Node>> blockedStops) {}

  static Outcome outcome(Input in, Map<Rsc, List<Node>> before, List<Action> actions) {
    Set<Node> fenced = new HashSet<>();
    for (Action a : actions) {
      if (a.rsc == null && a.task.startsWith("stonith-") && a.runnable && !a.optional) fenced.add(a.node);
    }
    Map<Rsc, Set<Node>> running = new LinkedHashMap<>();
    Map<Rsc, Set<Node>> stuck = new HashMap<>();
    Map<Rsc, Set<Node>> started = new HashMap<>();
    Map<Rsc, Set<Node>> blocked = new HashMap<>();
    for (Map.Entry<Rsc, List<Node>> e : before.entrySet()) {
      Rsc p = e.getKey();
      Set<Node> on = new HashSet<>(e.getValue());
      on.removeAll(fenced);
      Set<Node> stops = new HashSet<>();
      Set<Node> blockedStops = new HashSet<>();
      Set<Node> starts = new HashSet<>();
      for (Action a : p.actions) {
        // nothing is executed for an unmanaged resource (the summary shows none of its actions)
        if (a.pseudo || a.optional || !p.managed) continue;
        switch (a.task) {
          case "stop" -> (a.runnable ? stops : blockedStops).add(a.node);
          case "start", "migrate_from" -> {
            if (a.runnable) starts.add(a.node);
          }
          default -> { }
        }
      }
      on.removeAll(stops);
      Set<Node> st = new HashSet<>();
      for (Node n : on) if (!p.managed || p.blocked || blockedStops.contains(n)) st.add(n);
      on.addAll(starts);
      running.put(p, on);
      stuck.put(p, st);
      started.put(p, starts);
      blocked.put(p, blockedStops);
    }
    return new Outcome(running, stuck, started, blocked);
  }

  /** The violations of one plan, each a sentence. */
  static List<String> check(Input in, Map<Rsc, List<Node>> before, PolicyEngine.Result result) {
    Outcome o = outcome(in, before, result.actions());
    List<String> v = new ArrayList<>();
    String strategy = in.property("placement-strategy", "default");
    for (Map.Entry<Rsc, Set<Node>> e : o.running().entrySet()) {
      Rsc p = e.getKey();
      if (e.getValue().size() > 1) v.add(p.id + " runs on " + names(e.getValue()));
      for (Node n : o.started().get(p)) {
        if (!n.available()) v.add(p.id + " started on " + n.uname + ", which cannot run resources");
      }
      for (Node n : e.getValue()) {
        if (!n.available() && !o.stuck().get(p).contains(n)) v.add(p.id + " left on " + n.uname + ", which cannot run resources");
      }
    }
    // clones: instances per node and in all
    for (Rsc top : in.resources) {
      if (!top.isClone() || top.children.isEmpty()) continue;
      for (Rsc base : top.children.get(0).primitives()) {
        Map<Node, Integer> perNode = new HashMap<>();
        int total = 0;
        for (Rsc inst : top.children) {
          for (Rsc p : inst.primitives()) {
            if (!p.baseId.equals(base.baseId) || !o.running().containsKey(p)) continue;
            for (Node n : o.running().get(p)) {
              perNode.merge(n, 1, Integer::sum);
              total++;
            }
          }
        }
        for (Map.Entry<Node, Integer> c : perNode.entrySet()) {
          if (c.getValue() > top.cloneNodeMax) v.add(base.baseId + ": " + c.getValue() + " instances on " + c.getKey().uname);
        }
        if (total > top.cloneMax) v.add(base.baseId + ": " + total + " instances, clone-max " + top.cloneMax);
      }
    }
    // -INFINITY locations
    for (Input.Location l : in.locations) {
      for (Node n : in.nodes) {
        Integer s = l.node() != null ? (l.node() == n ? Integer.valueOf(l.score()) : null) : ruleScore(l.rules(), n);
        if (s == null || s > -Model.INFINITY) continue;
        for (Rsc p : l.rsc().primitives()) {
          if (placedOn(o, p, n)) v.add(p.id + " on " + n.uname + " despite " + l.id());
        }
      }
    }
    // INFINITY and -INFINITY colocations
    for (Input.Colocation c : in.colocations) {
      if (Math.abs(c.score()) < Model.INFINITY || c.nodeAttribute() != null && !c.nodeAttribute().equals("#uname")) continue;
      // where the primary ends up, a blocked stop included; a dependent that stays where it ran beside a primary
      // the plan stops but cannot (its stop is blocked) is not held against the plan
      Set<Node> primary = nodes(o, c.with());
      Set<Node> primaryBlocked = new HashSet<>();
      for (Rsc q : c.with().primitives()) primaryBlocked.addAll(o.blockedStops().getOrDefault(q, Set.of()));
      for (Rsc p : c.rsc().primitives()) {
        for (Node n : o.running().getOrDefault(p, Set.of())) {
          if (o.stuck().get(p).contains(n)) continue;
          if (c.score() > 0 && !primary.contains(n)) v.add(p.id + " on " + n.uname + " without " + c.with().id + " (" + c.id() + ")");
          boolean stayed = before.getOrDefault(p, List.of()).contains(n) && o.started().get(p).isEmpty();
          if (c.score() < 0 && primary.contains(n) && !(stayed && primaryBlocked.contains(n))) {
            v.add(p.id + " on " + n.uname + " with " + c.with().id + " (" + c.id() + ")");
          }
        }
      }
    }
    // mandatory orders: a start needs its first running at the end
    for (Input.Order ord : in.orders) {
      if (!ord.kind().equals("mandatory") || !"start".equals(ord.thenAction()) || !"start".equals(ord.firstAction())) continue;
      // an unmanaged first is outside the plan: the order does not bind its state
      if (ord.first().primitives().stream().anyMatch(p -> !p.managed)) continue;
      boolean firstRuns = ord.first().isClone() ? !nodes(o, ord.first()).isEmpty() : allRunning(o, ord.first());
      if (firstRuns) continue;
      for (Rsc p : ord.then().primitives()) {
        if (!o.started().getOrDefault(p, Set.of()).isEmpty()) v.add(p.id + " starts but " + ord.first().id + " does not run (" + ord.id() + ")");
      }
    }
    // capacity
    if (!strategy.equals("default")) {
      for (Node n : in.nodes) {
        // only a start that needs some of a capacity can overflow it: what already runs there may exceed it
        Map<String, Integer> load = new HashMap<>();
        Set<String> startedNeeding = new HashSet<>();
        for (Map.Entry<Rsc, Set<Node>> e : o.running().entrySet()) {
          if (!e.getValue().contains(n) || (STUCK_LOAD_EXEMPT && o.stuck().get(e.getKey()).contains(n))) continue;
          for (Map.Entry<String, Integer> u : e.getKey().utilization.entrySet()) {
            load.merge(u.getKey(), u.getValue(), Integer::sum);
            if (u.getValue() > 0 && o.started().get(e.getKey()).contains(n)) startedNeeding.add(u.getKey());
          }
        }
        for (Map.Entry<String, Integer> l : load.entrySet()) {
          if (!startedNeeding.contains(l.getKey())) continue;
          int cap = n.capacity.getOrDefault(l.getKey(), 0);
          if (l.getValue() > cap) v.add(n.uname + " " + l.getKey() + " " + l.getValue() + " > capacity " + cap);
        }
      }
    }
    return v;
  }

  private static boolean placedOn(Outcome o, Rsc p, Node n) {
    return o.running().getOrDefault(p, Set.of()).contains(n) && !o.stuck().getOrDefault(p, Set.of()).contains(n);
  }

  private static boolean allRunning(Outcome o, Rsc r) {
    for (Rsc p : r.primitives()) if (o.running().getOrDefault(p, Set.of()).isEmpty()) return false;
    return true;
  }

  /** The nodes where a resource runs: any primitive of it (any instance of a clone). */
  private static Set<Node> nodes(Outcome o, Rsc r) {
    Set<Node> out = new HashSet<>();
    for (Rsc p : r.primitives()) out.addAll(o.running().getOrDefault(p, Set.of()));
    return out;
  }

  private static String names(Set<Node> ns) {
    List<String> out = new ArrayList<>();
    for (Node n : ns) out.add(n.uname);
    out.sort(null);
    return out.toString();
  }

  /** The score of the first matching rule (the generator's rules: defined, not_defined, lte, eq, ne). */
  static Integer ruleScore(List<Input.RuleNode> rules, Node n) {
    for (Input.RuleNode r : rules) {
      if (!matches(r, n)) continue;
      if (r.scoreAttribute() != null) {
        String v = n.attributes.get(r.scoreAttribute());
        return v == null ? null : io.xenha.scheduler.engine.Values.score(v);
      }
      return r.score() == null ? 0 : r.score();
    }
    return null;
  }

  private static boolean matches(Input.RuleNode r, Node n) {
    List<Boolean> results = new ArrayList<>();
    for (Input.Expr e : r.exprs()) {
      String v = e.attribute().equals("#uname") ? n.uname : n.attributes.get(e.attribute());
      boolean m = switch (e.op()) {
        case "defined" -> v != null;
        case "not_defined" -> v == null;
        case "eq" -> e.value().equals(v);
        case "ne" -> !e.value().equals(v);
        case "lte" -> v != null && Long.parseLong(v) <= Long.parseLong(e.value());
        default -> throw new IllegalArgumentException("expression not known to this test: " + e);
      };
      results.add(m);
    }
    for (Input.RuleNode sub : r.rules()) results.add(matches(sub, n));
    return r.or() ? results.contains(true) : !results.contains(false);
  }

  static Map<Rsc, List<Node>> before(Input in) {
    Map<Rsc, List<Node>> out = new LinkedHashMap<>();
    for (Rsc top : in.resources) for (Rsc p : top.primitives()) out.put(p, List.copyOf(p.runningOn));
    return out;
  }

  /** The violations for one seed, or one line saying the engine failed. */
  static List<String> violations(long seed, Path dir) throws IOException {
    Path f = dir.resolve("seed-" + seed + ".xml");
    Files.writeString(f, CibGenerator.generate(seed).xml());
    try {
      Input in = CibInput.read(CibXml.read(f));
      Map<Rsc, List<Node>> before = before(in);
      return check(in, before, PolicyEngine.run(in));
    } catch (CibXml.Invalid e) {
      // about 1 % of the seeds define an id twice on purpose: refused, nothing planned
      return e.getMessage().contains("redefined") ? List.of() : List.of("refused: " + e.getMessage());
    } catch (RuntimeException e) {
      return List.of("engine failed: " + e);
    } finally {
      Files.delete(f);
    }
  }

  /** {@code SEED...}: writes each seed's CIB to /tmp/xenha-seed-SEED.xml and prints its violations. */
  public static void main(String[] args) throws IOException {
    for (String a : args) {
      long seed = Long.parseLong(a);
      Path f = Path.of("/tmp/xenha-seed-" + seed + ".xml");
      Files.writeString(f, CibGenerator.generate(seed).xml());
      System.out.println("seed " + seed + " (" + f + "): " + violations(seed, Files.createTempDirectory("xenha-property")));
    }
  }

  static final Path KNOWN = Path.of("src/test/resources/scheduler/hard-constraint-known.txt");

  /** seed -> cause, from the list of seeds whose plans are known to violate a hard constraint. */
  static Map<Long, String> knownViolations() throws IOException {
    return io.xenha.testutil.SeedFile.read(KNOWN);
  }

  @Test
  void everyPlanKeepsTheHardConstraints() throws IOException {
    Path dir = Files.createTempDirectory("xenha-property");
    Map<Long, List<String>> found = new LinkedHashMap<>();
    for (long s = FIRST_SEED; s < FIRST_SEED + CASES; s++) {
      List<String> v = violations(s, dir);
      if (!v.isEmpty()) found.put(s, v);
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Long, List<String>> e : found.entrySet()) {
      sb.append("seed ").append(e.getKey()).append(": ").append(String.join("; ", e.getValue())).append('\n');
    }
    Path target = Path.of(System.getProperty("xenha.build.dir", "target"));
    Files.createDirectories(target);
    Files.writeString(target.resolve("hard-constraints.txt"), found.size() + " of " + CASES + " plans violate a hard constraint\n" + sb);
    Map<Long, String> known = knownViolations();
    StringBuilder unexpected = new StringBuilder();
    for (Map.Entry<Long, List<String>> e : found.entrySet()) {
      if (!known.containsKey(e.getKey())) unexpected.append("seed ").append(e.getKey()).append(": ").append(String.join("; ", e.getValue())).append('\n');
    }
    List<Long> gone = new ArrayList<>();
    for (Long s : known.keySet()) if (s >= FIRST_SEED && s < FIRST_SEED + CASES && !found.containsKey(s)) gone.add(s);
    assertTrue(unexpected.length() == 0, "plans violate a hard constraint (CibGenerator seeds; all in " + target.resolve("hard-constraints.txt")
        + "):\n" + (unexpected.length() > 4000 ? unexpected.substring(0, 4000) + "..." : unexpected));
    assertTrue(gone.isEmpty(), "seeds listed in " + KNOWN + " no longer violate a hard constraint: remove their lines: " + gone);
  }
}
