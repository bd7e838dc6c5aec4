package io.xenha.scheduler.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's working set, mutable while one transition is computed (Pacemaker's pe_working_set_t): nodes,
 * resources (primitives, groups, anonymous clones), their allowed-node scores, colocations, actions and orderings.
 * Built by an input reader (a CIB, or xenha's own configuration and state), consumed by {@link PolicyEngine}.
 */
public final class Model {
  public static final int INFINITY = 1_000_000;

  /** Roles; only the ordering (stopped below started) matters. */
  public enum Role { UNKNOWN, STOPPED, STARTED }

  public enum Variant { PRIMITIVE, GROUP, CLONE }

  /** A dom0 (a cluster node). */
  public static final class Node {
    public final String id;
    public final String uname;
    public boolean online;
    public boolean unclean;
    public boolean standby;
    public boolean pending;
    public boolean shutdown;
    public boolean maintenance;
    public boolean expectedUp;
    public boolean unseen;
    /** The reason given when the node was found unclean (the fence line's reason). */
    public String fenceReason;
    public final Map<String, String> attributes = new HashMap<>();
    public final Map<String, Integer> capacity = new LinkedHashMap<>();
    public int numResources;
    /** The node's position in the engine's node list (set by the engine; indexes {@link Scores}). */
    int index = -1;

    public Node(String id, String uname) {
      this.id = id;
      this.uname = uname;
      attributes.put("#uname", uname);
      attributes.put("#id", id);
    }

    /** Can run resources (Pacemaker's pcmk__node_available without the score). */
    public boolean available() {
      return online && !shutdown && !unclean && !standby && !maintenance;
    }

    @Override
    public String toString() {
      return uname;
    }
  }

  /**
   * A resource's allowed nodes with their scores (Pacemaker's allowed_nodes): ints indexed by node index rather
   * than a map of boxed scores (the engine keeps one table per resource and copies them often), iterated in the
   * order nodes were first scored, as the insertion-ordered map it replaces was.
   */
  public static final class Scores {
    private static final int ABSENT = Integer.MIN_VALUE;
    private final List<Node> nodes;
    /** By node index; ABSENT where the node is not in the table. */
    private final int[] score;
    /** Node indexes in the order they were first scored; the first size are used. */
    private final int[] order;
    private int size;

    /** An empty table over nodes, the engine's node list (each node's index is its position there). */
    Scores(List<Node> nodes) {
      this.nodes = nodes;
      this.score = new int[nodes.size()];
      this.order = new int[nodes.size()];
      Arrays.fill(score, ABSENT);
    }

    private Scores(Scores from) {
      this.nodes = from.nodes;
      this.score = from.score.clone();
      this.order = from.order.clone();
      this.size = from.size;
    }

    public Scores copy() {
      return new Scores(this);
    }

    public int size() {
      return size;
    }

    /** The i-th node in the table's order. */
    public Node node(int i) {
      return nodes.get(order[i]);
    }

    /** The score of the i-th node in the table's order. */
    public int scoreAt(int i) {
      return score[order[i]];
    }

    public void setAt(int i, int value) {
      score[order[i]] = value;
    }

    public boolean contains(Node n) {
      return score[n.index] != ABSENT;
    }

    /** The node's score, or dflt when it is not in the table. */
    public int get(Node n, int dflt) {
      int s = score[n.index];
      return s == ABSENT ? dflt : s;
    }

    /** Sets the node's score, adding the node at the end when it is not in the table yet. */
    public void put(Node n, int value) {
      if (score[n.index] == ABSENT) order[size++] = n.index;
      score[n.index] = value;
    }

    /** Adds to the node's score (Pacemaker's score arithmetic), adding the node when it is not in the table yet. */
    public void add(Node n, int value) {
      int s = score[n.index];
      put(n, s == ABSENT ? value : Values.add(s, value));
    }

    /** Sets the node's score when the node is in the table. */
    public void replace(Node n, int value) {
      if (score[n.index] != ABSENT) score[n.index] = value;
    }

    /** Sets every score in the table to value. */
    public void fill(int value) {
      for (int i = 0; i < size; i++) score[order[i]] = value;
    }

    /** The nodes in the table's order. */
    public List<Node> nodes() {
      List<Node> out = new ArrayList<>(size);
      for (int i = 0; i < size; i++) out.add(nodes.get(order[i]));
      return out;
    }
  }

  /** A colocation: dependent is placed relative to primary. */
  public static final class Coloc {
    public final String id;
    public final Rsc dependent;
    public final Rsc primary;
    public final int score;
    public final String nodeAttribute;
    public final boolean influence;

    public Coloc(String id, Rsc dependent, Rsc primary, int score, String nodeAttribute, boolean influence) {
      this.id = id;
      this.dependent = dependent;
      this.primary = primary;
      this.score = score;
      this.nodeAttribute = nodeAttribute;
      this.influence = influence;
    }
  }

  /** A resource: a primitive, a group or a clone; instances of a clone are its children. */
  public static final class Rsc {
    public final String id;
    public final Variant variant;
    public Rsc parent;
    public final List<Rsc> children = new ArrayList<>();
    public final Map<String, String> meta = new HashMap<>();
    public final Map<String, String> params = new LinkedHashMap<>();
    public final Map<String, Integer> utilization = new LinkedHashMap<>();
    /** The utilization by the engine's key numbers (set up by the engine). */
    int[] load;
    public String cls;
    public String provider;
    public String type;
    /** The id without an instance suffix (for clone instances "rsc:N" this is "rsc"). */
    public String baseId;

    public int priority;
    public int stickiness;
    public int migrationThreshold = INFINITY;
    public long failureTimeout;
    public boolean managed = true;
    public boolean orphan;
    public boolean failed;
    /** A failure that needs a stop (Pacemaker's pe_rsc_stop). */
    public boolean needsStop;
    public boolean blocked;
    public boolean unique = true;
    public boolean fenceDevice;
    public boolean allowMigrate;
    public boolean critical = true;
    public boolean startPending;
    public boolean requiresFencing = true;
    public boolean failureIgnored;
    public String recovery = "stop_start";

    public Role role = Role.STOPPED;
    public Role nextRole = Role.UNKNOWN;
    public final List<Node> runningOn = new ArrayList<>();
    /** The node a pending stop or failure left it on, used only for clone instance numbering. */
    public Node pendingNode;
    /** The allowed nodes and their scores (set up by the engine). */
    public Scores allowed;
    public Node assigned;
    public boolean provisional = true;
    public boolean allocating;
    public boolean merging;
    public final List<Coloc> thisWith = new ArrayList<>();
    public final List<Coloc> withThis = new ArrayList<>();
    /** Of a clone: the colocations of other clones with it, and the size of withThis they were read from. */
    List<Coloc> cloneDependents;
    int cloneDependentsOf = -1;
    /** Colocations a clone instance took over from its clone (kept once). */
    public final java.util.Set<Coloc> inherited = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    public Node partialSource;
    public Node partialTarget;
    public final List<Node> dangling = new ArrayList<>();
    /** Nodes where its state is known from the operation history (no probe needed there). */
    public final java.util.Set<Node> knownOn = new java.util.HashSet<>();
    public final Map<Node, Integer> failCount = new HashMap<>();
    /** Nodes where the agent reported a hard error (not installed, insufficient privileges, ...): banned there. */
    public final java.util.Set<Node> hardErrors = new java.util.LinkedHashSet<>();
    /** The agent reported the resource not configured: banned everywhere. */
    public boolean fatalError;
    /** Nodes where it runs with parameters other than the configured ones: restarted there. */
    public final java.util.Set<Node> definitionChanged = new java.util.LinkedHashSet<>();
    /**
     * Nodes where it is restarted without a reason shown: its history ran another agent (class, provider, type),
     * or a reload was due while its start is pending.
     */
    public final java.util.Set<Node> plainRestart = new java.util.LinkedHashSet<>();
    /** Nodes where only reloadable parameters changed: the agent reloads them unless a restart happens anyway. */
    public final java.util.Set<Node> reloadOn = new java.util.LinkedHashSet<>();
    /** A migration whose target went away: the resource must be recovered, not migrated. */
    public boolean migrationBroken;
    public final List<Action> actions = new ArrayList<>();
    /** The actions by task (an index of actions). */
    public final Map<String, List<Action>> actionsByTask = new HashMap<>();

    // clone
    public int cloneMax;
    public int cloneNodeMax = 1;
    public int cloneMin;
    public boolean interleave;
    public boolean notify;
    // group
    public boolean ordered = true;
    public boolean colocated = true;

    public Rsc(String id, Variant variant) {
      this.id = id;
      this.variant = variant;
      this.baseId = id;
    }

    public boolean isClone() {
      return variant == Variant.CLONE;
    }

    public boolean isGroup() {
      return variant == Variant.GROUP;
    }

    public boolean isPrimitive() {
      return variant == Variant.PRIMITIVE;
    }

    public Rsc top() {
      Rsc r = this;
      while (r.parent != null) r = r.parent;
      return r;
    }

    /** True when this resource is an instance of a clone (directly, or a member of a cloned group instance). */
    public boolean inClone() {
      for (Rsc r = parent; r != null; r = r.parent) if (r.isClone()) return true;
      return false;
    }

    /**
     * Where it runs: the source of a partial migration; for a resource that does not need fencing the first clean
     * node it is active on (it is not considered active on unclean ones); else the first node it was found on.
     */
    public Node currentNode() {
      if (partialSource != null) {
        if (runningOn.contains(partialSource)) return partialSource;
      } else if (!requiresFencing) {
        for (Node n : runningOn) if (n.online && !n.unclean) return n;
      }
      return runningOn.isEmpty() ? null : runningOn.get(0);
    }

    /** Every primitive at or below this resource, in order. */
    public List<Rsc> primitives() {
      List<Rsc> out = new ArrayList<>();
      collect(this, out);
      return out;
    }

    private static void collect(Rsc r, List<Rsc> out) {
      if (r.isPrimitive()) out.add(r);
      else for (Rsc c : r.children) collect(c, out);
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** Ordering flags (Pacemaker's enum pe_ordering, the ones the engine uses). */
  public static final int OPTIONAL = 1;
  public static final int IMPLIES_THEN = 1 << 1;
  public static final int IMPLIES_FIRST = 1 << 2;
  public static final int RUNNABLE_LEFT = 1 << 3;
  public static final int RESTART = 1 << 4;
  public static final int ONE_OR_MORE = 1 << 5;
  public static final int ASYMMETRICAL = 1 << 6;
  public static final int SERIALIZE = 1 << 7;
  public static final int SAME_NODE = 1 << 8;
  public static final int IMPLIES_FIRST_MIGRATABLE = 1 << 9;
  public static final int PSEUDO_LEFT = 1 << 10;

  /** One edge: first before then. */
  public static final class Ordering {
    public final Action first;
    public final Action then;
    public int flags;

    Ordering(Action first, Action then, int flags) {
      this.first = first;
      this.then = then;
      this.flags = flags;
    }
  }

  /** An action of the transition (start, stop, migrate_to, migrate_from, a pseudo action, a fence). */
  public static final class Action {
    public final int id;
    public final Rsc rsc;
    public final String task;
    public final Node node;
    public boolean optional;
    public boolean runnable = true;
    public boolean pseudo;
    public boolean migrateRunnable;
    public boolean requiresAny;
    public int requiredRunnableBefore;
    public int runnableBefore;
    public String reason;
    public final List<Ordering> before = new ArrayList<>();
    /** The orderings in before, by their first action (one ordering per pair). */
    final Map<Action, Ordering> beforeByFirst = new java.util.IdentityHashMap<>();
    public final List<Ordering> after = new ArrayList<>();

    Action(int id, Rsc rsc, String task, Node node, boolean optional) {
      this.id = id;
      this.rsc = rsc;
      this.task = task;
      this.node = node;
      this.optional = optional;
    }

    public void setReason(String text, boolean overwrite) {
      if (reason == null || overwrite) reason = text;
    }

    @Override
    public String toString() {
      return (rsc == null ? "" : rsc.id + "_") + task + (node == null ? "" : " on " + node.uname)
          + (optional ? " optional" : " required") + (runnable ? "" : " unrunnable");
    }
  }
}
