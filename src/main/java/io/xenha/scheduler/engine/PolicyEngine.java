package io.xenha.scheduler.engine;

import static io.xenha.scheduler.engine.Model.ASYMMETRICAL;
import static io.xenha.scheduler.engine.Model.IMPLIES_FIRST;
import static io.xenha.scheduler.engine.Model.IMPLIES_FIRST_MIGRATABLE;
import static io.xenha.scheduler.engine.Model.IMPLIES_THEN;
import static io.xenha.scheduler.engine.Model.INFINITY;
import static io.xenha.scheduler.engine.Model.ONE_OR_MORE;
import static io.xenha.scheduler.engine.Model.OPTIONAL;
import static io.xenha.scheduler.engine.Model.PSEUDO_LEFT;
import static io.xenha.scheduler.engine.Model.RESTART;
import static io.xenha.scheduler.engine.Model.RUNNABLE_LEFT;
import static io.xenha.scheduler.engine.Model.SERIALIZE;

import io.xenha.scheduler.engine.Input.Expr;
import io.xenha.scheduler.engine.Input.RuleNode;
import io.xenha.scheduler.engine.Model.Action;
import io.xenha.scheduler.engine.Model.Coloc;
import io.xenha.scheduler.engine.Model.Node;
import io.xenha.scheduler.engine.Model.Ordering;
import io.xenha.scheduler.engine.Model.Role;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.Model.Scores;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pacemaker's scheduler semantics over the engine's {@link Model}: allowed-node scores (locations, rules,
 * stickiness, failure bans), colocation-aware assignment in priority order, actions for every primitive, ordering
 * constraints with their flags propagated to a fixpoint, fencing of unclean nodes, and the Transition Summary in
 * crm_simulate's wording. Pure: no I/O, no clock (the time comes with the input).
 */
public final class PolicyEngine {
  private final Input in;
  private final List<Node> nodes;
  private final List<Rsc> resources;
  private final List<Action> actions = new ArrayList<>();
  private final Map<String, List<Action>> actionIndex = new HashMap<>();
  private final Map<Node, Action> fenceOps = new LinkedHashMap<>();
  private final boolean stonithEnabled;
  private final boolean symmetric;
  private final String strategy;
  private final String noQuorumPolicy;
  private final String stonithAction;
  private boolean haveStonithResource;
  /** Resource-level orderings, resolved to actions in creation order once every action exists. */
  private final List<Runnable> pendingOrders = new ArrayList<>();

  private PolicyEngine(Input in) {
    this.in = in;
    this.nodes = in.nodes;
    // Pacemaker keeps its resource list sorted by priority (stable)
    this.resources = new ArrayList<>(in.resources);
    this.resources.sort((a, b) -> Integer.compare(b.priority, a.priority));
    this.stonithEnabled = in.flag("stonith-enabled", true);
    this.symmetric = in.flag("symmetric-cluster", true);
    this.strategy = in.property("placement-strategy", "default").toLowerCase(Locale.ROOT);
    this.noQuorumPolicy = in.property("no-quorum-policy", "stop").toLowerCase(Locale.ROOT);
    String action = in.property("stonith-action", "reboot");
    this.stonithAction = action.equals("poweroff") ? "off" : action;
    // node indexes for the node tables (Scores) and the capacity arrays
    for (int i = 0; i < nodes.size(); i++) nodes.get(i).index = i;
    for (Node n : nodes) for (String k : n.capacity.keySet()) utilizationKeys.putIfAbsent(k, utilizationKeys.size());
    for (Rsc r : in.resources) numberUtilizationKeys(r);
    for (Rsc r : in.byId.values()) numberUtilizationKeys(r);
    this.free = new int[nodes.size()][];
    for (Node n : nodes) {
      free[n.index] = new int[utilizationKeys.size()];
      for (Map.Entry<String, Integer> c : n.capacity.entrySet()) free[n.index][utilizationKeys.get(c.getKey())] = c.getValue();
    }
    for (Rsc r : in.resources) setUp(r);
    for (Rsc r : in.byId.values()) if (r.allowed == null) setUp(r);
  }

  private void numberUtilizationKeys(Rsc r) {
    for (String k : r.utilization.keySet()) utilizationKeys.putIfAbsent(k, utilizationKeys.size());
    for (Rsc c : r.children) numberUtilizationKeys(c);
  }

  /** Every resource starts with an empty node table, and its utilization by key number. */
  private void setUp(Rsc r) {
    r.allowed = new Scores(nodes);
    r.load = new int[utilizationKeys.size()];
    Arrays.fill(r.load, NOT_REQUIRED);
    for (Map.Entry<String, Integer> u : r.utilization.entrySet()) r.load[utilizationKeys.get(u.getKey())] = u.getValue();
    for (Rsc c : r.children) setUp(c);
  }

  /** The result of one run: the summary lines and the final actions. */
  public record Result(List<String> summary, List<Action> actions, Map<String, String> placement) {}

  /**
   * Plans one transition. The update of action flags recurses along the ordering graph as Pacemaker's does, so
   * the work runs on a thread with a deep stack (large clusters make long chains).
   */
  public static Result run(Input in) {
    Result[] result = new Result[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread t = new Thread(null, () -> {
      try {
        result[0] = new PolicyEngine(in).plan();
      } catch (RuntimeException | StackOverflowError e) {
        failure[0] = e instanceof RuntimeException re ? re : new IllegalStateException("planning recursed too deep", e);
      }
    }, "xenha-policy-engine", 1L << 30);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while planning", e);
    }
    if (failure[0] != null) throw failure[0];
    return result[0];
  }

  private Result plan() {
    for (Rsc r : resources) for (Rsc p : r.primitives()) if (p.fenceDevice) haveStonithResource = true;
    // with a watchdog (SBD) nodes fence themselves: fencing is possible without a fence device
    if (in.flag("have-watchdog", false)) haveStonithResource = true;
    phase("start");
    initAllowed();
    applyLocations();
    phase("locations");
    applyStickinessAndFailures();
    createColocations();
    phase("colocations");
    constraintOrderings();
    for (Rsc r : in.resources) pendingOrders.add(() -> internalOrderings(r));
    // only the utilization strategies sort by scores before assigning (Pacemaker's allocate_resources)
    if (!strategy.equals("default")) sortResources();
    phase("sort");
    for (Rsc r : resources) assign(r, null);
    phase("assign");
    for (Rsc r : resources) createActions(r);
    phase("actions");
    scheduleFencing();
    for (Runnable r : pendingOrders) r.run();
    phase("orderings");
    propagate();
    phase("propagate");
    Map<String, String> placement = new LinkedHashMap<>();
    for (Rsc r : resources) {
      for (Rsc p : r.primitives()) if (p.assigned != null && p.nextRole != Role.STOPPED) placement.put(p.id, p.assigned.uname);
    }
    return new Result(summary(), List.copyOf(actions), placement);
  }

  private static final boolean TIMING = System.getenv("XENHA_ENGINE_TIMING") != null;
  private long phaseStart = System.nanoTime();

  private void phase(String name) {
    if (!TIMING) return;
    long now = System.nanoTime();
    System.err.printf("[engine] %-12s %6d ms%n", name, (now - phaseStart) / 1_000_000);
    phaseStart = now;
  }

  // ===================================================================== scores

  private void initAllowed() {
    if (!symmetric) return;
    for (Rsc r : resources) for (Node n : nodes) score(r, n, 0);
  }

  /** Adds score on node to a resource and everything below it (Pacemaker's resource_node_score). */
  private static void score(Rsc r, Node n, int s) {
    for (Rsc c : r.children) score(c, n, s);
    r.allowed.add(n, s);
  }

  /** A location constraint applies to the resource and, for groups and clones, to every member and instance. */
  private void applyLocations() {
    for (Input.Location l : in.locations) {
      if (l.node() != null) {
        applyLocation(l.rsc(), l.node(), l.score());
        continue;
      }
      for (RuleNode rule : l.rules()) {
        // the same rule on many resources (a pingd rule on every domU) is evaluated once per node
        Integer[] perNode = ruleCache.computeIfAbsent(rule, r -> {
          Integer[] out = new Integer[nodes.size()];
          for (int i = 0; i < out.length; i++) out[i] = ruleScore(r, nodes.get(i));
          return out;
        });
        for (int i = 0; i < perNode.length; i++) if (perNode[i] != null) applyLocation(l.rsc(), nodes.get(i), perNode[i]);
      }
    }
  }

  private final Map<RuleNode, Integer[]> ruleCache = new HashMap<>();

  /**
   * A location constraint on a resource: a clone passes it to every instance; a colocated group to its first member
   * only, the others get the node with score 0 (they follow the first member; Pacemaker's group apply_location).
   */
  private static void applyLocation(Rsc r, Node n, int s) {
    r.allowed.add(n, s);
    if (r.isGroup() && r.colocated) {
      for (int i = 0; i < r.children.size(); i++) applyLocation(r.children.get(i), n, i == 0 ? s : 0);
    } else {
      for (Rsc c : r.children) applyLocation(c, n, s);
    }
  }

  /** The score a rule gives a node, or null when it does not match (or its score-attribute is missing). */
  private Integer ruleScore(RuleNode rule, Node n) {
    return Rules.score(rule, n.attributes);
  }

  /** Stickiness on the current node, and -INFINITY where the fail count reached the migration threshold. */
  private void applyStickinessAndFailures() {
    for (Rsc top : resources) {
      for (Rsc p : top.primitives()) {
        if (p.managed && p.stickiness > 0 && p.runningOn.size() == 1) {
          Node n = p.runningOn.get(0);
          if (symmetric || p.allowed.contains(n)) score(p, n, p.stickiness);
        }
      }
    }
    for (Rsc top : resources) {
      for (Rsc p : top.primitives()) {
        Rsc ban = p.inClone() ? p.top() : p;
        for (Node n : p.hardErrors) score(ban, n, -INFINITY);
        if (p.fatalError) for (Node n : nodes) score(ban, n, -INFINITY);
      }
    }
    for (Rsc top : resources) {
      for (Rsc p : top.primitives()) {
        if (p.migrationThreshold == 0 || p.failureIgnored || p.failCount.isEmpty()) continue;
        for (Node n : nodes) {
          int fc = p.failCount.getOrDefault(n, 0);
          if (fc <= 0) continue;
          if (p.migrationThreshold - fc <= 0) {
            Rsc ban = p.inClone() ? p.top() : p;
            score(ban, n, -INFINITY);
          }
        }
      }
    }
  }

  // ===================================================================== colocations

  private void createColocations() {
    for (Input.Colocation c : in.colocations) {
      if (c.score() == 0) continue;
      boolean influence = c.influence() != null ? c.influence() : c.rsc().critical;
      addColoc(new Coloc(c.id(), c.rsc(), c.with(), c.score(), c.nodeAttribute(), influence));
    }
    for (Rsc r : resources) internalColocations(r);
    sortColocations();
  }

  private void internalColocations(Rsc r) {
    if (r.isGroup() && r.colocated) {
      for (int i = 1; i < r.children.size(); i++) {
        Rsc m = r.children.get(i);
        addColoc(new Coloc("group:internal_colocation", m, r.children.get(i - 1), INFINITY, null, m.critical));
      }
    }
    for (Rsc c : r.children) internalColocations(c);
  }

  private void addColoc(Coloc c) {
    c.dependent.thisWith.add(c);
    c.primary.withThis.add(c);
    touched.add(c.dependent);
    touched.add(c.primary);
  }

  private final Set<Rsc> touched = new java.util.LinkedHashSet<>();

  /**
   * Colocations are kept sorted by the other resource: higher priority first, then clones before groups before
   * primitives, then by id; of several with the same other resource the newest comes first (sorted insertion).
   */
  private void sortColocations() {
    for (Rsc r : touched) {
      java.util.Collections.reverse(r.thisWith);
      java.util.Collections.reverse(r.withThis);
      r.thisWith.sort(BY_PRIMARY);
      r.withThis.sort(BY_DEPENDENT);
    }
  }

  private static int compareColocated(Rsc a, Rsc b) {
    if (a.priority != b.priority) return a.priority > b.priority ? -1 : 1;
    if (a.variant != b.variant) return a.variant.ordinal() > b.variant.ordinal() ? -1 : 1;
    return a.id.compareTo(b.id);
  }

  private static final Comparator<Coloc> BY_PRIMARY = (x, y) -> compareColocated(x.primary, y.primary);
  private static final Comparator<Coloc> BY_DEPENDENT = (x, y) -> compareColocated(x.dependent, y.dependent);

  /** Adds c to a sorted colocation list at its place: before the first entry that does not sort before it. */
  private static void insertSorted(List<Coloc> list, Coloc c, Comparator<Coloc> order) {
    int i = 0;
    while (i < list.size() && order.compare(c, list.get(i)) > 0) i++;
    list.add(i, c);
  }

  private static boolean hasInfluence(Coloc c, Rsc rsc) {
    if (rsc == null) rsc = c.primary;
    return c.influence || !isActive(rsc);
  }

  // ===================================================================== assignment order

  private void sortResources() {
    List<Node> sortedNodes = new ArrayList<>(nodes);
    // nodes that cannot run resources (standby, offline, ...) sort last
    Comparator<Node> tie = nodeComparator(null);
    sortedNodes.sort((a, b) -> a.available() != b.available() ? (a.available() ? -1 : 1) : tie.compare(a, b));
    // per resource: its score on its current node, then its scores in sorted node order (compared as arrays)
    Map<Rsc, int[]> keys = new HashMap<>();
    for (Rsc r : resources) {
      Scores w = colocatedScores(r, null, 1.0f, true, false);
      int[] key = new int[sortedNodes.size() + 1];
      Node current = currentNode(r);
      key[0] = current == null ? -INFINITY : w.get(current, -INFINITY);
      for (int i = 0; i < sortedNodes.size(); i++) key[i + 1] = w.get(sortedNodes.get(i), -INFINITY);
      keys.put(r, key);
    }
    resources.sort((a, b) -> {
      if (a.priority != b.priority) return a.priority > b.priority ? -1 : 1;
      int[] ka = keys.get(a);
      int[] kb = keys.get(b);
      for (int i = 0; i < ka.length; i++) if (ka[i] != kb[i]) return ka[i] > kb[i] ? -1 : 1;
      return 0;
    });
  }

  private static Node currentNode(Rsc r) {
    if (r.isPrimitive()) return r.currentNode();
    for (Rsc p : r.primitives()) if (!p.runningOn.isEmpty()) return p.runningOn.get(0);
    return null;
  }

  /** The node table colocation merging starts from for a resource: a group uses its first member. */
  private static Scores baseAllowed(Rsc r) {
    if (r.isGroup() && !r.children.isEmpty()) return r.children.get(0).allowed;
    return r.allowed;
  }

  /**
   * Pacemaker's add_colocated_node_scores: nodes == null starts from the resource's own scores; otherwise the
   * resource's best scores (per colocation attribute) are added to nodes, multiplied by factor. thisWith selects
   * which colocations are followed recursively; each followed colocation weighs by its own score, with the sign of
   * factor (not by the product of the factors along the chain). A group starts from its last member (own scores)
   * or merges through its first member, then follows its own colocations ("with group": its last member's).
   */
  private Scores colocatedScores(Rsc rsc, Scores nodesIn, float factor, boolean thisWith, boolean onlyPositive) {
    if (rsc.merging) return nodesIn;
    rsc.merging = true;
    try {
      boolean group = rsc.isGroup() && !rsc.children.isEmpty();
      Scores work;
      if (nodesIn == null) {
        // read only: every merge below works on its own copy (only sortResources starts here)
        work = group ? colocatedScores(last(rsc.children), null, factor, thisWith, onlyPositive) : rsc.allowed;
      } else if (group) {
        work = colocatedScores(rsc.children.get(0), nodesIn, factor, thisWith, onlyPositive);
      } else {
        work = nodesIn.copy();
        addMatching(work, rsc, null, factor, onlyPositive);
      }
      if (anyAvailable(work)) {
        List<Coloc> list = thisWith ? rsc.thisWith : group ? last(rsc.children).withThis : rsc.withThis;
        int multiplier = factor < 0 ? -1 : 1;
        for (Coloc c : list) {
          Rsc other;
          if (thisWith) {
            other = c.primary;
          } else if (!hasInfluence(c, null)) {
            continue;
          } else {
            other = c.dependent;
          }
          work = colocatedScores(other, work, multiplier * c.score / (float) INFINITY, thisWith, onlyPositive);
        }
      } else if (nodesIn != null) {
        return nodesIn;
      }
      if (onlyPositive && nodesIn != null) {
        for (int i = 0; i < work.size(); i++) if (work.scoreAt(i) == INFINITY_HACK) work.setAt(i, 1);
      }
      return work;
    } finally {
      rsc.merging = false;
    }
  }

  private static final int INFINITY_HACK = INFINITY * -100;

  private static Rsc last(List<Rsc> l) {
    return l.get(l.size() - 1);
  }

  private void addMatching(Scores work, Rsc rsc, String attr, float factor, boolean onlyPositive) {
    String a = attr == null ? "#uname" : attr;
    boolean byName = a.equals("#uname");
    Scores source = baseAllowed(rsc);
    for (int i = 0; i < work.size(); i++) {
      Node node = work.node(i);
      int current = work.scoreAt(i);
      int score = byName ? (node.available() ? source.get(node, -INFINITY) : -INFINITY)
          : bestMatching(source, a, node.attributes.get(a));
      if (factor < 0 && score < 0) continue;
      if (current == INFINITY_HACK) continue;
      float wf = factor * score;
      int w = (int) (wf < 0 ? wf - 0.5f : wf + 0.5f);
      if (w == 0 && score != 0) w = factor > 0 ? 1 : factor < 0 ? -1 : 0;
      int ns = Values.add(w, current);
      if (onlyPositive && ns < 0 && current > 0) {
        work.setAt(i, INFINITY_HACK);
        continue;
      }
      if (onlyPositive && ns < 0 && current == 0) continue;
      work.setAt(i, ns);
    }
  }

  private static int bestMatching(Scores allowed, String attr, String value) {
    if (attr.equals("#uname") && value != null) {
      // the usual case: only the node itself matches its name
      for (int i = 0; i < allowed.size(); i++) {
        Node n = allowed.node(i);
        if (n.uname.equalsIgnoreCase(value)) return n.available() ? allowed.scoreAt(i) : -INFINITY;
      }
      return -INFINITY;
    }
    int best = -INFINITY;
    for (int i = 0; i < allowed.size(); i++) {
      Node n = allowed.node(i);
      int w = allowed.scoreAt(i);
      if (w > best && n.available() && value != null && value.equalsIgnoreCase(n.attributes.get(attr))) best = w;
    }
    return best;
  }

  private static boolean anyAvailable(Scores table) {
    for (int i = 0; i < table.size(); i++) if (table.node(i).available() && table.scoreAt(i) >= 0) return true;
    return false;
  }

  // ===================================================================== assignment

  private Node assign(Rsc r, Node prefer) {
    switch (r.variant) {
      case GROUP: return assignGroup(r, prefer);
      case CLONE: return assignClone(r);
      default: return assignPrimitive(r, prefer);
    }
  }

  private Node assignGroup(Rsc g, Node prefer) {
    if (!g.provisional) return g.colocated && !g.children.isEmpty() ? g.children.get(0).assigned : null;
    if (g.allocating) return null;
    if (g.children.isEmpty()) {
      g.provisional = false;
      return null;
    }
    g.allocating = true;
    Rsc first = g.children.get(0);
    Rsc lastChild = last(g.children);
    // the group's colocations become its first member's ("group with X") and last member's ("X with group"),
    // merged into their sorted lists
    for (Coloc c : g.thisWith) insertSorted(first.thisWith, c, BY_PRIMARY);
    // The internal colocations carry "group with X" to the later members, except past an unmanaged member that
    // stays where it runs: every member after one gets the group's mandatory colocations itself, at the front of
    // its list, so that it never runs away from X (Pacemaker's expand_group_colocations). Unlike Pacemaker 2.1.5,
    // which expands only INFINITY ones, -INFINITY ones too: a member never stays beside what the group must avoid.
    boolean anyUnmanaged = !first.managed;
    for (int i = 1; i < g.children.size(); i++) {
      Rsc member = g.children.get(i);
      if (anyUnmanaged) {
        for (Coloc c : g.thisWith) if (Math.abs(c.score) >= INFINITY) member.thisWith.add(0, c);
      } else if (!member.managed) {
        anyUnmanaged = true;
      }
    }
    g.thisWith.clear();
    for (Coloc c : g.withThis) insertSorted(lastChild.withThis, c, BY_DEPENDENT);
    g.withThis.clear();
    Node groupNode = null;
    for (Rsc c : g.children) {
      Node n = assign(c, prefer);
      if (groupNode == null) groupNode = n;
    }
    g.nextRole = first.nextRole;
    g.allocating = false;
    g.provisional = false;
    g.assigned = g.colocated ? groupNode : null;
    return g.assigned;
  }

  private Node assignPrimitive(Rsc r, Node prefer) {
    if (r.parent != null && r.parent.isGroup() && r.parent.provisional && !r.parent.allocating) {
      assign(r.parent, prefer);
    }
    if (!r.provisional) return r.assigned;
    if (r.allocating) return null;
    r.allocating = true;
    List<Coloc> thisWith = new ArrayList<>(r.thisWith);
    List<Coloc> withThis = new ArrayList<>(r.withThis);
    // Pacemaker 2.1.5: the "this with" colocations in their sorted order (mandatory ones not first), then the
    // "with this" ones
    for (Coloc c : thisWith) applyThisWith(c, r);
    for (Coloc c : withThis) addDependentScores(c, r);
    if (r.nextRole == Role.STOPPED) {
      for (Node n : nodes) r.allowed.put(n, -INFINITY);
    } else if (r.nextRole.compareTo(r.role) > 0 && !in.haveQuorum && noQuorumPolicy.equals("freeze")) {
      r.nextRole = r.role;
    }
    if (stonithEnabled && !haveStonithResource) r.managed = false;
    if (!r.managed) {
      // an unmanaged resource keeps its role whatever its target-role says (Pacemaker's "unmanaged" next role)
      r.nextRole = r.role;
      assignTo(r, r.currentNode(), true);
    } else if (in.flag("stop-all-resources", false)) {
      assignTo(r, null, true);
    } else {
      assignBest(r, prefer);
    }
    r.allocating = false;
    return r.assigned;
  }

  private void applyThisWith(Coloc c, Rsc r) {
    Scores archive = c.score < 0 && c.score > -INFINITY ? r.allowed.copy() : null;
    Rsc other = c.primary;
    if (other.provisional) assign(other, null);
    applyColocScore(r, other, c);
    if (archive != null && !anyAvailable(r.allowed)) r.allowed = archive;
  }

  /** Applies a colocation to the dependent's scores once its primary is assigned (dispatch on the primary). */
  private void applyColocScore(Rsc dependent, Rsc primary, Coloc c) {
    if (primary.provisional) return;
    if (primary.isGroup()) {
      if (primary.children.isEmpty()) return;
      if (primary.colocated) {
        Rsc member = c.score >= INFINITY ? last(primary.children) : primary.children.get(0);
        applyColocScore(dependent, member, c);
      } else if (c.score < INFINITY) {
        for (Rsc m : primary.children) applyColocScore(dependent, m, c);
      }
      return;
    }
    if (primary.isClone()) {
      if (dependent.inClone() && dependent.top() != primary && dependent.top().interleave) {
        Rsc peer = compatibleInstance(dependent, primary);
        if (peer == null) {
          if (c.score >= INFINITY) for (Node n : nodes) dependent.allowed.put(n, -INFINITY);
          return;
        }
        applyToWeights(dependent, peer.assigned, peer.assigned != null, c);
        return;
      }
      if (c.score >= INFINITY) {
        boolean[] affected = new boolean[nodes.size()];
        for (Rsc inst : primary.children) {
          Node n = instanceNode(inst);
          if (n != null && !inst.blocked) affected[n.index] = true;
        }
        Scores a = dependent.allowed;
        for (int i = 0; i < a.size(); i++) if (!affected[a.node(i).index]) a.setAt(i, -INFINITY);
        return;
      }
      for (Rsc inst : primary.children) {
        Node n = instanceNode(inst);
        if (n != null) applyToWeights(dependent, n, true, c);
      }
      return;
    }
    applyToWeights(dependent, primary.assigned, true, c);
  }

  /** The instance of clone primary that dependent (an interleaved clone's instance) should follow: same node. */
  private Rsc compatibleInstance(Rsc dependent, Rsc primaryClone) {
    Node want = dependent.assigned;
    List<Node> candidates = new ArrayList<>();
    if (want != null) candidates.add(want);
    else {
      Scores a = dependent.allowed;
      List<Node> sorted = a.nodes();
      sorted.sort(byScore(a, null));
      candidates.addAll(sorted);
    }
    for (Node n : candidates) {
      if (!n.available() || dependent.allowed.get(n, -INFINITY) < 0) continue;
      for (Rsc inst : primaryClone.children) if (instanceNode(inst) == n) return inst;
    }
    return null;
  }

  private static Node instanceNode(Rsc inst) {
    if (inst.isPrimitive()) return inst.assigned;
    if (inst.isGroup()) return inst.assigned;
    return null;
  }

  /** Pacemaker's pcmk__apply_coloc_to_weights. */
  private void applyToWeights(Rsc dependent, Node primaryNode, boolean assignedKnown, Coloc c) {
    String attr = c.nodeAttribute == null ? "#uname" : c.nodeAttribute;
    String value = primaryNode == null ? null : primaryNode.attributes.get(attr);
    if (primaryNode == null && c.score < 0) return;
    Scores work = dependent.allowed.copy();
    for (int i = 0; i < work.size(); i++) {
      Node n = work.node(i);
      if (primaryNode == null) {
        work.setAt(i, Values.add(-c.score, work.scoreAt(i)));
      } else if (value != null && value.equalsIgnoreCase(n.attributes.get(attr))) {
        if (c.score < INFINITY) work.setAt(i, Values.add(c.score, work.scoreAt(i)));
      } else if (c.score >= INFINITY) {
        work.setAt(i, -INFINITY);
      }
    }
    if (Math.abs(c.score) >= INFINITY || anyAvailable(work)) dependent.allowed = work;
  }

  private void addDependentScores(Coloc c, Rsc r) {
    if (!hasInfluence(c, null)) return;
    float factor = c.score / (float) INFINITY;
    r.allowed = colocatedScores(c.dependent, r.allowed, factor, false, r.isClone());
  }

  // ----- utilization: capacities and loads by key number (no map lookups while assigning)

  /** The utilization keys (of node capacities and resource utilization) numbered, for the arrays below. */
  private final Map<String, Integer> utilizationKeys = new HashMap<>();
  /** Free capacity by node index and key number: the capacity (0 when not configured) less what is assigned. */
  private final int[][] free;
  /** In a utilization vector ({@link Rsc#load}): the key is not required. */
  private static final int NOT_REQUIRED = Integer.MIN_VALUE;

  private boolean hasCapacity(Node n, int[] required) {
    int[] f = free[n.index];
    for (int k = 0; k < required.length; k++) if (required[k] != NOT_REQUIRED && required[k] > f[k]) return false;
    return true;
  }

  /** Adds sign times r's utilization to what node n has assigned. */
  private void use(Node n, Rsc r, int sign) {
    int[] f = free[n.index];
    for (int k = 0; k < f.length; k++) if (r.load[k] != NOT_REQUIRED) f[k] -= sign * r.load[k];
  }

  /**
   * Under a utilization strategy: bans r from nodes without the free capacity for it and the unassigned resources
   * mandatorily colocated with it (or, when no node has that, for r alone); returns the node with the most free
   * capacity in that second case (Pacemaker's pcmk__ban_insufficient_capacity).
   */
  private Node banInsufficientCapacity(Rsc r) {
    if (strategy.equals("default")) return null;
    Set<Rsc> group = new java.util.LinkedHashSet<>();
    colocatedResources(r, r, group);
    int[] need = new int[utilizationKeys.size()];
    Arrays.fill(need, NOT_REQUIRED);
    for (Rsc c : group) addUtilization(c, group, need);
    boolean any = false;
    for (int v : need) any |= v != NOT_REQUIRED;
    if (!any) return null;
    List<Node> candidates = new ArrayList<>();
    List<Node> short_ = new ArrayList<>();
    for (int i = 0; i < r.allowed.size(); i++) {
      Node n = r.allowed.node(i);
      if (!n.available() || r.allowed.scoreAt(i) < 0) continue;
      candidates.add(n);
      if (!hasCapacity(n, need)) short_.add(n);
    }
    if (short_.size() < candidates.size()) {
      // some node fits r and its colocated resources: ban the others
      for (Node n : short_) r.allowed.put(n, -INFINITY);
      return null;
    }
    Node mostCapable = null;
    for (Node n : candidates) if (mostCapable == null || compareCapacity(n, mostCapable) < 0) mostCapable = n;
    for (Node n : candidates) if (!hasCapacity(n, r.load)) r.allowed.put(n, -INFINITY);
    return mostCapable;
  }

  /**
   * Adds to need the utilization of an unassigned resource of the colocated set: a primitive its own; a group its
   * members not listed themselves (only the first when its members are not colocated); a clone, once, the
   * instance whose members are listed, or its first instance when none is listed (Pacemaker's add_utilization).
   */
  private static void addUtilization(Rsc c, Set<Rsc> listed, int[] need) {
    if (!c.provisional) return;
    if (c.isPrimitive()) {
      for (int k = 0; k < need.length; k++) {
        if (c.load[k] != NOT_REQUIRED) need[k] = need[k] == NOT_REQUIRED ? c.load[k] : need[k] + c.load[k];
      }
    } else if (c.isGroup()) {
      for (Rsc m : c.colocated ? c.children : c.children.subList(0, Math.min(1, c.children.size()))) {
        if (m.provisional && !listed.contains(m)) addUtilization(m, listed, need);
      }
    } else {
      boolean existing = false;
      for (Rsc inst : c.children) {
        if (listed.contains(inst)) {
          existing = true;
          continue;
        }
        for (Rsc m : inst.children) {
          if (listed.contains(m)) {
            addUtilization(inst, listed, need);
            existing = true;
            break;
          }
        }
      }
      if (!existing && !c.children.isEmpty()) addUtilization(c.children.get(0), listed, need);
    }
  }

  /**
   * r and everything mandatorily colocated with it, transitively (Pacemaker's colocated_resources); what depends
   * on a clone is left out unless it is a clone too, as it cannot be tied to one instance.
   */
  private static void colocatedResources(Rsc r, Rsc orig, Set<Rsc> out) {
    if (!out.add(r)) return;
    for (Coloc c : r.thisWith) {
      if (c.primary != orig && c.score >= INFINITY) colocatedResources(c.primary, orig, out);
    }
    for (Coloc c : r.isClone() ? cloneDependents(r) : r.withThis) {
      if (c.dependent != orig && c.score >= INFINITY) colocatedResources(c.dependent, orig, out);
    }
  }

  /**
   * The colocations of clones with the clone r (a clone's list is fixed once the colocations are set up): kept,
   * as thousands of domUs may depend on one clone and every resource's colocated set passes through it.
   */
  private static List<Coloc> cloneDependents(Rsc r) {
    if (r.cloneDependents == null || r.cloneDependentsOf != r.withThis.size()) {
      List<Coloc> out = new ArrayList<>();
      for (Coloc c : r.withThis) if (c.dependent.isClone()) out.add(c);
      r.cloneDependents = out;
      r.cloneDependentsOf = r.withThis.size();
    }
    return r.cloneDependents;
  }

  private void assignBest(Rsc r, Node prefer) {
    Node mostFree = banInsufficientCapacity(r);
    if (prefer == null) prefer = mostFree;
    Node current = r.currentNode();
    Scores allowed = r.allowed;
    Node best = first(allowed, byScore(allowed, current));
    Node chosen = null;
    if (prefer != null && best != null && allowed.contains(prefer)) {
      int w = allowed.get(prefer, -INFINITY);
      if (w >= allowed.get(best, -INFINITY) && prefer.available() && w >= 0) chosen = prefer;
    }
    if (chosen == null && best != null) {
      chosen = best;
      int bestScore = allowed.get(best, -INFINITY);
      // the current node when it ties with the best one (the nodes sorted first have the best score)
      if (!r.inClone() && bestScore > 0 && best.available() && current != null && current.available()
          && allowed.get(current, -INFINITY) == bestScore) {
        chosen = current;
      }
    }
    assignTo(r, chosen, false);
  }

  /**
   * The node a stable sort of the table by order puts first: found by a scan, except under the balanced strategy,
   * whose comparison of free capacity is not transitive, where the table is sorted.
   */
  private Node first(Scores table, Comparator<Node> order) {
    if (strategy.equals("balanced")) {
      List<Node> sorted = table.nodes();
      sorted.sort(order);
      return sorted.isEmpty() ? null : sorted.get(0);
    }
    Node best = null;
    for (int i = 0; i < table.size(); i++) {
      Node n = table.node(i);
      if (best == null || order.compare(n, best) < 0) best = n;
    }
    return best;
  }

  /** Nodes by descending score (unavailable nodes count as -INFINITY), then fewer resources, current node, name. */
  private Comparator<Node> byScore(Scores allowed, Node active) {
    Comparator<Node> tie = nodeComparator(active);
    return (a, b) -> {
      int wa = a.available() ? allowed.get(a, -INFINITY) : -INFINITY;
      int wb = b.available() ? allowed.get(b, -INFINITY) : -INFINITY;
      if (wa != wb) return wa > wb ? -1 : 1;
      return tie.compare(a, b);
    };
  }

  private Comparator<Node> nodeComparator(Node active) {
    return (a, b) -> {
      if (!strategy.equals("minimal")) {
        if (strategy.equals("balanced")) {
          int c = compareCapacity(a, b);
          if (c != 0) return c;
        }
        if (a.numResources != b.numResources) return a.numResources < b.numResources ? -1 : 1;
        if (active != null) {
          if (active == a) return -1;
          if (active == b) return 1;
        }
      }
      return a.uname.compareTo(b.uname);
    };
  }

  /** Balanced: the node with more spare capacity (counted per utilization key) first. */
  private int compareCapacity(Node a, Node b) {
    int result = 0;
    for (String k : a.capacity.keySet()) result += capacityOrder(a, b, k);
    for (String k : b.capacity.keySet()) if (!a.capacity.containsKey(k)) result += capacityOrder(a, b, k);
    return result;
  }

  private int capacityOrder(Node a, Node b, String key) {
    int k = utilizationKeys.get(key);
    int fa = free[a.index][k];
    int fb = free[b.index][k];
    return fa > fb ? -1 : fa < fb ? 1 : 0;
  }

  private void assignTo(Rsc r, Node chosen, boolean force) {
    if (!force && chosen != null) {
      int w = r.allowed.get(chosen, -INFINITY);
      if (w < 0 || !chosen.available()) chosen = null;
    }
    r.provisional = false;
    if (chosen == null) {
      r.assigned = null;
      if (r.nextRole == Role.UNKNOWN || !force) {
        if (r.nextRole != Role.STOPPED && !(force && !r.managed)) r.nextRole = Role.STOPPED;
      }
      return;
    }
    r.assigned = chosen;
    chosen.numResources++;
    use(chosen, r, 1);
  }

  // ----- clones

  private Node assignClone(Rsc c) {
    if (!c.provisional) return null;
    if (c.allocating) return null;
    c.allocating = true;
    for (Coloc co : c.thisWith) if (co.score != 0 && co.primary.provisional) assign(co.primary, null);
    for (Coloc co : c.withThis) {
      if (co.score == 0 || !hasInfluence(co, null)) continue;
      c.allowed = colocatedScores(co.dependent, c.allowed, co.score / (float) INFINITY, false, true);
    }
    c.children.sort(this::compareInstances);
    distribute(c);
    c.provisional = false;
    c.allocating = false;
    return null;
  }

  /**
   * The order instances are assigned in (Pacemaker's pcmk__cmp_instance): less multiply active first, then not
   * active where the instance is no longer allowed, active, on an available node, not failed (a member counts),
   * higher score on the current node.
   */
  private int compareInstances(Rsc a, Rsc b) {
    Node na = currentNode(a);
    Node nb = currentNode(b);
    if (na != null && nb != null) {
      int ca = activeCount(a);
      int cb = activeCount(b);
      if (ca != cb) return ca < cb ? -1 : 1;
    }
    // an instance active on a node it may no longer run on counts as inactive, after the others
    boolean allowedA = na == null || a.allowed.get(na, -1) >= 0;
    boolean allowedB = nb == null || b.allowed.get(nb, -1) >= 0;
    if (allowedA != allowedB) return allowedA ? -1 : 1;
    if (!allowedA) na = null;
    if (!allowedB) nb = null;
    boolean ra = na != null;
    boolean rb = nb != null;
    if (!ra && !rb) return 0;
    if (ra != rb) return ra ? -1 : 1;
    boolean aa = na.available();
    boolean ab = nb.available();
    if (aa != ab) return aa ? -1 : 1;
    boolean fa = a.primitives().stream().anyMatch(p -> p.failed);
    boolean fb = b.primitives().stream().anyMatch(p -> p.failed);
    if (fa != fb) return fa ? 1 : -1;
    int wa = a.top().allowed.get(na, -INFINITY);
    int wb = b.top().allowed.get(nb, -INFINITY);
    if (wa != wb) return wa > wb ? -1 : 1;
    return 0;
  }

  private static int activeCount(Rsc inst) {
    Set<Node> s = new HashSet<>();
    for (Rsc p : inst.primitives()) s.addAll(p.runningOn);
    return s.size();
  }

  private void distribute(Rsc clone) {
    Map<Node, Integer> count = new HashMap<>();
    int available = 0;
    for (int i = 0; i < clone.allowed.size(); i++) if (clone.allowed.node(i).available()) available++;
    int max = clone.cloneMax;
    boolean allColoc = max < available;
    int loopMax = available > 0 ? Math.max(1, max / available) : 1;
    int allocated = 0;
    for (Rsc child : clone.children) {
      if (allocated >= max) break;
      if (child.orphan) continue;
      appendParentColocations(clone, child, allColoc);
      Node pref = preferredNode(clone, child, loopMax, count);
      if (pref != null && assignInstance(clone, child, pref, count)) allocated++;
    }
    for (Rsc child : clone.children) {
      if (!child.provisional) continue;
      if (allocated >= max || child.orphan) {
        banInstance(child);
        assignAllStopped(child);
      } else if (assignInstance(clone, child, null, count)) {
        allocated++;
      }
    }
  }

  private void appendParentColocations(Rsc clone, Rsc child, boolean all) {
    for (Rsc target : List.of(child)) {
      for (Coloc c : clone.thisWith) {
        if (all || c.score < 0 || c.score == INFINITY) addColocTo(target, c, true);
      }
      for (Coloc c : clone.withThis) {
        if (!hasInfluence(c, child)) continue;
        if (all || c.score < 0) addColocTo(target, c, false);
      }
    }
  }

  private static void addColocTo(Rsc target, Coloc c, boolean thisWith) {
    if (thisWith && target.isGroup() && !target.children.isEmpty() && Math.abs(c.score) >= INFINITY) {
      // a cloned group: as for a group's own colocations, members after an unmanaged one get it themselves
      boolean anyUnmanaged = !target.children.get(0).managed;
      for (int i = 1; i < target.children.size(); i++) {
        Rsc member = target.children.get(i);
        if (anyUnmanaged) {
          if (member.inherited.add(c)) member.thisWith.add(0, c);
        } else if (!member.managed) {
          anyUnmanaged = true;
        }
      }
    }
    Rsc r = target.isGroup() && !target.children.isEmpty()
        ? (thisWith ? target.children.get(0) : last(target.children)) : target;
    if (r.inherited.add(c)) (thisWith ? r.thisWith : r.withThis).add(c);
  }

  private Node preferredNode(Rsc clone, Rsc child, int optimal, Map<Node, Integer> count) {
    if (!child.provisional) return null;
    Node n = currentNode(child);
    if (n == null) return null;
    // only an instance that failed itself is not kept where it is (a cloned group's member failing is not enough)
    if (child.failed) return null;
    if (!n.available() || clone.allowed.get(n, -INFINITY) < 0) return null;
    if (count.getOrDefault(n, 0) >= optimal) return null;
    return n;
  }

  private boolean assignInstance(Rsc clone, Rsc child, Node prefer, Map<Node, Integer> count) {
    if (!child.provisional) return instanceNode(child) != null;
    if (prefer != null) {
      if (child.allowed.get(prefer, -1) < 0) return false;
    }
    for (Node n : child.allowed.nodes()) {
      if (!canRunInstance(clone, n, count)) score(child, n, -INFINITY);
    }
    for (Node n : nodes) {
      if (!child.allowed.contains(n)) continue;
      if (!canRunInstance(clone, n, count)) setScore(child, n, -INFINITY);
    }
    Node chosen;
    if (prefer == null) {
      chosen = assign(child, null);
    } else {
      Map<Rsc, Scores> backup = snapshotAllowed(child);
      chosen = assign(child, prefer);
      if (chosen != null && chosen != prefer) {
        restoreAllowed(backup);
        unassign(child);
        chosen = null;
      }
    }
    if (chosen != null) count.merge(chosen, 1, Integer::sum);
    return chosen != null;
  }

  private boolean canRunInstance(Rsc clone, Node n, Map<Node, Integer> count) {
    if (!n.available()) return false;
    if (clone.allowed.get(n, -1) < 0) return false;
    return count.getOrDefault(n, 0) < clone.cloneNodeMax;
  }

  private static void setScore(Rsc r, Node n, int s) {
    for (Rsc c : r.children) setScore(c, n, s);
    r.allowed.replace(n, s);
  }

  private static Map<Rsc, Scores> snapshotAllowed(Rsc r) {
    Map<Rsc, Scores> out = new HashMap<>();
    out.put(r, r.allowed.copy());
    for (Rsc c : r.children) out.putAll(snapshotAllowed(c));
    return out;
  }

  private static void restoreAllowed(Map<Rsc, Scores> backup) {
    for (Map.Entry<Rsc, Scores> e : backup.entrySet()) e.getKey().allowed = e.getValue();
  }

  private void unassign(Rsc r) {
    for (Rsc c : r.children) unassign(c);
    if (r.assigned != null && r.isPrimitive()) {
      r.assigned.numResources--;
      use(r.assigned, r, -1);
    }
    r.assigned = null;
    r.provisional = true;
    if (r.nextRole == Role.STOPPED && r.meta.get("target-role") == null) r.nextRole = Role.UNKNOWN;
  }

  private static void banInstance(Rsc r) {
    for (Rsc c : r.children) banInstance(c);
    r.allowed.fill(-INFINITY);
  }

  private void assignAllStopped(Rsc r) {
    for (Rsc c : r.children) assignAllStopped(c);
    if (r.provisional) {
      r.provisional = false;
      r.assigned = null;
      r.nextRole = Role.STOPPED;
    }
  }

  // ===================================================================== actions

  private Action action(Rsc rsc, String task, Node node, boolean optional) {
    Map<String, List<Action>> index = rsc == null ? actionIndex : rsc.actionsByTask;
    List<Action> same = index.computeIfAbsent(task, k -> new ArrayList<>());
    for (Action a : same) {
      if (a.node == node) {
        if (!optional) a.optional = false;
        return a;
      }
    }
    Action a = new Action(actions.size(), rsc, task, node, optional);
    actions.add(a);
    same.add(a);
    if (rsc != null) {
      rsc.actions.add(a);
      if (!rsc.isPrimitive()) {
        a.pseudo = true;
      } else {
        updateRunnable(a);
      }
    }
    return a;
  }

  private void updateRunnable(Action a) {
    Rsc rsc = a.rsc;
    // stops never wait for quorum or fencing
    boolean needsNothing = a.task.equals("stop");
    if (a.pseudo) return;
    if (a.node == null) {
      a.runnable = false;
    } else if (!rsc.managed) {
      a.optional = true;
      if (a.task.equals("stop") || a.task.equals("start")) a.runnable = a.node.online;
    } else if (!a.node.online) {
      a.runnable = false;
    } else if (a.node.pending) {
      a.runnable = false;
    } else if (needsNothing || !rsc.requiresFencing && !needsQuorum(rsc)) {
      a.runnable = true;
    } else if (!in.haveQuorum && (noQuorumPolicy.equals("stop") || noQuorumPolicy.equals("suicide"))) {
      a.runnable = false;
      a.setReason("no quorum", true);
    } else if (!in.haveQuorum && noQuorumPolicy.equals("freeze")) {
      if (!isActive(rsc) || rsc.nextRole.compareTo(rsc.role) > 0) {
        a.runnable = false;
        a.setReason("quorum freeze", true);
      }
    }
  }

  private static boolean needsQuorum(Rsc rsc) {
    String requires = rsc.meta.get("requires");
    return requires == null || !requires.equals("nothing");
  }

  /** The role a resource is in now (Pacemaker's state function): a collective's is its highest member's. */
  private static Role currentRole(Rsc r) {
    if (r.isPrimitive()) return r.role;
    Role max = Role.STOPPED;
    for (Rsc c : r.children) if (currentRole(c).compareTo(max) > 0) max = currentRole(c);
    return max;
  }

  private static boolean isActive(Rsc r) {
    if (r.isPrimitive()) return !r.runningOn.isEmpty();
    for (Rsc c : r.children) if (isActive(c)) return true;
    return false;
  }

  private Action find(Rsc rsc, String task, Node node) {
    return on(findAll(rsc, task), node);
  }

  /** The first of actions on node (on any node when node is null). */
  private static Action on(List<Action> actions, Node node) {
    for (int i = 0; i < actions.size(); i++) if (node == null || actions.get(i).node == node) return actions.get(i);
    return null;
  }

  private List<Action> findAll(Rsc rsc, String task) {
    return rsc.actionsByTask.getOrDefault(task, List.of());
  }

  private void createActions(Rsc r) {
    switch (r.variant) {
      case PRIMITIVE:
        primitiveActions(r);
        break;
      case GROUP: {
        for (Rsc c : r.children) createActions(c);
        pseudo(r, "start", true);
        pseudo(r, "running", true);
        pseudo(r, "stop", true);
        pseudo(r, "stopped", true);
        break;
      }
      case CLONE: {
        boolean starting = false;
        boolean stopping = false;
        boolean active = false;
        // what follows the clone may migrate unless an instance restarts (stops and starts)
        boolean allowDependentMigrations = true;
        for (Rsc c : r.children) {
          createActions(c);
          boolean childStarting = false;
          boolean childStopping = false;
          for (Rsc p : c.primitives()) {
            if (!p.runningOn.isEmpty()) active = true;
            for (Action a : p.actions) {
              if (a.optional || !a.runnable && !a.pseudo) continue;
              if (a.task.equals("stop")) childStopping = true;
              if (a.task.equals("start") && a.runnable) childStarting = true;
            }
          }
          if (childStarting && childStopping) allowDependentMigrations = false;
          starting |= childStarting;
          stopping |= childStopping;
        }
        pseudo(r, "start", !starting);
        Action running = pseudo(r, "running", !starting);
        running.runnable = active || starting;
        if (r.notify) {
          // with notifications, what follows the clone waits for the post-start notifications ("notified")
          Action notified = pseudo(r, "notified", !starting);
          notified.runnable = running.runnable;
        }
        pseudo(r, "stop", !stopping).migrateRunnable = allowDependentMigrations;
        pseudo(r, "stopped", !stopping);
        break;
      }
      default:
    }
  }

  private Action pseudo(Rsc r, String task, boolean optional) {
    Action a = action(r, task, null, optional);
    a.pseudo = true;
    return a;
  }

  private void primitiveActions(Rsc r) {
    if (r.nextRole == Role.UNKNOWN) r.nextRole = r.assigned == null ? Role.STOPPED : Role.STARTED;
    // running with other parameters than configured: stop (and so restart) it there
    if (r.managed) {
      for (Node n : r.definitionChanged) {
        // the stop itself carries no reason (Pacemaker gives it to a start without a node, not shown in the summary)
        if (n.online && r.runningOn.contains(n)) action(r, "stop", n, false);
      }
      for (Node n : r.plainRestart) {
        if (n.online && r.runningOn.contains(n)) action(r, "stop", n, false).setReason(null, true);
      }
    }
    Node current = r.currentNode();
    boolean needStop = false;
    boolean moving = false;
    boolean allowMigrate = false;
    int allActive = r.runningOn.size();
    int cleanActive = 0;
    for (Node n : r.runningOn) if (!n.unclean) cleanActive++;
    if (current != null && r.assigned != null && current != r.assigned && r.nextRole == Role.STARTED) {
      moving = true;
      allowMigrate = canMigrate(r, current);
      needStop = true;
    }
    boolean multiply;
    if (r.partialSource != null && r.partialTarget != null && allowMigrate && allActive == 2
        && current == r.partialSource && r.assigned == r.partialTarget) {
      multiply = false;
    } else if (r.partialSource != null || r.partialTarget != null) {
      needStop = true;
      r.partialSource = null;
      r.partialTarget = null;
      allowMigrate = false;
      multiply = false;
    } else {
      multiply = r.requiresFencing ? allActive > 1 : cleanActive > 1;
    }
    boolean stopUnexpected = false;
    if (multiply) {
      if (r.recovery.equals("stop_start") || r.recovery.equals("stop_only")) needStop = true;
      else if (r.recovery.equals("stop_unexpected")) {
        needStop = true;
        stopUnexpected = true;
      }
    }
    if (r.startPending && r.assigned != null) {
      action(r, "start", r.assigned, true);
    }
    if (!moving) {
      if (r.failed) {
        if (r.needsStop) needStop = true;
      } else if (r.blocked) {
        needStop = true;
      }
    }
    // restart: down to stopped on the current node(s), up to the current role on the assigned node
    if (r.role == Role.STARTED) {
      stopResource(r, !needStop, true, stopUnexpected);
      if (r.role.compareTo(r.nextRole) <= 0 && !r.blocked) startResource(r, r.assigned, !needStop);
    }
    // role transition
    if (r.role != r.nextRole) {
      if (r.nextRole == Role.STOPPED) stopResource(r, false, false, false);
      else startResource(r, r.assigned, false);
    }
    if (allowMigrate) migrationActions(r, current);
    // the start of a resource active nowhere waits for its probes; one on a pending node cannot run
    if (r.parent == null && r.runningOn.isEmpty() && !r.orphan && unprobedOnPendingNode(r)) {
      for (Action a : findAll(r, "start")) a.runnable = false;
    }
  }

  /** A node that is up but pending (not yet a full member) where the resource's state is unknown. */
  private boolean unprobedOnPendingNode(Rsc r) {
    if (!in.flag("enable-startup-probes", true)) return false;
    for (Node n : nodes) if (n.online && n.pending && !n.unclean && !r.knownOn.contains(n)) return true;
    return false;
  }

  private boolean canMigrate(Rsc r, Node current) {
    if (!r.allowMigrate) return false;
    if (r.failed) return false;
    if (r.startPending) return false;
    if (current.unclean || !current.online) return false;
    return true;
  }

  private void stopResource(Rsc r, boolean optional, boolean restarting, boolean stopUnexpected) {
    for (Node current : r.runningOn) {
      boolean opt = optional;
      if (r.partialTarget != null) {
        if (r.partialTarget == current && r.assigned == r.partialTarget) continue;
        opt = false;
      }
      if (stopUnexpected && current == r.assigned) continue;
      Action stop = action(r, "stop", current, opt);
      if (r.assigned == null) stop.setReason("node availability", true);
      else if (restarting && stopUnexpected) stop.setReason("being multiply active", true);
      if (!r.managed) stop.runnable = false;
    }
  }

  private void startResource(Rsc r, Node node, boolean optional) {
    Action start = action(r, "start", node, optional);
    // Pacemaker forces the start itself on a definition change: it carries the reason (shown on a Restart)
    if (r.managed && !r.plainRestart.isEmpty()) start.setReason(null, true);
    else if (r.managed && !r.definitionChanged.isEmpty()) start.setReason("resource definition change", false);
    if (start.runnable && !optional) r.startPending = false;
  }

  private void migrationActions(Rsc r, Node current) {
    Action start = action(r, "start", r.assigned, true);
    Action stop = action(r, "stop", current, true);
    Action migrateTo = r.partialTarget == null ? action(r, "migrate_to", current, true) : null;
    Action migrateFrom = action(r, "migrate_from", r.assigned, true);
    start.migrateRunnable = true;
    stop.migrateRunnable = true;
    start.pseudo = true;
    migrateFrom.migrateRunnable = true;
    if (migrateTo != null) {
      migrateTo.migrateRunnable = true;
      pendingOrders.add(() -> order(migrateTo, migrateFrom, OPTIONAL | IMPLIES_FIRST_MIGRATABLE));
    }
    pendingOrders.add(() -> order(migrateFrom, stop, OPTIONAL | IMPLIES_FIRST_MIGRATABLE));
    pendingOrders.add(() -> order(migrateFrom, start, OPTIONAL | IMPLIES_FIRST_MIGRATABLE | PSEUDO_LEFT));
  }

  // ===================================================================== orderings

  private Ordering order(Action first, Action then, int flags) {
    if (first == null || then == null || first == then) return null;
    Ordering existing = then.beforeByFirst.get(first);
    if (existing != null) {
      // Both count. Pacemaker 2.1.5 drops a second ordering of the same two actions that shares a flag with the
      // first; every constraint ordering has "optional", so an optional order listed before a mandatory one of the
      // same pair silently disables the mandatory one. xenha keeps the mandatory order (docs/scheduler.md).
      existing.flags |= flags;
      return existing;
    }
    Ordering o = new Ordering(first, then, flags);
    then.beforeByFirst.put(first, o);
    // appended here, reversed once every ordering exists: the newest is evaluated first, as Pacemaker prepends them
    then.before.add(o);
    first.after.add(o);
    return o;
  }

  /** Orders task of first resource before task of then resource (all matching actions of each). */
  private void orderRsc(Rsc first, String firstTask, Rsc then, String thenTask, int flags) {
    if (!first.isPrimitive() && then != null && !isAncestor(first, then)) firstTask = remapFirst(first, firstTask);
    List<Action> firsts = new ArrayList<>(findAll(first, firstTask));
    if (firsts.isEmpty()) {
      if (first == then) return;
      // no stop to order after when the resource's role is stopped (even if a migration left it active somewhere)
      if (firstTask.equals("stop") && currentRole(first) == Role.STOPPED) return;
      firsts.add(action(first, firstTask, null, true));
    }
    List<Action> thens = new ArrayList<>(findAll(then, thenTask));
    if (thens.isEmpty()) return;
    for (Action f : firsts) for (Action t : thens) order(f, t, flags);
  }

  private void internalOrderings(Rsc r) {
    switch (r.variant) {
      case PRIMITIVE:
        orderRsc(r, "stop", r, "start", OPTIONAL | IMPLIES_THEN | RESTART);
        break;
      case GROUP: {
        orderRsc(r, "stopped", r, "start", OPTIONAL);
        orderRsc(r, "start", r, "running", RUNNABLE_LEFT);
        orderRsc(r, "stop", r, "stopped", RUNNABLE_LEFT);
        Rsc prev = null;
        for (Rsc m : r.children) {
          internalOrderings(m);
          int stop = 0;
          int stopped = 0;
          int start = IMPLIES_THEN | RUNNABLE_LEFT;
          int started = RUNNABLE_LEFT | IMPLIES_THEN;
          if (prev == null && r.ordered) {
            stop |= OPTIONAL;
            stopped = IMPLIES_THEN;
          }
          orderRsc(r, "stop", m, "stop", stop);
          orderRsc(m, "stop", r, "stopped", stopped);
          orderRsc(m, "start", r, "running", started);
          if (!r.ordered) {
            orderRsc(r, "start", m, "start", start);
          } else if (prev != null) {
            orderRsc(prev, "start", m, "start", start);
            orderRsc(m, "stop", prev, "stop", OPTIONAL | RESTART);
          } else {
            orderRsc(r, "start", m, "start", 0);
          }
          prev = m;
        }
        if (r.ordered && prev != null) orderRsc(r, "stop", prev, "stop", OPTIONAL);
        break;
      }
      case CLONE: {
        orderRsc(r, "stopped", r, "start", OPTIONAL);
        orderRsc(r, "start", r, "running", RUNNABLE_LEFT);
        orderRsc(r, "stop", r, "stopped", RUNNABLE_LEFT);
        for (Rsc c : r.children) {
          internalOrderings(c);
          orderRsc(r, "start", c, "start", RUNNABLE_LEFT);
          orderRsc(c, c.isPrimitive() ? "start" : "running", r, "running", 0);
          orderRsc(r, "stop", c, "stop", 0);
          orderRsc(c, c.isPrimitive() ? "stop" : "stopped", r, "stopped", 0);
        }
        if (r.notify) orderRsc(r, "running", r, "notified", IMPLIES_THEN | RUNNABLE_LEFT);
        break;
      }
      default:
    }
  }

  private static boolean isAncestor(Rsc ancestor, Rsc r) {
    for (Rsc p = r; p != null; p = p.parent) if (p == ancestor) return true;
    return false;
  }

  private static String remapFirst(Rsc r, String task) {
    if (r.isPrimitive()) return task;
    switch (task) {
      case "start": return r.isClone() && r.notify && r.parent == null ? "notified" : "running";
      case "stop": return "stopped";
      default: return task;
    }
  }

  private static String inverse(String task) {
    switch (task) {
      case "start": return "stop";
      case "stop": return "start";
      case "promote": return "demote";
      case "demote": return "promote";
      default: return task;
    }
  }

  private void constraintOrderings() {
    for (Input.Order o : in.orders) pendingOrders.add(() -> constraintOrdering(o));
  }

  private void constraintOrdering(Input.Order o) {
    {
      String kind = o.kind();
      int flags = flagsFor(kind, o.firstAction(), o.symmetrical() ? 0 : 1);
      int minRequired = 0;
      if (o.first().isClone()) {
        if (!o.requireAll()) minRequired = 1;
        else if (o.first().cloneMin > 0) minRequired = o.first().cloneMin;
      }
      if (minRequired > 0 && kind.equals("mandatory")) {
        Action pseudo = action(null, "clone-one-or-more:" + o.id(), null, true);
        pseudo.pseudo = true;
        pseudo.requiresAny = true;
        pseudo.requiredRunnableBefore = minRequired;
        for (Rsc inst : o.first().children) {
          for (Action a : findAll(inst, inst.isPrimitive() ? o.firstAction() : remapFirst(inst, o.firstAction()))) {
            order(a, pseudo, ONE_OR_MORE);
          }
        }
        for (Action t : findAll(o.then(), o.thenAction())) order(pseudo, t, flags);
      } else {
        orderConstraint(o.first(), o.firstAction(), o.then(), o.thenAction(), flags);
      }
      if (o.symmetrical() && !kind.equals("serialize")) {
        int inv = flagsFor(kind, inverse(o.thenAction()), 2);
        orderConstraint(o.then(), inverse(o.thenAction()), o.first(), inverse(o.firstAction()), inv);
      }
    }
  }

  private void orderConstraint(Rsc first, String firstTask, Rsc then, String thenTask, int flags) {
    if (then.isClone() && first.isClone() && then.interleave) {
      // interleaved: each instance of then after the instance of first on the same node (by where they run for
      // a stop, by where they are assigned otherwise); an instance without one cannot be active
      boolean byCurrent = firstTask.equals("stop") || firstTask.equals("demote");
      for (Rsc ti : then.children) {
        Node n = byCurrent ? currentNode(ti) : instanceNode(ti);
        if (n == null) continue;
        Rsc fi = null;
        for (Rsc c : first.children) {
          if ((byCurrent ? currentNode(c) : instanceNode(c)) == n) {
            fi = c;
            break;
          }
        }
        if (fi == null) {
          if ((flags & (RUNNABLE_LEFT | IMPLIES_THEN)) != 0) inhibit(ti);
          continue;
        }
        orderRsc(fi, firstTask, ti, thenTask, flags);
      }
      return;
    }
    orderRsc(first, firstTask, then, thenTask, flags);
  }

  /** An instance that cannot be active after all (Pacemaker's "Inhibiting X from being active"). */
  private void inhibit(Rsc r) {
    for (Rsc c : r.children) inhibit(c);
    if (r.assigned != null && r.isPrimitive()) {
      r.assigned.numResources--;
      use(r.assigned, r, -1);
    }
    r.assigned = null;
    r.nextRole = Role.STOPPED;
    for (Action a : r.actions) {
      if (a.task.equals("start")) {
        a.runnable = false;
        a.optional = true;
      }
    }
  }

  /** Pacemaker's ordering_flags_for_kind; symmetry 0 symmetric, 1 asymmetric, 2 the inverse of a symmetric one. */
  private static int flagsFor(String kind, String firstTask, int symmetry) {
    int flags = OPTIONAL;
    switch (kind) {
      case "optional":
        break;
      case "serialize":
        flags |= SERIALIZE;
        break;
      default:
        if (symmetry == 1) {
          flags |= ASYMMETRICAL;
        } else if (symmetry == 0) {
          flags |= IMPLIES_THEN;
          if (firstTask.equals("start") || firstTask.equals("promote")) flags |= RUNNABLE_LEFT;
        } else {
          flags |= IMPLIES_FIRST;
        }
    }
    return flags;
  }

  // ===================================================================== fencing

  private boolean canFence(Node n) {
    if (!stonithEnabled || !haveStonithResource) return false;
    if (in.haveQuorum || noQuorumPolicy.equals("ignore")) return true;
    return n.online;
  }

  private void scheduleFencing() {
    boolean haveManaged = false;
    for (Rsc r : resources) for (Rsc p : r.primitives()) if (p.managed) haveManaged = true;
    List<Node> order = new ArrayList<>(in.fenceReasons.keySet());
    for (Node n : nodes) if (n.unclean && !order.contains(n)) order.add(n);
    for (Node n : order) {
      if (!n.unclean) continue;
      if (haveManaged && canFence(n)) {
        Action f = action(null, "stonith-" + n.uname, n, false);
        f.setReason(n.fenceReason == null ? "node is unclean" : n.fenceReason, false);
        fenceOps.put(n, f);
      }
    }
    // Stops on a fenced node are implied by the fence (ordered after it when the resource needs fencing); the
    // fence does not make them required: a stop stays optional when the resource stays where it runs cleanly.
    for (Action a : new ArrayList<>(actions)) {
      if (a.rsc == null || a.node == null || !a.rsc.isPrimitive()) continue;
      if (a.task.equals("stop") && a.node.unclean) {
        Action f = fenceOps.get(a.node);
        if (f != null) {
          a.pseudo = true;
          a.runnable = true;
          if (a.rsc.requiresFencing) order(f, a, OPTIONAL);
        }
      }
    }
    // Starts of resources that require fencing wait for the fencing of nodes they were active on.
    for (Rsc r : resources) {
      for (Rsc p : r.primitives()) {
        if (!p.requiresFencing) continue;
        for (Node n : p.runningOn) {
          Action f = fenceOps.get(n);
          if (f == null) continue;
          for (Action s : findAll(p, "start")) order(f, s, OPTIONAL);
        }
      }
    }
  }

  // ===================================================================== propagation

  private static final int UPDATED_FIRST = 1;
  private static final int UPDATED_THEN = 2;
  private int depth;

  /** Pacemaker's update loop: every action, newest first, re-evaluated against its orderings until stable. */
  private void propagate() {
    for (Action a : actions) {
      java.util.Collections.reverse(a.before);
      java.util.Collections.reverse(a.after);
    }
    for (int i = actions.size() - 1; i >= 0; i--) update(actions.get(i));
  }

  private record Flags(boolean optional, boolean runnable, boolean migrateRunnable) {
    /** The eight possible values, shared (the update loop asks for flags millions of times on large clusters). */
    private static final Flags[] ALL = new Flags[8];

    static {
      for (int i = 0; i < 8; i++) ALL[i] = new Flags((i & 1) != 0, (i & 2) != 0, (i & 4) != 0);
    }

    static Flags of(boolean optional, boolean runnable, boolean migrateRunnable) {
      return ALL[(optional ? 1 : 0) | (runnable ? 2 : 0) | (migrateRunnable ? 4 : 0)];
    }
  }

  private static Flags flags(Action a) {
    return Flags.of(a.optional, a.runnable, a.migrateRunnable);
  }

  private void update(Action then) {
    depth++;
    try {
      int changed = 0;
      Flags last = flags(then);
      if (then.requiresAny) {
        then.runnableBefore = 0;
        if (then.requiredRunnableBefore == 0) then.requiredRunnableBefore = 1;
        then.runnable = false;
      }
      // a group's start stands for its members' starts: its node is where the group is placed
      Node thenNode = then.rsc != null && then.rsc.isGroup() && then.task.equals("start") ? location(then.rsc) : then.node;
      for (Ordering o : new ArrayList<>(then.before)) {
        if (o.flags == 0) continue;
        Action first = o.first;
        changed &= ~UPDATED_FIRST;
        // only a clone's flags are read per node (a group's, or a cloned group instance's, are its members' anywhere)
        Flags ff = flagsForOrdering(first, first.rsc != null && first.rsc.isGroup() ? null : thenNode);
        // a group's or clone's then reads its members first, as Pacemaker does for both ends of an ordering: what that
        // changes on it (required, unrunnable) is no change brought by this ordering
        if (then.rsc != null && !then.rsc.isPrimitive()) flagsForOrdering(then, null);
        changed |= updateForFlags(first, then, ff, o.flags);
        if ((changed & UPDATED_FIRST) != 0) {
          for (Ordering o2 : new ArrayList<>(first.after)) update(o2.then);
          update(first);
        }
      }
      if (then.requiresAny) {
        if (last.equals(flags(then))) changed &= ~UPDATED_THEN;
        else changed |= UPDATED_THEN;
      }
      if ((changed & UPDATED_THEN) != 0) {
        if (last.runnable() && !then.runnable) blockColocationDependents(then);
        update(then);
        for (Ordering o : new ArrayList<>(then.after)) update(o.then);
        collectiveChanged(then);
      }
    } finally {
      depth--;
    }
  }

  /** The one node every primitive of r is assigned to, or null (none, or several). */
  private static Node location(Rsc r) {
    Node one = null;
    for (Rsc p : r.primitives()) {
      if (p.assigned == null) continue;
      if (one != null && one != p.assigned) return null;
      one = p.assigned;
    }
    return one;
  }

  /**
   * A start that became unrunnable: when no instance of the whole resource can start, whatever is mandatorily
   * colocated with it cannot start either (Pacemaker's pcmk__block_colocation_dependents).
   */
  private void blockColocationDependents(Action action) {
    if (action.rsc == null || action.runnable || !action.task.equals("start")) return;
    Rsc rsc = action.rsc.top();
    if (!rsc.isPrimitive()) {
      for (Rsc c : rsc.children) {
        Action ca = firstOf(findAll(c, action.task));
        if (ca == null || ca.runnable) return;
      }
    }
    List<Coloc> with = new ArrayList<>(rsc.withThis);
    if (rsc.isGroup() && !rsc.children.isEmpty()) with.addAll(last(rsc.children).withThis);
    for (Coloc c : with) {
      if (c.score < INFINITY) continue;
      markBlocked(c.dependent, "start", action.rsc);
    }
  }

  private void markBlocked(Rsc rsc, String task, Rsc reason) {
    for (Action a : new ArrayList<>(rsc.actions)) {
      if (!a.task.equals(task) || !a.runnable) continue;
      a.runnable = false;
      a.setReason("colocation with " + reason.id, false);
      blockColocationDependents(a);
      update(a);
    }
    for (Rsc c : rsc.children) markBlocked(c, task, reason);
  }

  /**
   * A member's action feeds its group's or clone's summary flags: what is ordered after the collective reads them
   * again (Pacemaker gets there through its global update loop).
   */
  private void collectiveChanged(Action a) {
    if (a.rsc == null || a.rsc.parent == null) return;
    String collective = a.task.equals("start") ? "running" : a.task.equals("stop") ? "stopped" : null;
    if (collective == null) return;
    for (Rsc p = a.rsc.parent; p != null; p = p.parent) {
      List<Action> summaries = new ArrayList<>(findAll(p, collective));
      if (collective.equals("running")) summaries.addAll(findAll(p, "notified"));
      for (Action pa : summaries) for (Ordering o : new ArrayList<>(pa.after)) update(o.then);
    }
  }

  /**
   * The flags an action shows to an ordering: a group's or clone's pseudo action summarises its members' actions
   * (Pacemaker's action_flags methods); a primitive's are its own.
   */
  private Flags flagsForOrdering(Action a, Node otherNode) {
    if (a.rsc == null || a.rsc.isPrimitive()) return flags(a);
    String childTask = switch (a.task) {
      case "running", "notified" -> "start";
      case "stopped" -> "stop";
      default -> a.task;
    };
    boolean optional = true;
    boolean runnable = true;
    if (a.rsc.isGroup()) {
      for (Rsc c : a.rsc.children) {
        // read on the other action's node when asked for a clone's instance (otherwise any node)
        List<Action> own = findAll(c, c.isPrimitive() ? childTask : a.task);
        Action ca = c.isPrimitive() && otherNode != null ? on(own, otherNode) : firstOf(own);
        if (ca != null) {
          Flags cf = flagsForOrdering(ca, otherNode);
          if (!cf.optional()) {
            optional = false;
            a.optional = false;
          }
          // the summary actions (running, stopped) cannot run when a member's action cannot; the group's own start
          // or stop does not depend on its members'
          if (!childTask.equals(a.task) && !cf.runnable()) {
            runnable = false;
            a.runnable = false;
          }
        } else if (!childTask.equals("stop")) {
          // a member that will not do it: the group's flags say unrunnable, the action itself is left as it is
          runnable = false;
        }
      }
      return Flags.of(optional, runnable, a.migrateRunnable);
    }
    // clone: required when an instance's action on the other action's node is (runnable when one is anywhere)
    boolean anyRunnable = false;
    boolean checkRunnable = childTask.equals("start");
    for (Rsc c : a.rsc.children) {
      List<Action> own = findAll(c, c.isPrimitive() ? childTask : a.task);
      Action any = firstOf(own);
      Action ca = c.isPrimitive() && otherNode != null ? on(own, otherNode) : any;
      // a primitive's flags are its action's own (asking changes nothing): one runnable instance is enough
      if (any != null && !(anyRunnable && c.isPrimitive()) && flagsForOrdering(any, null).runnable()) anyRunnable = true;
      if (ca == null) continue;
      boolean caOptional = c.isPrimitive() ? ca.optional : flagsForOrdering(ca, otherNode).optional();
      if (!caOptional) {
        optional = false;
        if (otherNode == null) a.optional = false;
      }
    }
    if (checkRunnable && !anyRunnable) {
      runnable = false;
      if (otherNode == null) a.runnable = false;
    }
    return Flags.of(optional, runnable, a.migrateRunnable);
  }

  /** Pacemaker's update_action_for_ordering_flags. */
  private int updateForFlags(Action first, Action then, Flags ff, int type) {
    int changed = 0;
    if ((type & IMPLIES_THEN) != 0) {
      if (then.rsc != null) {
        changed |= rscUpdate(then.rsc, first, then, ff, true, false, IMPLIES_THEN);
      } else if (!ff.optional() && then.optional) {
        then.optional = false;
        changed |= UPDATED_THEN;
      }
    }
    if ((type & RESTART) != 0 && then.rsc != null) {
      changed |= rscUpdate(then.rsc, first, then, ff, true, true, RESTART);
    }
    if ((type & IMPLIES_FIRST) != 0) {
      if (first.rsc != null) {
        changed |= rscUpdate(first.rsc, first, then, ff, true, false, IMPLIES_FIRST);
      } else if (!ff.optional() && first.runnable) {
        first.runnable = false;
        changed |= UPDATED_FIRST;
      }
    }
    if ((type & IMPLIES_FIRST_MIGRATABLE) != 0 && then.rsc != null) {
      changed |= rscUpdate(then.rsc, first, then, ff, true, false, IMPLIES_FIRST_MIGRATABLE);
    }
    if ((type & PSEUDO_LEFT) != 0 && then.rsc != null) {
      changed |= rscUpdate(then.rsc, first, then, ff, true, false, PSEUDO_LEFT);
    }
    if ((type & ONE_OR_MORE) != 0) {
      if (then.rsc != null) {
        changed |= rscUpdate(then.rsc, first, then, ff, false, true, ONE_OR_MORE);
      } else if (ff.runnable()) {
        then.runnableBefore++;
        if (then.runnableBefore >= then.requiredRunnableBefore && !then.runnable) {
          then.runnable = true;
          changed |= UPDATED_THEN;
        }
      }
    }
    if ((type & RUNNABLE_LEFT) != 0) {
      if (then.rsc != null) {
        changed |= rscUpdate(then.rsc, first, then, ff, false, true, RUNNABLE_LEFT);
      } else if (!ff.runnable() && then.runnable) {
        then.runnable = false;
        changed |= UPDATED_THEN;
      }
    }
    if ((type & ASYMMETRICAL) != 0 && then.rsc != null) {
      changed |= rscUpdate(then.rsc, first, then, ff, false, true, ASYMMETRICAL);
    }
    if ((type & (IMPLIES_THEN | IMPLIES_FIRST | RESTART)) != 0 && first.rsc != null && !first.rsc.managed
        && first.rsc.blocked && !first.runnable && first.task.equals("stop")) {
      if (then.runnable) {
        then.runnable = false;
        changed |= UPDATED_THEN;
      }
    }
    return changed;
  }

  /**
   * A resource's update_ordered_actions: the ordering applied to the pair, and for a group or clone also to the
   * members' actions of the same task (so a member's reason names the real cause).
   */
  private int rscUpdate(Rsc rsc, Action first, Action then, Flags ff, boolean filterOptional,
      boolean filterRunnable, int type) {
    int changed = updateOrdered(first, then, ff, filterOptional, filterRunnable, type);
    if (rsc == then.rsc && !rsc.isPrimitive() && then.rsc == rsc) {
      for (Rsc c : rsc.children) {
        Action ca = firstOf(findAll(c, then.task));
        if (ca == null) continue;
        if (rsc.isClone() && !flagsForOrdering(ca, null).runnable()) continue;
        changed |= rscUpdate(c, first, ca, ff, filterOptional, filterRunnable, type);
      }
    }
    return changed;
  }

  /** Pacemaker's pcmk__update_ordered_actions. */
  private int updateOrdered(Action first, Action then, Flags ff, boolean filterOptional, boolean filterRunnable,
      int type) {
    Flags thenBefore = flags(then);
    Flags firstBefore = flags(first);
    if ((type & ASYMMETRICAL) != 0) asymmetric(first, then);
    if ((type & IMPLIES_FIRST) != 0 && !thenBefore.optional()) {
      // as Pacemaker: only when first's ordering flags (a collective's summary) say required but first is not
      if (filterOptional && !ff.optional() && firstBefore.optional()) clearOptional(first, then);
      if (ff.migrateRunnable() && !then.migrateRunnable) clearMigrate(first, then);
    }
    if ((type & IMPLIES_FIRST_MIGRATABLE) != 0 && filterOptional) {
      if (!(then.migrateRunnable && then.runnable)) clearRunnable(first, then);
      if (!then.optional) clearOptional(first, then);
    }
    if ((type & PSEUDO_LEFT) != 0 && filterOptional && !first.runnable) {
      clearMigrate(then, first);
      then.pseudo = false;
    }
    if ((type & RUNNABLE_LEFT) != 0 && filterRunnable && then.runnable && !ff.runnable()) {
      clearRunnable(then, first);
      clearMigrate(then, first);
    }
    if ((type & IMPLIES_THEN) != 0 && filterOptional && then.optional && !ff.optional() && !first.migrateRunnable) {
      clearOptional(then, first);
    }
    if ((type & RESTART) != 0) restartOrdering(first, then, filterOptional, filterRunnable);
    int changed = 0;
    if (!thenBefore.equals(flags(then))) changed |= UPDATED_THEN;
    if (!firstBefore.equals(flags(first))) changed |= UPDATED_FIRST;
    if ((changed & UPDATED_THEN) != 0 && then.rsc != null && then.rsc.parent != null) {
      update(then);
      collectiveChanged(then);
    }
    return changed;
  }

  private void asymmetric(Action first, Action then) {
    if (then.rsc == null || first.runnable) return;
    if (then.optional) {
      Rsc tr = then.rsc;
      if (!isActive(tr) && then.task.equals("stop")) return;
      if (isActive(tr) && then.task.equals("start") && tr.isPrimitive() && tr.runningOn.size() == 1
          && tr.runningOn.get(0) == then.node) {
        return;
      }
    }
    clearOptional(then, first);
    clearRunnable(then, first);
  }

  private void restartOrdering(Action first, Action then, boolean filterOptional, boolean filterRunnable) {
    if (first.rsc == null || then.rsc == null || !first.rsc.isPrimitive() || !then.rsc.isPrimitive()) return;
    String reason = null;
    if (filterOptional && !then.optional) reason = "restart";
    if (filterRunnable && !then.runnable && then.rsc.managed && first.rsc == then.rsc) reason = "stop";
    if (reason == null) return;
    if (first.runnable) clearOptional(first, then);
    if (!then.optional) clearOptional(first, then);
    if (!then.migrateRunnable) clearMigrate(first, then);
    if (!first.optional && !first.runnable) clearRunnable(then, first);
  }

  private static final String DEBUG = System.getenv("XENHA_ENGINE_DEBUG");

  private static void debug(String what, Action a, Action because) {
    if (DEBUG != null && (a.rsc == null ? a.task : a.rsc.id + "_" + a.task).equals(DEBUG)) {
      System.err.println("[engine] " + what + " " + a + " because " + because);
    }
  }

  private static void clearOptional(Action a, Action because) {
    if (!a.optional) return;
    debug("required", a, because);
    a.optional = false;
    if (a.rsc != because.rsc) a.setReason(reasonText("required", because), false);
  }

  private static void clearRunnable(Action a, Action because) {
    if (!a.runnable) return;
    debug("unrunnable", a, because);
    a.runnable = false;
    if (a.rsc != because.rsc) a.setReason(reasonText("unrunnable", because), false);
  }

  private static void clearMigrate(Action a, Action because) {
    if (!a.migrateRunnable) return;
    a.migrateRunnable = false;
    if (a.rsc != because.rsc) a.setReason(reasonText("unrunnable", because), true);
  }

  private static String reasonText(String change, Action because) {
    return change + (because.rsc == null ? "" : " " + because.rsc.id) + " " + because.task;
  }

  // ===================================================================== summary

  private List<String> summary() {
    List<String[]> items = new ArrayList<>();
    // Pacemaker prepends every new action to its list, so node actions print newest first.
    List<Action> fences = new ArrayList<>(fenceOps.values());
    java.util.Collections.reverse(fences);
    for (Action f : fences) {
      if (f.optional) continue;
      items.add(new String[] {"FENCE", "Fence (" + stonithAction + ") " + f.node.uname + " '" + f.reason + "'"});
    }
    for (Rsc r : resources) for (Rsc p : outputOrder(r)) rscAction(p, items);
    // crm_simulate pads the columns to the widest id and detail of the run
    int rscWidth = 5;
    int detailWidth = 5;
    for (String[] it : items) {
      if (it[0].equals("FENCE")) continue;
      if (it[2].length() > rscWidth) rscWidth = it[2].length() + 2;
      if (it[3].length() > detailWidth) detailWidth = it[3].length();
    }
    List<String> lines = new ArrayList<>();
    for (String[] it : items) {
      if (it[0].equals("FENCE")) {
        lines.add("  * " + it[1]);
      } else {
        String s = String.format("  * %-8s   %-" + rscWidth + "s   ( %" + detailWidth + "s )", it[1], it[2], it[3]);
        lines.add(it[4] == null ? s : s + "  " + it[4]);
      }
    }
    return lines;
  }

  /** Primitives in configuration order; a clone's instances by instance number. */
  private static List<Rsc> outputOrder(Rsc r) {
    if (!r.isClone()) return r.primitives();
    List<Rsc> instances = new ArrayList<>(r.children);
    instances.sort(Comparator.comparingInt(PolicyEngine::instanceNumber));
    List<Rsc> out = new ArrayList<>();
    for (Rsc i : instances) out.addAll(i.primitives());
    return out;
  }

  private static int instanceNumber(Rsc r) {
    int colon = r.id.lastIndexOf(':');
    try {
      return colon < 0 ? 0 : Integer.parseInt(r.id.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private void rscAction(Rsc rsc, List<String[]> out) {
    Node current = rsc.currentNode();
    Node next = rsc.assigned;
    if (!rsc.managed || (current == null && next == null)) return;
    boolean moving = current != null && next != null && current != next;
    Action start = next == null ? firstOf(findAll(rsc, "start")) : find(rsc, "start", next);
    if (next == null && start != null && start.node != null) start = null;
    Node startNode = start == null || !start.runnable ? null : current;
    Action stop = startNode == null ? firstOf(findAll(rsc, "stop")) : find(rsc, "stop", startNode);
    if (stop == null && "stop_unexpected".equals(rsc.recovery)) stop = firstOf(findAll(rsc, "stop"));
    Role role = rsc.role;
    // active somewhere with a stopped role (a migration's other end): shown as a recovery of what runs
    if (!rsc.runningOn.isEmpty() && role == Role.STOPPED) role = Role.STARTED;
    Role nextRole = rsc.nextRole;
    if (role == nextRole) {
      if (next == null) return;
      Action migrateFrom = find(rsc, "migrate_from", next);
      if (migrateFrom != null && current != null && migrateFrom.runnable) {
        item(out, "Migrate", rsc, current, next, start, null);
      } else if (reloads(rsc)) {
        item(out, "Reload", rsc, current, next, start, null);
      } else if (start == null || start.optional) {
        return;
      } else if (!start.runnable) {
        item(out, "Stop", rsc, current, null, stop, stop != null && stop.reason != null ? stop : start);
      } else if (moving && current != null) {
        item(out, rsc.failed ? "Recover" : "Move", rsc, current, next, stop, null);
      } else if (rsc.failed) {
        item(out, "Recover", rsc, current, null, stop, null);
      } else {
        item(out, "Restart", rsc, current, next, start, null);
      }
      return;
    }
    if (stop != null && (nextRole == Role.STOPPED || start != null && !start.runnable)) {
      for (Node n : rsc.runningOn) {
        Action stopOp = find(rsc, "stop", n);
        item(out, "Stop", rsc, n, null, stopOp, stopOp != null && stopOp.reason != null ? stopOp : start);
      }
    } else if (stop != null && rsc.failed && rsc.needsStop) {
      item(out, "Recover", rsc, current, next, stop, start);
    } else if (moving) {
      item(out, "Move", rsc, current, next, stop, null);
    } else if (stop != null && !stop.optional) {
      item(out, "Restart", rsc, current, next, start, null);
    } else if (role == Role.STOPPED && nextRole.compareTo(Role.STOPPED) > 0) {
      if (next != null) item(out, "Start", rsc, current, next, start, null);
    }
  }

  /**
   * A reload of changed reloadable parameters (Pacemaker's schedule_reload): not for an unmanaged, failed or
   * start-pending resource, and cancelled when a stop on that node is required anyway (it restarts instead).
   */
  private boolean reloads(Rsc rsc) {
    if (!rsc.managed || rsc.failed || rsc.startPending) return false;
    for (Node n : rsc.reloadOn) {
      if (!rsc.runningOn.contains(n)) continue;
      Action stop = find(rsc, "stop", n);
      if (stop == null || stop.optional) return true;
    }
    return false;
  }

  private static Action firstOf(List<Action> l) {
    return l.isEmpty() ? null : l.get(0);
  }

  private static void item(List<String[]> out, String change, Rsc rsc, Node origin, Node destination, Action action,
      Action source) {
    if (origin == null && destination == null) return;
    if (source == null) source = action;
    String details;
    if (origin == null) {
      details = destination.uname;
    } else if (destination == null) {
      details = origin.uname;
    } else if (origin == destination) {
      details = origin.uname;
    } else {
      details = origin.uname + " -> " + destination.uname;
    }
    boolean runnable = action == null || action.runnable;
    String reason = null;
    String sourceReason = source == null ? null : source.reason;
    if (sourceReason != null && !runnable) reason = "due to " + sourceReason + " (blocked)";
    else if (sourceReason != null) reason = "due to " + sourceReason;
    else if (!runnable) reason = "blocked";
    out.add(new String[] {"RSC", change, rsc.id, details, reason});
  }
}
