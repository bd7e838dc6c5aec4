package io.xenha.scheduler.engine;

import io.xenha.config.Rule;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.ColocationConstraint;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.ClusterSnapshot;
import io.xenha.scheduler.NodeState;
import io.xenha.scheduler.ResourceState;
import io.xenha.scheduler.engine.Input.Expr;
import io.xenha.scheduler.engine.Input.RuleNode;
import io.xenha.scheduler.engine.Model.Node;
import io.xenha.scheduler.engine.Model.Role;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.Model.Variant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the engine's {@link Input} from xenha's own configuration and the Controller's view of the cluster (a
 * {@link ClusterSnapshot}), the way {@link CibInput} builds it from a Pacemaker CIB.
 */
public final class ConfigInput {
  /** The fence reason of an UNCLEAN node: it left the membership without saying goodbye. */
  public static final String FENCE_REASON = "peer is no longer part of the cluster";
  /**
   * Id of a stopped fence device added when stonith-enabled but none is configured: xenha still starts resources
   * then (Pacemaker would not) and still plans fences, which fail until a device exists.
   */
  public static final String NO_DEVICE = "#xenha-no-fence-device";

  private final ClusterSnapshot snapshot;
  private final XenhaConfig config;
  private final ClusterProperties props;
  private final Input in = new Input();
  private final Map<String, Node> byName = new LinkedHashMap<>();

  private ConfigInput(ClusterSnapshot snapshot) {
    this.snapshot = snapshot;
    this.config = snapshot.config();
    this.props = config.properties();
  }

  public static Input read(ClusterSnapshot snapshot) {
    ConfigInput r = new ConfigInput(snapshot);
    r.readAll();
    return r.in;
  }

  private void readAll() {
    properties();
    if (snapshot.now() > 0) in.now = snapshot.now();
    nodes();
    for (ResourceSpec spec : config.resources().values()) {
      if (spec.group() != null && config.resources().containsKey(spec.group())) continue; // built with its group
      Rsc r = spec.isClone() ? clone(spec) : spec.isGroup() ? group(spec, null, "") : primitive(spec, null, "");
      in.resources.add(r);
    }
    unlimitedCapacity();
    if (props.stonithEnabled() && config.resources().values().stream().noneMatch(ResourceSpec::isStonith)) {
      Rsc none = new Rsc(NO_DEVICE, Variant.PRIMITIVE);
      none.cls = "stonith";
      none.type = "none";
      none.fenceDevice = true;
      none.requiresFencing = false;
      none.meta.put("target-role", "Stopped");
      none.nextRole = Role.STOPPED;
      in.resources.add(none);
    }
    locations();
    orders();
    colocations();
  }

  private void properties() {
    Map<String, String> p = in.properties;
    p.put("stonith-enabled", String.valueOf(props.stonithEnabled()));
    p.put("stonith-action", props.stonithAction());
    p.put("no-quorum-policy", props.noQuorumPolicy());
    p.put("symmetric-cluster", String.valueOf(props.symmetricCluster()));
    p.put("placement-strategy", props.placementStrategy() == null ? "default" : props.placementStrategy());
    p.put("default-resource-stickiness", String.valueOf(props.defaultResourceStickiness()));
    p.put("startup-fencing", String.valueOf(props.startupFencing()));
    p.put("maintenance-mode", String.valueOf(props.maintenanceMode()));
    p.put("start-failure-is-fatal", String.valueOf(props.startFailureIsFatal()));
    p.put("stop-orphan-resources", String.valueOf(props.stopOrphanResources()));
    p.put("migration-limit", String.valueOf(props.migrationLimit()));
    p.put("concurrent-fencing", String.valueOf(props.concurrentFencing()));
    if (props.batchLimit() > 0) p.put("batch-limit", String.valueOf(props.batchLimit()));
    // quorum is the Controller's business: it does not plan without it (docs/scheduler.md)
    in.haveQuorum = true;
  }

  // ---- nodes

  /** Nodes whose capacity is neither configured nor reported. */
  private final List<Node> unknownCapacity = new ArrayList<>();

  /**
   * A node without configured utilization whose hypervisor has not reported its capacity yet is not limited: it
   * gets an unbounded capacity for every utilization a resource declares, so the utilization strategies still
   * spread resources but never ban a node for want of a number.
   */
  private void unlimitedCapacity() {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    for (Rsc top : in.resources) for (Rsc p : top.primitives()) keys.addAll(p.utilization.keySet());
    for (Node n : unknownCapacity) for (String k : keys) n.capacity.put(k, Integer.MAX_VALUE / 4);
  }

  private void nodes() {
    List<Node> sorted = new ArrayList<>();
    for (NodeSpec spec : config.nodes().values()) {
      Node n = new Node(spec.name(), spec.name());
      n.attributes.putAll(spec.attributes());
      n.attributes.put("#is_dc", "false");
      Map<String, String> live = snapshot.attributes().get(spec.name());
      if (live != null) n.attributes.putAll(live);
      n.attributes.put("#uname", spec.name());
      n.attributes.put("#id", spec.name());
      // configured values win; what the hypervisor reports (libvirt's node info) fills in the rest
      Map<String, Long> reported = snapshot.capacity().getOrDefault(spec.name(), Map.of());
      for (Map.Entry<String, Long> u : reported.entrySet()) n.capacity.put(u.getKey(), clamp(u.getValue()));
      for (Map.Entry<String, Long> u : spec.utilization().entrySet()) n.capacity.put(u.getKey(), clamp(u.getValue()));
      if (n.capacity.isEmpty()) unknownCapacity.add(n);
      switch (snapshot.node(spec.name())) {
        case ONLINE:
          n.online = true;
          n.expectedUp = true;
          break;
        case STANDBY:
          n.online = true;
          n.expectedUp = true;
          n.standby = true;
          break;
        case UNCLEAN:
          // Without fencing the Controller only reports UNCLEAN once the self-fence deadline has passed.
          if (props.stonithEnabled()) {
            n.unclean = true;
            n.fenceReason = FENCE_REASON;
          }
          break;
        default:
      }
      if (n.online && (spec.standby() || Values.isTrue(n.attributes.get("standby")))) n.standby = true;
      if (n.online && Values.isTrue(n.attributes.get("maintenance"))) n.maintenance = true;
      if ("true".equalsIgnoreCase(n.attributes.get("#is_dc"))) in.dcUname = n.uname;
      byName.put(n.uname, n);
      sorted.add(n);
    }
    sorted.sort((a, b) -> CibInput.compareNames(a.uname, b.uname));
    in.nodes.addAll(sorted);
    for (Node n : sorted) if (n.unclean) in.fenceReasons.put(n, n.fenceReason);
  }

  /** The nodes a resource may still be active on: members, and unclean nodes until they are fenced. */
  private List<Node> live(Set<String> activeOn) {
    List<Node> out = new ArrayList<>();
    for (Node n : in.nodes) if (activeOn.contains(n.uname) && (n.online || n.unclean)) out.add(n);
    return out;
  }

  // ---- resources

  private Rsc primitive(ResourceSpec spec, Rsc parent, String suffix) {
    Rsc r = new Rsc(spec.id() + suffix, Variant.PRIMITIVE);
    r.baseId = spec.id();
    r.parent = parent;
    switch (spec.type()) {
      case "stonith":
        r.cls = "stonith";
        r.type = spec.agent();
        break;
      case "ocf": {
        r.cls = "ocf";
        String agent = spec.agent() == null ? "" : spec.agent();
        int colon = agent.indexOf(':');
        r.provider = colon < 0 ? null : agent.substring(0, colon);
        r.type = colon < 0 ? agent : agent.substring(colon + 1);
        break;
      }
      case "builtin":
        r.cls = "xenha";
        r.type = spec.agent() != null && spec.agent().startsWith("builtin:") ? spec.agent().substring(8) : spec.agent();
        break;
      default:
        r.cls = "xenha";
        r.type = "domain";
    }
    if (spec.params() != null) r.params.putAll(new java.util.TreeMap<>(spec.params()));
    for (Map.Entry<String, Long> u : spec.utilization().entrySet()) r.utilization.put(u.getKey(), clamp(u.getValue()));
    meta(r, spec, parent);
    r.fenceDevice = spec.isStonith();
    String requires = spec.requires() != null ? spec.requires()
        : r.fenceDevice || !props.stonithEnabled() ? "quorum" : "fencing";
    r.meta.put("requires", requires);
    r.requiresFencing = requires.equals("fencing") || requires.equals("unfencing");
    r.allowMigrate = spec.allowMigrate();
    r.recovery = spec.multipleActive() == null ? "stop_start" : spec.multipleActive();
    r.meta.put("multiple-active", r.recovery);
    if (r.allowMigrate) r.meta.put("allow-migrate", "true");
    register(r);
    // a clone's instances get their state from the clone (instances numbered in clone())
    if (parent == null || !parent.inClone() && !parent.isClone()) state(r, spec, snapshot.resource(spec.id()).activeOn());
    return r;
  }

  private Rsc group(ResourceSpec spec, Rsc parent, String suffix) {
    Rsc g = new Rsc(spec.id() + suffix, Variant.GROUP);
    g.baseId = spec.id();
    g.parent = parent;
    meta(g, spec, parent);
    g.ordered = spec.ordered();
    g.colocated = spec.collocated();
    g.meta.put("ordered", String.valueOf(g.ordered));
    g.meta.put("collocated", String.valueOf(g.colocated));
    register(g);
    for (String m : spec.members()) {
      ResourceSpec member = config.resources().get(m);
      if (member != null) g.children.add(primitive(member, g, suffix));
    }
    return g;
  }

  /**
   * A clone set: cloneMax instances "ID:N" (more when the snapshot reports higher numbers running), each running
   * where the snapshot's instance numbers say; active nodes without numbers get the lowest free ones in node order.
   */
  private Rsc clone(ResourceSpec spec) {
    XenhaConfig.Clone cs = spec.cloneSet();
    Rsc c = new Rsc(spec.id(), Variant.CLONE);
    c.meta.put("clone-max", String.valueOf(cs.cloneMax()));
    c.meta.put("clone-node-max", String.valueOf(cs.cloneNodeMax()));
    c.meta.put("clone-min", String.valueOf(cs.cloneMin()));
    c.meta.put("interleave", String.valueOf(cs.interleave()));
    c.meta.put("notify", String.valueOf(cs.notifyEnabled()));
    meta(c, spec, null);
    if (spec.stickiness() == null && props.defaultResourceStickiness() == 0) {
      // Pacemaker's default for clones, unless rsc_defaults say otherwise
      c.meta.put("resource-stickiness", "1");
      c.stickiness = 1;
    }
    c.cloneMax = cs.cloneMax();
    c.cloneNodeMax = cs.cloneNodeMax();
    c.cloneMin = cs.cloneMin();
    c.interleave = cs.interleave();
    c.notify = cs.notifyEnabled();
    c.unique = false;
    register(c);
    Map<Integer, String> running = instanceNumbers(spec);
    int count = c.cloneMax;
    for (int k : running.keySet()) count = Math.max(count, k + 1);
    for (int k = 0; k < count; k++) {
      Rsc inst = spec.isGroup() ? group(spec, c, ":" + k) : primitive(spec, c, ":" + k);
      c.children.add(inst);
      String node = running.get(k);
      for (Rsc p : inst.primitives()) {
        ResourceSpec ps = config.resources().get(p.baseId);
        ResourceState st = snapshot.resource(p.baseId);
        // a cloned group's member runs where the snapshot says it does, else where its instance does
        Set<String> on = node == null ? Set.of() : spec.isGroup() && !st.activeOn().isEmpty()
            ? (st.activeOn().contains(node) ? Set.of(node) : Set.of()) : Set.of(node);
        state(p, ps, on);
      }
    }
    return c;
  }

  /** Instance number -> node of a clone's running instances (see {@link #clone}). */
  private Map<Integer, String> instanceNumbers(ResourceSpec spec) {
    Set<String> activeOn = new HashSet<>(snapshot.resource(spec.id()).activeOn());
    Map<String, List<Integer>> known = new LinkedHashMap<>(snapshot.resource(spec.id()).instances());
    if (spec.isGroup()) {
      for (String m : spec.members()) {
        ResourceState st = snapshot.resource(m);
        activeOn.addAll(st.activeOn());
        st.instances().forEach(known::putIfAbsent);
      }
    }
    Map<Integer, String> out = new LinkedHashMap<>();
    Set<Integer> taken = new TreeSet<>();
    List<Node> active = live(activeOn);
    List<Node> unnumbered = new ArrayList<>();
    for (Node n : active) {
      boolean any = false;
      for (int k : new TreeSet<>(known.getOrDefault(n.uname, List.of()))) {
        if (k >= 0 && taken.add(k)) {
          out.put(k, n.uname);
          any = true;
        }
      }
      if (!any) unnumbered.add(n);
    }
    for (Node n : unnumbered) {
      int k = 0;
      while (taken.contains(k)) k++;
      taken.add(k);
      out.put(k, n.uname);
    }
    return out;
  }

  private void register(Rsc r) {
    in.byId.putIfAbsent(r.id, r);
    in.byId.putIfAbsent(r.baseId, r);
  }

  /** Meta attributes as Pacemaker resolves them: the resource's own, else its parent's, else the cluster's. */
  /** A resource's failure-timeout: its own, else its group's or clone's (parent, may be null), else the property. */
  public static Duration failureTimeout(ResourceSpec spec, ResourceSpec parent, ClusterProperties props) {
    return spec.failureTimeout() != null ? spec.failureTimeout()
        : parent != null && parent.failureTimeout() != null ? parent.failureTimeout() : props.failureTimeout();
  }

  private void meta(Rsc r, ResourceSpec spec, Rsc parent) {
    ResourceSpec parentSpec = parent == null ? null : config.resources().get(parent.baseId);
    Integer stickiness = spec.stickiness() != null ? spec.stickiness()
        : parentSpec != null && parentSpec.stickiness() != null ? parentSpec.stickiness()
        : parent != null && parent.meta.containsKey("resource-stickiness") ? Integer.valueOf(parent.stickiness)
        : Integer.valueOf(props.defaultResourceStickiness());
    r.stickiness = stickiness;
    r.meta.put("resource-stickiness", String.valueOf(stickiness));
    int priority = spec.priority() != 0 || parent == null ? spec.priority() : parent.priority;
    r.priority = priority;
    r.meta.put("priority", String.valueOf(priority));
    Integer threshold = spec.migrationThreshold() != null ? spec.migrationThreshold()
        : parentSpec != null && parentSpec.migrationThreshold() != null ? parentSpec.migrationThreshold()
        : Integer.valueOf(props.migrationThreshold());
    r.migrationThreshold = Math.max(0, Math.min(Model.INFINITY, threshold));
    r.meta.put("migration-threshold", String.valueOf(r.migrationThreshold));
    Duration ft = failureTimeout(spec, parentSpec, props);
    r.failureTimeout = ft == null ? 0 : Math.max(0, ft.toSeconds());
    if (r.failureTimeout > 0) r.meta.put("failure-timeout", String.valueOf(r.failureTimeout));
    boolean managed = spec.managed() && (parent == null || parent.managed) && !props.maintenanceMode();
    r.managed = managed;
    r.meta.put("is-managed", String.valueOf(spec.managed() && (parent == null || parent.managed)));
    boolean stopped = "stopped".equalsIgnoreCase(spec.targetRole())
        || parent != null && parent.nextRole == Role.STOPPED;
    if (stopped) {
      r.meta.put("target-role", "Stopped");
      r.nextRole = Role.STOPPED;
    } else if (spec.targetRole() != null && !spec.targetRole().equalsIgnoreCase("started")) {
      r.meta.put("target-role", spec.targetRole());
    }
  }

  /**
   * A primitive's current state: running where the snapshot says (members and unclean nodes only), failed and
   * banned where failedOn says, fail counts; failures older than failure-timeout are forgotten.
   */
  private void state(Rsc p, ResourceSpec spec, Set<String> activeOn) {
    ResourceState st = snapshot.resource(spec.id());
    p.runningOn.addAll(live(activeOn));
    if (!p.runningOn.isEmpty()) p.role = Role.STARTED;
    for (Node n : in.nodes) {
      if (expired(p, st, n.uname)) continue;
      int count = st.failCounts() == null ? 0 : st.failCounts().getOrDefault(n.uname, 0);
      boolean failedHere = st.failedOn().contains(n.uname);
      boolean mine = p.runningOn.contains(n);
      // a clone's (or cloned group's) counts are kept once: on the instance on that node, else the first instance
      if (p.inClone() && !mine && !isFirstInstance(p)) continue;
      if (failedHere) {
        // restarts there are exhausted (or the start failed): banned, and recovered when it is still active there
        count = Model.INFINITY;
        if (mine && !n.unclean) {
          p.failed = true;
          p.needsStop = true;
        }
      }
      if (count > 0) p.failCount.merge(n, count, Values::add);
    }
  }

  private boolean isFirstInstance(Rsc p) {
    Rsc clone = p.top();
    if (clone.children.isEmpty()) return true; // the first instance is being built
    Rsc first = clone.children.get(0);
    return first.primitives().stream().anyMatch(q -> q == p);
  }

  private boolean expired(Rsc p, ResourceState st, String node) {
    Long last = st.lastFailure().get(node);
    return p.failureTimeout > 0 && last != null && in.now > last + p.failureTimeout;
  }

  // ---- constraints

  private void locations() {
    int i = 0;
    for (LocationConstraint l : config.locations()) {
      String id = "location-" + i++;
      Rsc r = in.byId.get(l.resource());
      if (r == null) continue;
      if (l.rule() != null) {
        in.locations.add(new Input.Location(id, r, null, 0, List.of(rule(l.rule())), false));
      } else if (byName.containsKey(l.node())) {
        in.locations.add(new Input.Location(id, r, byName.get(l.node()), l.score(), List.of(), false));
      }
    }
    // xenha's rule: a device never runs on a node it fences (that node cannot fence itself once it is lost)
    for (ResourceSpec spec : config.resources().values()) {
      if (!spec.isStonith()) continue;
      Rsc r = in.byId.get(spec.id());
      for (String host : spec.hosts()) {
        Node n = byName.get(host);
        if (r != null && n != null) {
          in.locations.add(new Input.Location("fence-self-" + spec.id() + "-" + host, r, n, -Model.INFINITY, List.of(), false));
        }
      }
    }
  }

  static RuleNode rule(Rule rule) {
    List<Expr> exprs = new ArrayList<>();
    for (Rule.Expression e : rule.expressions()) {
      if (e instanceof Rule.Defined d) {
        exprs.add(new Expr(d.attribute(), d.negated() ? "not_defined" : "defined", null, null));
      } else if (e instanceof Rule.Comparison c) {
        exprs.add(new Expr(c.attribute(), c.op(), c.value(), c.type()));
      }
    }
    Integer score = rule.scoreAttribute() != null ? null : rule.score() == null ? Integer.valueOf(0) : rule.score();
    return new RuleNode(score, rule.scoreAttribute(), rule.or(), exprs, List.of());
  }

  private void orders() {
    int i = 0;
    for (OrderConstraint o : config.orders()) {
      String id = o.id() != null ? o.id() : "order-" + i;
      i++;
      Rsc first = in.byId.get(o.first());
      Rsc then = in.byId.get(o.then());
      if (first == null || then == null || first == then) continue;
      String kind = o.kind() == null ? "mandatory" : o.kind();
      in.orders.add(new Input.Order(id, first, o.firstAction() == null ? "start" : o.firstAction(), then,
          o.thenAction() == null ? "start" : o.thenAction(), kind, o.symmetrical() && !kind.equals("serialize"),
          o.requireAll()));
    }
  }

  private void colocations() {
    int i = 0;
    for (ColocationConstraint c : config.colocations()) {
      String id = c.id() != null ? c.id() : "colocation-" + i;
      i++;
      Rsc r = in.byId.get(c.resource());
      Rsc with = in.byId.get(c.with());
      if (r == null || with == null || r == with) continue;
      in.colocations.add(new Input.Colocation(id, r, with, c.score(), null, null));
    }
  }

  private static int clamp(Long v) {
    if (v == null) return 0;
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }
}
