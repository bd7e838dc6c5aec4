package io.xenha.scheduler;

import io.xenha.config.Score;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pacemaker's policy engine for xenha: a pure function from a {@link ClusterSnapshot} to the
 * {@link Transition} that brings the cluster to its wanted state (see docs/scheduler.md).
 */
public final class Scheduler {
  static final String FENCE_REASON = "peer is no longer part of the cluster";

  private Scheduler() {}

  /** Plans one transition; the same snapshot always gives an equal transition. */
  public static Transition plan(ClusterSnapshot snapshot) {
    return new Planner(snapshot).plan();
  }

  /** The crm_simulate-style text of a transition's summary. */
  public static String format(Transition t) {
    StringBuilder sb = new StringBuilder("Transition Summary:\n");
    for (String line : t.summary()) sb.append(line).append('\n');
    return sb.toString();
  }

  /**
   * One thing that starts and stops on its own: a primitive (id = the resource's id, number -1) or one instance of a
   * clone set (id "ID:N"; active on at most one node).
   */
  private static final class Unit {
    final String id;
    final int number;
    final List<String> active;
    String target;
    List<String> stops = List.of();
    String start;
    String restartCause;
    final List<Integer> stopIds = new ArrayList<>(); // parallel to stops
    Integer startId;

    Unit(String id, int number, List<String> active) {
      this.id = id;
      this.number = number;
      this.active = active;
    }

    /** Was running and starts again in this transition (moved or restarted): its dependents must restart. */
    boolean cycles() {
      return start != null && !active.isEmpty();
    }
  }

  /** What the scheduler decided for one resource (a primitive or a whole clone set); filled in topological order. */
  private static final class Plan {
    final ResourceSpec spec;
    final List<String> active;
    final List<Unit> units = new ArrayList<>();
    Map<String, Integer> scores;
    String notRunnable; // null: may run; "": target-role Stopped; else why not ("node availability", ...)
    int slots; // clones: instances placed

    Plan(ResourceSpec spec, List<String> active) {
      this.spec = spec;
      this.active = active;
    }

    boolean isClone() {
      return spec.isClone();
    }

    /** START ids of this resource on {@code node}, or everywhere when node is null. */
    List<Integer> startIds(String node) {
      List<Integer> out = new ArrayList<>();
      for (Unit u : units) if (u.startId != null && (node == null || node.equals(u.start))) out.add(u.startId);
      return out;
    }

    /** STOP ids of this resource on {@code node}, or everywhere when node is null. */
    List<Integer> stopIds(String node) {
      List<Integer> out = new ArrayList<>();
      for (Unit u : units) {
        for (int i = 0; i < u.stopIds.size(); i++) if (node == null || node.equals(u.stops.get(i))) out.add(u.stopIds.get(i));
      }
      return out;
    }

    /** Starts again where it ran: anywhere (node null: moved or restarted), or restarted in place on node. */
    boolean cycles(String node) {
      for (Unit u : units) {
        if (node == null ? u.cycles() : node.equals(u.start) && u.active.contains(node)) return true;
      }
      return false;
    }

    /** Nodes the resource runs on once the transition is done. */
    Set<String> targets() {
      Set<String> out = new HashSet<>();
      for (Unit u : units) if (u.target != null) out.add(u.target);
      return out;
    }

    boolean restarting() {
      return units.stream().anyMatch(u -> u.restartCause != null);
    }
  }

  /** One planning run; holds the intermediate tables so each step stays a short method. */
  private static final class Planner {
    private final ClusterSnapshot snapshot;
    private final ClusterProperties props;
    private final List<String> nodeOrder = new ArrayList<>();
    private final Map<String, Integer> nodeIndex = new HashMap<>();
    private final Map<String, Plan> plans = new LinkedHashMap<>();
    private final List<String> topo;
    private final OrderGraph graph;
    private final List<Action> actions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    Planner(ClusterSnapshot snapshot) {
      this.snapshot = snapshot;
      XenhaConfig config = snapshot.config();
      this.props = config.properties();
      // Configured nodes first in file order, then any node only the snapshot knows, by name.
      nodeOrder.addAll(config.nodes().keySet());
      snapshot.nodes().keySet().stream().filter(n -> !config.nodes().containsKey(n)).sorted().forEach(nodeOrder::add);
      for (int i = 0; i < nodeOrder.size(); i++) nodeIndex.put(nodeOrder.get(i), i);
      // Every resource; a fence device is placed for monitoring only, fencing never waits for it.
      for (ResourceSpec r : config.resources().values()) {
        List<String> active = new ArrayList<>(snapshot.resource(r.id()).activeOn());
        active.sort(nodeComparator());
        Plan p = new Plan(r, List.copyOf(active));
        if (p.isClone()) {
          p.units.addAll(runningInstances(r.id(), p.active));
        } else {
          p.units.add(new Unit(r.id(), -1, p.active));
        }
        plans.put(r.id(), p);
      }
      this.graph = new OrderGraph(List.copyOf(plans.keySet()), config.orders());
      this.topo = graph.topologicalOrder();
    }

    /**
     * The running instances of a clone, by number: the numbers the snapshot reports where it does (a number
     * given twice is kept once), the lowest free numbers in node order for active nodes it does not number.
     */
    private List<Unit> runningInstances(String id, List<String> active) {
      Map<String, List<Integer>> known = snapshot.resource(id).instances();
      Set<Integer> taken = new HashSet<>();
      Map<String, List<Integer>> numbers = new LinkedHashMap<>();
      for (String n : active) {
        List<Integer> mine = new ArrayList<>();
        for (int k : new TreeSet<>(known.getOrDefault(n, List.of()))) if (k >= 0 && taken.add(k)) mine.add(k);
        numbers.put(n, mine);
      }
      for (String n : active) {
        if (numbers.get(n).isEmpty()) numbers.get(n).add(lowestFree(taken));
      }
      List<Unit> out = new ArrayList<>();
      for (Map.Entry<String, List<Integer>> e : numbers.entrySet()) {
        for (int k : e.getValue()) out.add(new Unit(id + ":" + k, k, List.of(e.getKey())));
      }
      out.sort(Comparator.comparingInt(u -> u.number));
      return out;
    }

    private static int lowestFree(Set<Integer> taken) {
      int k = 0;
      while (taken.contains(k)) k++;
      taken.add(k);
      return k;
    }

    Transition plan() {
      NodeScores scorer = new NodeScores(snapshot);
      for (Plan p : plans.values()) p.scores = new LinkedHashMap<>(scorer.scores(p.spec));
      decideRunnableAndPlaceClones();
      place();
      decideActions();
      List<Integer> fences = createFences();
      createStops();
      createStarts(fences);
      Map<String, String> placement = new LinkedHashMap<>();
      for (Plan p : plans.values()) {
        for (Unit u : p.units) if (u.target != null) placement.put(u.id, u.target);
      }
      return new Transition(
          List.copyOf(actions), Collections.unmodifiableMap(placement), summary(), List.copyOf(warnings));
    }

    /**
     * An order is local (per node) when its first is a clone and its then a primitive (xenha's choice: a domU
     * needs its own node's instance) or an interleaved clone; otherwise then waits for first everywhere.
     */
    private boolean local(OrderConstraint o) {
      Plan then = plans.get(o.then());
      return plans.get(o.first()).isClone() && (!then.isClone() || then.spec.cloneSet().interleave());
    }

    /** A mandatory first that cannot run, or a clone with fewer instances than its clone-min, blocks its thens. */
    private boolean blocks(Plan first) {
      return first.notRunnable != null || (first.isClone() && first.slots < Math.max(1, first.spec.cloneSet().cloneMin()));
    }

    /**
     * Step 2 (docs/scheduler.md), in topological order so blocking passes down chains and a clone is placed before what is
     * ordered after it: which resources cannot run and why; a local mandatory order keeps its then off the nodes
     * where the first clone will not run; clones are placed here.
     */
    private void decideRunnableAndPlaceClones() {
      for (String id : topo) {
        Plan p = plans.get(id);
        if ("stopped".equalsIgnoreCase(p.spec.targetRole())) {
          p.notRunnable = "";
        } else if (p.scores.values().stream().noneMatch(NodeScores::allowed)) {
          p.notRunnable = "node availability";
        } else {
          for (OrderConstraint o : graph.into(id)) {
            if (o.mandatory() && blocks(plans.get(o.first()))) {
              p.notRunnable = "unrunnable " + o.first() + " start";
              break;
            }
          }
        }
        if (p.notRunnable == null) {
          for (OrderConstraint o : graph.into(id)) {
            if (!o.mandatory() || !local(o)) continue;
            Set<String> firstOn = plans.get(o.first()).targets();
            p.scores.replaceAll((n, sc) -> firstOn.contains(n) ? sc : Score.MINUS_INFINITY);
          }
          if (p.scores.values().stream().noneMatch(NodeScores::allowed)) p.notRunnable = "node availability";
        }
        if (p.isClone()) placeClone(p);
      }
    }

    /**
     * Step 2 for a clone: up to clone-max instances, at most clone-node-max per node, one per node first (a node
     * takes a second instance only once every allowed node has one). Running instances stay where they are unless
     * a free node scores better; the other slots go to the best nodes. A new slot goes to an instance that ran
     * there, then to a displaced instance (a move), then to a new instance with the lowest free number.
     */
    private void placeClone(Plan p) {
      if (p.notRunnable != null) return; // every running instance stops
      Map<String, Integer> s = p.scores;
      List<String> allowed = nodeOrder.stream().filter(n -> s.containsKey(n) && NodeScores.allowed(s.get(n))).toList();
      XenhaConfig.Clone c = p.spec.cloneSet();
      int n = (int) Math.min(c.cloneMax(), (long) allowed.size() * c.cloneNodeMax());
      if (n == 0) return;
      int cap = Math.min(c.cloneNodeMax(), (n + allowed.size() - 1) / allowed.size());
      Map<String, Integer> count = new HashMap<>();
      Set<String> occupied = new HashSet<>();
      for (Unit u : p.units) occupied.add(u.active.get(0));
      int bestFree = allowed.stream().filter(x -> !occupied.contains(x)).mapToInt(s::get).max().orElse(Score.MINUS_INFINITY);
      List<Unit> keepOrder = new ArrayList<>(p.units);
      keepOrder.sort(Comparator.<Unit>comparingInt(u -> -s.getOrDefault(u.active.get(0), Score.MINUS_INFINITY))
          .thenComparing(u -> u.active.get(0), nodeComparator())
          .thenComparingInt(u -> u.number));
      int total = 0;
      for (Unit u : keepOrder) {
        String node = u.active.get(0);
        if (allowed.contains(node) && count.getOrDefault(node, 0) < cap && total < n && s.get(node) >= bestFree) {
          u.target = node;
          count.merge(node, 1, Integer::sum);
          total++;
        }
      }
      List<String> fresh = new ArrayList<>();
      for (; total < n; total++) {
        String best = allowed.stream().filter(x -> count.getOrDefault(x, 0) < cap)
            .min(Comparator.<String>comparingInt(x -> -s.get(x))
                .thenComparingInt(x -> count.getOrDefault(x, 0))
                .thenComparing(nodeComparator()))
            .orElseThrow();
        count.merge(best, 1, Integer::sum);
        fresh.add(best);
      }
      fresh.sort(nodeComparator());
      List<Unit> displaced = new ArrayList<>();
      for (Unit u : p.units) if (u.target == null) displaced.add(u);
      for (var it = fresh.iterator(); it.hasNext(); ) {
        String node = it.next();
        Unit back = displaced.stream().filter(u -> u.active.get(0).equals(node)).findFirst().orElse(null);
        if (back != null) {
          back.target = node;
          displaced.remove(back);
          it.remove();
        }
      }
      Set<Integer> taken = new HashSet<>();
      for (Unit u : p.units) taken.add(u.number);
      for (String node : fresh) {
        if (!displaced.isEmpty()) {
          displaced.remove(0).target = node;
        } else {
          int k = lowestFree(taken);
          Unit u = new Unit(p.spec.id() + ":" + k, k, List.of());
          u.target = node;
          p.units.add(u);
        }
      }
      p.units.sort(Comparator.comparingInt(u -> u.number));
      p.slots = n;
    }

    /** Step 3 for primitives: best score, then fewest resources placed so far, then the current node, then node order. */
    private void place() {
      Map<String, Integer> configIndex = new HashMap<>();
      for (String id : plans.keySet()) configIndex.put(id, configIndex.size());
      Map<String, Integer> placed = new HashMap<>();
      List<Plan> order = new ArrayList<>();
      for (Plan p : plans.values()) {
        if (p.isClone()) {
          // instances count for balancing like any resource, as in Pacemaker
          for (Unit u : p.units) if (u.target != null) placed.merge(u.target, 1, Integer::sum);
        } else if (p.notRunnable == null) {
          order.add(p);
        }
      }
      order.sort(Comparator.<Plan>comparingInt(p -> -p.spec.priority())
          .thenComparing(p -> p.active.isEmpty())
          .thenComparingInt(p -> configIndex.get(p.spec.id())));
      for (Plan p : order) {
        Map<String, Integer> s = p.scores;
        Comparator<String> best = Comparator.<String>comparingInt(n -> -s.get(n))
            .thenComparingInt(n -> placed.getOrDefault(n, 0))
            .thenComparing(n -> !p.active.contains(n))
            .thenComparing(nodeComparator());
        String target = s.keySet().stream().filter(n -> NodeScores.allowed(s.get(n))).min(best).orElseThrow();
        p.units.get(0).target = target;
        placed.merge(target, 1, Integer::sum);
      }
    }

    /** Step 4 and restarts: where each primitive and instance stops and starts. */
    private void decideActions() {
      for (String id : topo) {
        Plan p = plans.get(id);
        if (!p.isClone() && p.active.size() > 1) {
          warnings.add("resource " + id + " was active on " + String.join(", ", p.active)
              + (p.units.get(0).target != null ? ": stopping all but one" : ": stopping all"));
        }
        for (Unit u : p.units) {
          List<String> live = u.active.stream().filter(this::canStopOn).toList();
          if (u.target == null) {
            u.stops = live;
          } else if (u.active.contains(u.target)) {
            u.restartCause = restartCause(id, u.target);
            if (u.restartCause != null) {
              u.stops = live;
              u.start = u.target;
            } else {
              u.stops = live.stream().filter(n -> !n.equals(u.target)).toList();
            }
          } else {
            u.stops = live;
            u.start = u.target;
          }
        }
      }
    }

    /**
     * A mandatory first that moves or restarts forces its running then to restart; for a local order only the
     * first's instance restarting on the same node does.
     */
    private String restartCause(String id, String node) {
      for (OrderConstraint o : graph.into(id)) {
        if (o.mandatory() && plans.get(o.first()).cycles(local(o) ? node : null)) return o.first();
      }
      return null;
    }

    /** Step 5: one fence per unclean node; returns their ids. */
    private List<Integer> createFences() {
      List<Integer> ids = new ArrayList<>();
      if (!props.stonithEnabled()) return ids;
      for (String n : nodeOrder) {
        if (snapshot.node(n) == NodeState.UNCLEAN) ids.add(add(Action.Kind.FENCE, null, n, FENCE_REASON, Set.of()));
      }
      return ids;
    }

    /** Stops in reverse topological order, so every dependency is an earlier action. */
    private void createStops() {
      for (int i = topo.size() - 1; i >= 0; i--) {
        Plan p = plans.get(topo.get(i));
        for (Unit u : p.units) {
          for (String n : u.stops) {
            Set<Integer> after = new TreeSet<>();
            for (OrderConstraint o : graph.from(p.spec.id())) {
              Plan then = plans.get(o.then());
              // Reverse order on stop; a restarting then must also be down before its mandatory first goes.
              if (o.symmetrical() || (o.mandatory() && then.restarting())) {
                after.addAll(then.stopIds(local(o) ? n : null));
              }
            }
            u.stopIds.add(add(Action.Kind.STOP, u.id, n, stopReason(p, u), after));
          }
        }
      }
    }

    /** Starts in topological order: after every fence, after their own stops, after their firsts' starts. */
    private void createStarts(List<Integer> fences) {
      for (String id : topo) {
        Plan p = plans.get(id);
        for (Unit u : p.units) {
          if (u.start == null) continue;
          Set<Integer> after = new TreeSet<>(fences);
          after.addAll(u.stopIds);
          for (OrderConstraint o : graph.into(id)) {
            after.addAll(plans.get(o.first()).startIds(local(o) ? u.start : null));
          }
          u.startId = add(Action.Kind.START, u.id, u.start, startReason(u), after);
        }
      }
    }

    private int add(Action.Kind kind, String rsc, String node, String reason, Set<Integer> after) {
      int id = actions.size();
      actions.add(new Action(id, kind, rsc, node, reason, Collections.unmodifiableSet(new TreeSet<>(after))));
      return id;
    }

    private String stopReason(Plan p, Unit u) {
      if (u.target == null) {
        if (p.notRunnable == null) return "node availability"; // a clone instance without a slot
        return p.notRunnable.isEmpty() ? "target-role is Stopped" : p.notRunnable;
      }
      if (u.restartCause != null) return "restart due to required " + u.restartCause + " start";
      if (u.start == null) return "multiple active";
      return "moving to " + u.target;
    }

    private String startReason(Unit u) {
      if (u.restartCause != null) return "restart due to required " + u.restartCause + " start";
      if (u.active.isEmpty()) return "not running";
      return "moving from " + String.join(", ", u.active);
    }

    /** Fence lines in node order, then one line per changed primitive or instance, by resource id and number. */
    private List<String> summary() {
      List<String> lines = new ArrayList<>();
      for (Action a : actions) {
        if (a.kind() == Action.Kind.FENCE) {
          lines.add("  * Fence (" + props.stonithAction() + ") " + a.node() + " '" + a.reason() + "'");
        }
      }
      List<String> ids = new ArrayList<>(plans.keySet());
      Collections.sort(ids);
      for (String id : ids) {
        Plan p = plans.get(id);
        for (Unit u : p.units) {
          String line = summaryLine(p, u);
          if (line != null) lines.add(line);
        }
      }
      return List.copyOf(lines);
    }

    private String summaryLine(Plan p, Unit u) {
      String id = u.id;
      if (u.target == null) {
        if (u.active.isEmpty()) return null;
        String why = p.notRunnable == null ? "node availability" : p.notRunnable;
        return line("Stop", id, String.join(", ", u.active), why.isEmpty() ? "" : "due to " + why);
      }
      if (u.restartCause != null) {
        return line("Restart", id, u.target, "due to required " + u.restartCause + " start");
      }
      if (u.start == null) {
        List<String> extra = u.active.stream().filter(n -> !n.equals(u.target)).toList();
        return extra.isEmpty() ? null : line("Stop", id, String.join(", ", extra), "due to multiple active");
      }
      if (u.active.isEmpty()) return line("Start", id, u.target, "");
      return line("Move", id, String.join(", ", u.active) + " -> " + u.target, "");
    }

    private static String line(String verb, String id, String where, String why) {
      String s = String.format("  * %-10s %-10s ( %s )", verb, id, where);
      return why.isEmpty() ? s : s + "  " + why;
    }

    /** Only a node that is still a member can run a stop; an unclean node's resources go down with the fence. */
    private boolean canStopOn(String node) {
      NodeState s = snapshot.node(node);
      return s == NodeState.ONLINE || s == NodeState.STANDBY;
    }

    private Comparator<String> nodeComparator() {
      return Comparator.<String>comparingInt(n -> nodeIndex.getOrDefault(n, Integer.MAX_VALUE))
          .thenComparing(Comparator.naturalOrder());
    }
  }
}
