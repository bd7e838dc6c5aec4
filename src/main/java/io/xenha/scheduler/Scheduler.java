package io.xenha.scheduler;

import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.engine.ConfigInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.Model;
import io.xenha.scheduler.engine.Model.Ordering;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.PolicyEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * xenha's policy engine: a pure function from a {@link ClusterSnapshot} to the {@link Transition} that brings the
 * cluster to its wanted state. The planning is Pacemaker's ({@link PolicyEngine}, fed by {@link ConfigInput});
 * this class turns the engine's action graph into the FENCE / STOP / START steps the runtime executes
 * (see docs/scheduler.md).
 */
public final class Scheduler {
  static final String FENCE_REASON = ConfigInput.FENCE_REASON;

  private Scheduler() {}

  /** Plans one transition; the same snapshot always gives an equal transition. */
  public static Transition plan(ClusterSnapshot snapshot) {
    Input in = ConfigInput.read(snapshot);
    PolicyEngine.Result result = PolicyEngine.run(in);
    return new Translation(snapshot, in, result).transition();
  }

  /** The crm_simulate-style text of a transition's summary. */
  public static String format(Transition t) {
    StringBuilder sb = new StringBuilder("Transition Summary:\n");
    for (String line : t.summary()) sb.append(line).append('\n');
    return sb.toString();
  }

  /** One step of the runtime's transition, before it gets its final id. */
  private static final class Step {
    final Action.Kind kind;
    final Rsc rsc;
    final Model.Node node;
    final int engineId;
    String reason;
    boolean migration;
    final Set<Step> after = new LinkedHashSet<>();
    int id = -1;

    Step(Action.Kind kind, Rsc rsc, Model.Node node, int engineId) {
      this.kind = kind;
      this.rsc = rsc;
      this.node = node;
      this.engineId = engineId;
    }

    int rank() {
      return kind == Action.Kind.FENCE ? 0 : kind == Action.Kind.START ? 2 : 1;
    }

    boolean leaves() {
      return kind == Action.Kind.STOP || kind == Action.Kind.MIGRATE;
    }
  }

  /** Turns one engine result into a {@link Transition}. */
  private static final class Translation {
    private final ClusterSnapshot snapshot;
    private final Input in;
    private final PolicyEngine.Result result;
    /** Engine action -> the step it is executed as; absent: not executed (pseudo, optional, unrunnable). */
    private final Map<Model.Action, Step> stepOf = new HashMap<>();
    private final Map<String, Step> byKey = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();

    Translation(ClusterSnapshot snapshot, Input in, PolicyEngine.Result result) {
      this.snapshot = snapshot;
      this.in = in;
      this.result = result;
    }

    Transition transition() {
      selectSteps();
      List<Step> ordered = dependencies(true);
      if (ordered == null) ordered = dependencies(false);
      List<Action> actions = new ArrayList<>();
      for (Step s : ordered) {
        Set<Integer> after = new TreeSet<>();
        for (Step d : s.after) after.add(d.id);
        actions.add(new Action(s.id, s.kind, s.rsc == null ? null : s.rsc.id, s.node.uname, s.reason,
            Collections.unmodifiableSet(after), s.kind == Action.Kind.START ? startDelay(s.rsc.id) : null,
            s.kind == Action.Kind.MIGRATE ? s.rsc.assigned.uname : null));
      }
      return new Transition(List.copyOf(actions), Collections.unmodifiableMap(placement()),
          List.copyOf(result.summary()), warnings(), Math.max(0, snapshot.config().properties().batchLimit()));
    }

    /** A resource's start-delay; an instance "ID:N" (or a cloned group's member "m:N") has its resource's. */
    private Duration startDelay(String resource) {
      ResourceSpec spec = snapshot.config().resourceOf(resource);
      return spec == null || spec.startDelay() == null ? Duration.ZERO : spec.startDelay();
    }

    // ---- which engine actions the runtime executes

    /**
     * Required, runnable, real actions: fences, starts and stops of primitives. A live migration is a MIGRATE on the
     * source (migrate_to, and the stop there that follows it: the source forgets the domU) and the START on the
     * target (migrate_from and the start: the target adopts the domU running).
     */
    private void selectSteps() {
      Set<String> migratingFrom = new HashSet<>();
      for (Model.Action a : result.actions()) {
        if (!a.optional && a.runnable && a.rsc != null && a.node != null && a.task.equals("migrate_to")) {
          migratingFrom.add(a.rsc.id + " " + a.node.uname);
        }
      }
      for (Model.Action a : result.actions()) {
        if (a.optional || !a.runnable) continue;
        if (a.rsc == null) {
          if (a.node != null && a.task.startsWith("stonith-") && !a.pseudo) {
            Step f = step(Action.Kind.FENCE, null, a);
            f.reason = a.reason;
            stepOf.put(a, f);
          }
          continue;
        }
        if (a.pseudo || !a.rsc.isPrimitive() || a.node == null || a.rsc.id.equals(ConfigInput.NO_DEVICE)) continue;
        switch (a.task) {
          case "stop":
          case "migrate_to":
            boolean migrating = migratingFrom.contains(a.rsc.id + " " + a.node.uname);
            stepOf.put(a, step(migrating ? Action.Kind.MIGRATE : Action.Kind.STOP, a.rsc, a));
            break;
          case "start":
          case "migrate_from":
            stepOf.put(a, step(Action.Kind.START, a.rsc, a));
            break;
          default:
        }
        if (a.task.startsWith("migrate_")) stepOf.get(a).migration = true;
      }
      for (Step s : steps) if (s.kind != Action.Kind.FENCE) s.reason = reason(s);
    }

    private Step step(Action.Kind kind, Rsc rsc, Model.Action a) {
      String key = kind + " " + (rsc == null ? "" : rsc.id) + " " + a.node.uname;
      Step s = byKey.get(key);
      if (s == null) {
        s = new Step(kind, rsc, a.node, a.id);
        byKey.put(key, s);
        steps.add(s);
      }
      return s;
    }

    private String reason(Step s) {
      Rsc r = s.rsc;
      if (s.kind == Action.Kind.MIGRATE) return "migrating to " + r.assigned.uname;
      if (s.kind == Action.Kind.STOP) {
        if (r.assigned == null || r.nextRole == Model.Role.STOPPED) {
          if ("stopped".equalsIgnoreCase(r.meta.get("target-role"))) return "target-role is Stopped";
          return engineReason(r, "stop", s.node, "node availability");
        }
        if (r.assigned != s.node) return (s.migration ? "migrating to " : "moving to ") + r.assigned.uname;
        if (r.runningOn.size() > 1) return "multiple active";
        return engineReason(r, "stop", s.node, "restart");
      }
      if (r.runningOn.isEmpty()) return "not running";
      if (r.runningOn.contains(s.node)) return engineReason(r, "start", s.node, "restart");
      List<String> from = r.runningOn.stream().map(n -> n.uname).toList();
      return (s.migration ? "migrating from " : "moving from ") + String.join(", ", from);
    }

    private static String engineReason(Rsc r, String task, Model.Node node, String dflt) {
      for (Model.Action a : r.actions) {
        if (a.task.equals(task) && a.node == node && a.reason != null) return a.reason;
      }
      return dflt;
    }

    // ---- dependencies

    /**
     * Each step waits for the steps the engine orders before it, followed through the actions that are not
     * executed (pseudo actions always; optional and unrunnable ones too when throughAll, which can only add
     * waiting). Added for xenha's safety invariants: every start after every fence, and after every stop of the
     * same resource (a migration's start on the target after the migration: it adopts what arrived). Returns the
     * steps numbered in a topological order (fences, then stops and migrations, then starts, as early as
     * possible), or null on a cycle.
     */
    private List<Step> dependencies(boolean throughAll) {
      for (Step s : steps) s.after.clear();
      Map<Model.Action, Set<Step>> memo = new HashMap<>();
      for (Map.Entry<Model.Action, Step> e : stepOf.entrySet()) {
        Step s = e.getValue();
        for (Ordering o : e.getKey().before) {
          for (Step d : reach(o.first, throughAll, memo, new HashSet<>())) addEdge(d, s);
        }
      }
      for (Step s : steps) {
        if (s.kind != Action.Kind.START) continue;
        for (Step d : steps) {
          if (d.kind == Action.Kind.FENCE || d.leaves() && d.rsc == s.rsc) addEdge(d, s);
        }
      }
      return number();
    }

    private void addEdge(Step first, Step then) {
      if (first == then) return;
      // a resource never waits for its own start to stop (a migration's migrate_from precedes the source's stop)
      if (first.rsc != null && first.rsc == then.rsc && first.kind == Action.Kind.START && then.leaves()) return;
      then.after.add(first);
    }

    /** The steps reachable backwards from engine action a, stopping at the first executed action on each path. */
    private Set<Step> reach(Model.Action a, boolean throughAll, Map<Model.Action, Set<Step>> memo, Set<Model.Action> path) {
      Step s = stepOf.get(a);
      if (s != null) return Set.of(s);
      if (!throughAll && !a.pseudo) return Set.of();
      Set<Step> known = memo.get(a);
      if (known != null) return known;
      if (!path.add(a)) return Set.of();
      Set<Step> out = new LinkedHashSet<>();
      for (Ordering o : a.before) out.addAll(reach(o.first, throughAll, memo, path));
      path.remove(a);
      memo.put(a, out);
      return out;
    }

    private List<Step> number() {
      Map<Step, Integer> pending = new HashMap<>();
      Map<Step, List<Step>> next = new HashMap<>();
      for (Step s : steps) {
        pending.put(s, s.after.size());
        for (Step d : s.after) next.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
      }
      PriorityQueue<Step> ready = new PriorityQueue<>(
          Comparator.comparingInt(Step::rank).thenComparingInt(s -> s.engineId));
      for (Step s : steps) if (pending.get(s) == 0) ready.add(s);
      List<Step> out = new ArrayList<>();
      while (!ready.isEmpty()) {
        Step s = ready.poll();
        s.id = out.size();
        out.add(s);
        for (Step t : next.getOrDefault(s, List.of())) if (pending.merge(t, -1, Integer::sum) == 0) ready.add(t);
      }
      return out.size() == steps.size() ? out : null;
    }

    // ---- placement, warnings

    /** Each placed primitive (clone instances as "ID:N") -> the node it runs on once the transition is done. */
    private Map<String, String> placement() {
      Set<String> fenced = new HashSet<>();
      for (Step s : steps) if (s.kind == Action.Kind.FENCE) fenced.add(s.node.uname);
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : result.placement().entrySet()) {
        Rsc r = in.byId.get(e.getKey());
        if (r == null) continue;
        Set<String> after = new HashSet<>();
        for (Model.Node n : r.runningOn) if (!fenced.contains(n.uname)) after.add(n.uname);
        for (Step s : steps) if (s.rsc == r && s.leaves()) after.remove(s.node.uname);
        for (Step s : steps) if (s.rsc == r && s.kind == Action.Kind.START) after.add(s.node.uname);
        if (after.contains(e.getValue())) out.put(e.getKey(), e.getValue());
      }
      return out;
    }

    /** Things that must never happen but did: a primitive active on several nodes. */
    private List<String> warnings() {
      List<String> out = new ArrayList<>();
      for (ResourceSpec spec : snapshot.config().resources().values()) {
        if (spec.isClone() || spec.isGroup()) continue;
        ResourceSpec group = spec.group() == null ? null : snapshot.config().resources().get(spec.group());
        if (group != null && group.isClone()) continue;
        List<String> active = new ArrayList<>();
        for (String n : snapshot.config().nodes().keySet()) {
          if (snapshot.resource(spec.id()).activeOn().contains(n) && live(n)) active.add(n);
        }
        if (active.size() < 2) continue;
        String placed = placement().get(spec.id());
        String policy = spec.multipleActive() == null ? "stop_start" : spec.multipleActive();
        String what = switch (policy) {
          case "block" -> "leaving it alone (multiple-active = block)";
          case "stop_only" -> "stopping all (multiple-active = stop_only)";
          default -> placed != null ? "stopping all, then starting it on " + placed : "stopping all";
        };
        out.add("resource " + spec.id() + " was active on " + String.join(", ", active) + ": " + what);
      }
      return List.copyOf(out);
    }

    private boolean live(String node) {
      NodeState s = snapshot.node(node);
      return s == NodeState.ONLINE || s == NodeState.STANDBY
          || s == NodeState.UNCLEAN && snapshot.config().properties().stonithEnabled();
    }
  }
}
