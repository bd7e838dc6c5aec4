package io.xenha.scheduler;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
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

  /** What the scheduler decided for one resource; filled in topological order. */
  private static final class Plan {
    final ResourceSpec spec;
    final List<String> active;
    String target;
    String notRunnable; // null: may run; "": target-role Stopped; else why not ("node availability", ...)
    List<String> stops = List.of();
    String start;
    String restartCause;
    final List<Integer> stopIds = new ArrayList<>();
    Integer startId;

    Plan(ResourceSpec spec, List<String> active) {
      this.spec = spec;
      this.active = active;
    }

    /** Was running and starts again in this transition (moved or restarted): its dependents must restart. */
    boolean cycles() {
      return start != null && !active.isEmpty();
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
      // Domains and fence devices alike; a device is placed for monitoring only, fencing never waits for it.
      for (ResourceSpec r : config.resources().values()) {
        if (!r.isDomain() && !r.isStonith()) continue;
        List<String> active = new ArrayList<>(snapshot.resource(r.id()).activeOn());
        active.sort(nodeComparator());
        plans.put(r.id(), new Plan(r, List.copyOf(active)));
      }
      this.graph = new OrderGraph(List.copyOf(plans.keySet()), config.orders());
      this.topo = graph.topologicalOrder();
    }

    Transition plan() {
      NodeScores scorer = new NodeScores(snapshot);
      Map<String, Map<String, Integer>> scores = new HashMap<>();
      for (Plan p : plans.values()) scores.put(p.spec.id(), scorer.scores(p.spec));
      decideRunnable(scores);
      place(scores);
      decideActions();
      List<Integer> fences = createFences();
      createStops();
      createStarts(fences);
      Map<String, String> placement = new LinkedHashMap<>();
      for (Plan p : plans.values()) if (p.target != null) placement.put(p.spec.id(), p.target);
      return new Transition(
          List.copyOf(actions), Collections.unmodifiableMap(placement), summary(), List.copyOf(warnings));
    }

    /** Steps 1, 3, 5: which resources cannot run at all, and why (in topological order so blocking chains). */
    private void decideRunnable(Map<String, Map<String, Integer>> scores) {
      for (String id : topo) {
        Plan p = plans.get(id);
        if ("stopped".equalsIgnoreCase(p.spec.targetRole())) {
          p.notRunnable = "";
        } else if (scores.get(id).values().stream().noneMatch(NodeScores::allowed)) {
          p.notRunnable = "node availability";
        } else {
          for (OrderConstraint o : graph.into(id)) {
            if (o.mandatory() && plans.get(o.first()).notRunnable != null) {
              p.notRunnable = "unrunnable " + o.first() + " start";
              break;
            }
          }
        }
      }
    }

    /** Step 4: best score, then fewest resources placed so far, then the current node, then node order. */
    private void place(Map<String, Map<String, Integer>> scores) {
      Map<String, Integer> configIndex = new HashMap<>();
      for (String id : plans.keySet()) configIndex.put(id, configIndex.size());
      List<Plan> order = new ArrayList<>();
      for (Plan p : plans.values()) if (p.notRunnable == null) order.add(p);
      order.sort(Comparator.<Plan>comparingInt(p -> -p.spec.priority())
          .thenComparing(p -> p.active.isEmpty())
          .thenComparingInt(p -> configIndex.get(p.spec.id())));
      Map<String, Integer> placed = new HashMap<>();
      for (Plan p : order) {
        Map<String, Integer> s = scores.get(p.spec.id());
        Comparator<String> best = Comparator.<String>comparingInt(n -> -s.get(n))
            .thenComparingInt(n -> placed.getOrDefault(n, 0))
            .thenComparing(n -> !p.active.contains(n))
            .thenComparing(nodeComparator());
        String target = s.keySet().stream().filter(n -> NodeScores.allowed(s.get(n))).min(best).orElseThrow();
        p.target = target;
        placed.merge(target, 1, Integer::sum);
      }
    }

    /** Step 6 and the restart half of step 8: where each resource stops and starts. */
    private void decideActions() {
      for (String id : topo) {
        Plan p = plans.get(id);
        List<String> live = p.active.stream().filter(this::canStopOn).toList();
        if (p.active.size() > 1) {
          warnings.add("resource " + id + " was active on " + String.join(", ", p.active)
              + (p.target != null ? ": stopping all but one" : ": stopping all"));
        }
        if (p.target == null) {
          p.stops = live;
        } else if (p.active.contains(p.target)) {
          p.restartCause = restartCause(id);
          if (p.restartCause != null) {
            p.stops = live;
            p.start = p.target;
          } else {
            p.stops = live.stream().filter(n -> !n.equals(p.target)).toList();
          }
        } else {
          p.stops = live;
          p.start = p.target;
        }
      }
    }

    /** A mandatory {@code first} that moves or restarts forces its running {@code then} to restart. */
    private String restartCause(String id) {
      for (OrderConstraint o : graph.into(id)) {
        if (o.mandatory() && plans.get(o.first()).cycles()) return o.first();
      }
      return null;
    }

    /** Step 7: one fence per unclean node; returns their ids. */
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
        Set<Integer> after = new TreeSet<>();
        for (OrderConstraint o : graph.from(p.spec.id())) {
          Plan then = plans.get(o.then());
          // Reverse order on stop; a restarting `then` must also be down before its mandatory `first` goes.
          if (o.symmetrical() || (o.mandatory() && then.restartCause != null)) after.addAll(then.stopIds);
        }
        for (String n : p.stops) p.stopIds.add(add(Action.Kind.STOP, p.spec.id(), n, stopReason(p), after));
      }
    }

    /** Starts in topological order: after every fence, after this resource's stops, after its firsts' starts. */
    private void createStarts(List<Integer> fences) {
      for (String id : topo) {
        Plan p = plans.get(id);
        if (p.start == null) continue;
        Set<Integer> after = new TreeSet<>(fences);
        after.addAll(p.stopIds);
        for (OrderConstraint o : graph.into(id)) {
          Integer first = plans.get(o.first()).startId;
          if (first != null) after.add(first);
        }
        p.startId = add(Action.Kind.START, id, p.start, startReason(p), after);
      }
    }

    private int add(Action.Kind kind, String rsc, String node, String reason, Set<Integer> after) {
      int id = actions.size();
      actions.add(new Action(id, kind, rsc, node, reason, Collections.unmodifiableSet(new TreeSet<>(after))));
      return id;
    }

    private String stopReason(Plan p) {
      if (p.target == null) return p.notRunnable.isEmpty() ? "target-role is Stopped" : p.notRunnable;
      if (p.restartCause != null) return "restart due to required " + p.restartCause + " start";
      if (p.start == null) return "multiple active";
      return "moving to " + p.target;
    }

    private String startReason(Plan p) {
      if (p.restartCause != null) return "restart due to required " + p.restartCause + " start";
      if (p.active.isEmpty()) return "not running";
      return "moving from " + String.join(", ", p.active);
    }

    /** Step 10: fence lines in node order, then one line per changed resource, by resource id. */
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
        String line = summaryLine(plans.get(id));
        if (line != null) lines.add(line);
      }
      return List.copyOf(lines);
    }

    private String summaryLine(Plan p) {
      String id = p.spec.id();
      if (p.target == null) {
        if (p.active.isEmpty()) return null;
        return line("Stop", id, String.join(", ", p.active), p.notRunnable.isEmpty() ? "" : "due to " + p.notRunnable);
      }
      if (p.restartCause != null) {
        return line("Restart", id, p.target, "due to required " + p.restartCause + " start");
      }
      if (p.start == null) {
        List<String> extra = p.active.stream().filter(n -> !n.equals(p.target)).toList();
        return extra.isEmpty() ? null : line("Stop", id, String.join(", ", extra), "due to multiple active");
      }
      if (p.active.isEmpty()) return line("Start", id, p.target, "");
      return line("Move", id, String.join(", ", p.active) + " -> " + p.target, "");
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
