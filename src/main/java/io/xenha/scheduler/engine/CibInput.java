package io.xenha.scheduler.engine;

import static io.xenha.cib.CibXml.attr;
import static io.xenha.cib.CibXml.child;
import static io.xenha.cib.CibXml.children;

import io.xenha.cib.CibXml;
import io.xenha.scheduler.engine.Input.Expr;
import io.xenha.scheduler.engine.Input.RuleNode;
import io.xenha.scheduler.engine.Model.Node;
import io.xenha.scheduler.engine.Model.Role;
import io.xenha.scheduler.engine.Model.Rsc;
import io.xenha.scheduler.engine.Model.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * Reads a Pacemaker CIB (configuration and status) into the engine's {@link Input}: the configuration's resources
 * and constraints, and from the status section each node's state and each resource's operation history, failures
 * and fail counts (Pacemaker's unpack.c).
 */
public final class CibInput {
  private final CibXml cib;
  private final Input in = new Input();
  private final Map<String, String> rscDefaults = new LinkedHashMap<>();
  private final Map<String, String> opDefaults = new LinkedHashMap<>();
  private final Map<String, Node> byUname = new LinkedHashMap<>();
  private final Map<String, Node> byNodeId = new HashMap<>();
  private final Map<Rsc, Element> primitiveXml = new HashMap<>();
  private boolean stonithEnabled;
  private boolean suicide;

  private CibInput(CibXml cib) {
    this.cib = cib;
  }

  public static Input read(CibXml cib) {
    CibInput r = new CibInput(cib);
    r.readAll();
    return r.in;
  }

  private void readAll() {
    Element root = cib.root();
    Element config = child(root, "configuration");
    in.properties.putAll(CibXml.nvpairs(child(config, "crm_config"), "cluster_property_set"));
    rscDefaults.putAll(CibXml.nvpairs(child(config, "rsc_defaults"), "meta_attributes"));
    opDefaults.putAll(CibXml.nvpairs(child(config, "op_defaults"), "meta_attributes"));
    String quorum = attr(root, "have-quorum");
    in.haveQuorum = quorum == null || Values.isTrue(quorum);
    String date = attr(root, "execution-date");
    if (date != null) in.now = Long.parseLong(date.trim());
    stonithEnabled = in.flag("stonith-enabled", true);
    // suicide needs fencing and either quorum once had or no-quorum-panic; otherwise it is stop
    if ("suicide".equalsIgnoreCase(in.property("no-quorum-policy", "stop"))) {
      if (stonithEnabled && (in.haveQuorum || Values.isTrue(attr(root, "no-quorum-panic")))) {
        suicide = true;
      } else {
        in.properties.put("no-quorum-policy", "stop");
      }
    }
    readNodes(child(config, "nodes"));
    String dc = attr(root, "dc-uuid");
    if (dc != null && byNodeId.containsKey(dc)) in.dcUname = byNodeId.get(dc).uname;
    for (Node n : in.nodes) n.attributes.put("#is_dc", String.valueOf(n.uname.equals(in.dcUname)));
    for (Element e : children(child(config, "resources"), null)) {
      Rsc r = readResource(e, null, "");
      if (r != null) in.resources.add(r);
    }
    Element status = child(root, "status");
    readNodeStates(status);
    readConstraints(child(config, "constraints"));
    readHistory(status);
    multiplyActive();
  }

  /** A primitive found active on more than one node: multiple-active decides (Pacemaker's native_add_running). */
  private void multiplyActive() {
    for (Rsc top : in.resources) {
      if (top.isClone()) continue;
      for (Rsc p : top.primitives()) {
        if (p.runningOn.size() < 2) continue;
        switch (p.recovery) {
          case "stop_only":
            p.fatalError = true;
            break;
          case "block":
            List<Rsc> block = p.parent != null && p.parent.isGroup() && "block".equals(p.parent.recovery)
                ? p.parent.children : List.of(p);
            for (Rsc b : block) {
              b.managed = false;
              b.blocked = true;
            }
            break;
          default:
        }
      }
    }
  }

  // ---- nodes

  private void readNodes(Element nodes) {
    for (Element e : children(nodes, "node")) {
      String type = attr(e, "type");
      if (type != null && !type.equals("member") && !type.equals("normal")) continue;
      String uname = attr(e, "uname");
      String id = attr(e, "id");
      if (uname == null) uname = id;
      Node n = new Node(id, uname);
      n.attributes.putAll(CibXml.nvpairs(e, "instance_attributes"));
      for (Map.Entry<String, String> u : CibXml.nvpairs(e, "utilization").entrySet()) {
        n.capacity.put(u.getKey(), utilizationValue(u.getValue()));
      }
      // Not seen in the status section yet: offline, and unclean when fencing would be needed at start-up.
      n.unseen = true;
      if (stonithEnabled && in.flag("startup-fencing", true)) n.unclean = true;
      byUname.put(uname, n);
      byNodeId.put(id, n);
    }
    List<Node> sorted = new ArrayList<>(byUname.values());
    sorted.sort(Comparator.comparing((Node n) -> n.uname, CibInput::compareNames));
    in.nodes.addAll(sorted);
  }

  /** Pacemaker sorts node names with numbers compared as numbers ("node2" before "node10"). */
  static int compareNames(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
        while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
        long na = Long.parseLong(a.substring(si, Math.min(i, si + 18)));
        long nb = Long.parseLong(b.substring(sj, Math.min(j, sj + 18)));
        if (na != nb) return Long.compare(na, nb);
      } else {
        int c = Character.compare(Character.toLowerCase(ca), Character.toLowerCase(cb));
        if (c != 0) return c;
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private void readNodeStates(Element status) {
    for (Element st : children(status, "node_state")) {
      Node n = byNodeId.get(attr(st, "id"));
      if (n == null && attr(st, "uname") != null) n = byUname.get(attr(st, "uname"));
      if (n == null) continue;
      Element transientAttrs = child(st, "transient_attributes");
      if (transientAttrs != null) n.attributes.putAll(CibXml.nvpairs(transientAttrs, "instance_attributes"));
      n.unseen = false;
      n.unclean = false;
      determineOnline(st, n);
    }
    for (Node n : in.nodes) {
      if (Values.isTrue(n.attributes.get("standby"))) n.standby = true;
      if (Values.isTrue(n.attributes.get("maintenance"))) n.maintenance = true;
      if (n.unseen && n.unclean) fence(n, "node is unclean");
    }
  }

  private void fence(Node n, String reason) {
    n.unclean = true;
    if (n.fenceReason == null) n.fenceReason = reason;
    in.fenceReasons.putIfAbsent(n, reason);
  }

  /** Pacemaker's determine_online_status (with and without fencing). */
  private void determineOnline(Element st, Node n) {
    String join = attr(st, "join");
    String peer = attr(st, "crmd");
    String inCluster = attr(st, "in_ccm");
    String expected = attr(st, "expected");
    String shutdown = n.attributes.get("shutdown");
    n.shutdown = shutdown != null && !shutdown.isEmpty() && !shutdown.equals("0");
    n.expectedUp = !n.shutdown && "member".equals(expected);
    boolean inCcm = isTrueOrTime(inCluster);
    boolean crmdOnline = "online".equalsIgnoreCase(peer);
    boolean online = false;
    if (!stonithEnabled) {
      if (!inCcm) {
        online = false;
      } else if (crmdOnline) {
        online = "member".equalsIgnoreCase(join);
      } else if (n.expectedUp) {
        fence(n, "peer is unexpectedly down");
      }
    } else {
      String terminate = n.attributes.get("terminate");
      boolean doTerminate = Values.isTrue(terminate)
          || (terminate != null && !terminate.isEmpty() && terminate.charAt(0) != '0' && Character.isDigit(terminate.charAt(0)));
      online = inCcm;
      if (expected == null) expected = "down";
      if (n.shutdown) {
        online = crmdOnline;
      } else if (inCluster == null) {
        fence(n, "peer has not been seen by the cluster");
      } else if ("nack".equalsIgnoreCase(join) || "banned".equalsIgnoreCase(join)) {
        fence(n, "peer failed Pacemaker membership criteria");
      } else if (!doTerminate && "down".equalsIgnoreCase(expected)) {
        if (inCcm || crmdOnline) {
          n.standby = true;
          n.pending = true;
        }
      } else if (doTerminate && "down".equalsIgnoreCase(join) && !inCcm && !crmdOnline) {
        online = false;
      } else if (!inCcm) {
        fence(n, "peer is no longer part of the cluster");
      } else if (!crmdOnline) {
        fence(n, "peer process is no longer available");
      } else if (doTerminate) {
        fence(n, "termination was requested");
      } else if ("member".equalsIgnoreCase(join)) {
        // active
      } else if ("pending".equalsIgnoreCase(join) || "down".equalsIgnoreCase(join)) {
        n.standby = true;
        n.pending = true;
      } else {
        fence(n, "peer was in an unknown state");
      }
    }
    n.online = online;
    // no-quorum-policy=suicide: without quorum every member fences itself
    if (online && !in.haveQuorum && suicide) fence(n, "cluster does not have quorum");
  }

  private static boolean isTrueOrTime(String v) {
    if (v == null) return false;
    if (Values.isTrue(v)) return true;
    try {
      return Long.parseLong(v.trim()) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---- resources

  /** One resource element; suffix is ":N" inside instance N of a clone (ids get it, baseId does not). */
  private Rsc readResource(Element e, Rsc parent, String suffix) {
    switch (e.getTagName()) {
      case "primitive": {
        Rsc r = new Rsc(attr(e, "id") + suffix, Variant.PRIMITIVE);
        r.baseId = attr(e, "id");
        r.parent = parent;
        r.cls = attr(e, "class");
        r.provider = attr(e, "provider");
        r.type = attr(e, "type");
        r.params.putAll(sortedParams(e));
        // a group's or clone's instance attributes are parameters of its primitives too (their own win)
        if (parent != null) for (Map.Entry<String, String> p : parent.params.entrySet()) r.params.putIfAbsent(p.getKey(), p.getValue());
        for (Map.Entry<String, String> u : CibXml.nvpairs(e, "utilization").entrySet()) {
          r.utilization.put(u.getKey(), utilizationValue(u.getValue()));
        }
        meta(r, e, parent);
        primitiveXml.put(r, e);
        register(r);
        return r;
      }
      case "group": {
        Rsc g = new Rsc(attr(e, "id") + suffix, Variant.GROUP);
        g.baseId = attr(e, "id");
        g.parent = parent;
        meta(g, e, parent);
        inheritParams(g, e, parent);
        g.ordered = !"false".equalsIgnoreCase(g.meta.getOrDefault("ordered", "true"));
        g.colocated = !"false".equalsIgnoreCase(g.meta.getOrDefault("collocated", "true"));
        register(g);
        for (Element c : children(e, "primitive")) {
          Rsc m = readResource(c, g, suffix);
          if (m != null) g.children.add(m);
        }
        return g;
      }
      case "clone": {
        Rsc c = new Rsc(attr(e, "id"), Variant.CLONE);
        c.parent = parent;
        meta(c, e, parent);
        inheritParams(c, e, parent);
        if (!c.meta.containsKey("resource-stickiness")) c.meta.put("resource-stickiness", "1");
        c.stickiness = Values.score(c.meta.get("resource-stickiness"));
        int nodes = in.nodes.size();
        c.cloneMax = intMeta(c, "clone-max", nodes);
        // Pacemaker: anonymous clones support only one instance per node (clone-node-max is ignored)
        c.cloneNodeMax = Values.isTrue(c.meta.get("globally-unique")) ? intMeta(c, "clone-node-max", 1) : 1;
        c.cloneMin = intMeta(c, "clone-min", 0);
        c.interleave = Values.isTrue(c.meta.get("interleave"));
        c.notify = Values.isTrue(c.meta.get("notify"));
        c.unique = false;
        register(c);
        Element template = null;
        for (Element t : children(e, null)) {
          if (t.getTagName().equals("primitive") || t.getTagName().equals("group")) template = t;
        }
        if (template == null) return null;
        cloneTemplates.put(c, template);
        if (template.getTagName().equals("primitive")) cloneOfBase.put(attr(template, "id"), c);
        for (Element m : children(template, "primitive")) cloneOfBase.put(attr(m, "id"), c);
        for (int i = 0; i < c.cloneMax; i++) c.children.add(readResource(template, c, ":" + i));
        return c;
      }
      default:
        in.warnings.add(cib.where(e) + ": not supported (promotable clones, bundles and templates are not): ignored");
        return null;
    }
  }

  private final Map<Rsc, Element> cloneTemplates = new HashMap<>();
  private final Map<String, Rsc> cloneOfBase = new HashMap<>();

  private void register(Rsc r) {
    in.byId.putIfAbsent(r.id, r);
    in.byId.putIfAbsent(r.baseId, r);
  }

  /** A collective's instance attributes (over its parent's), handed down to its primitives' parameters. */
  private static void inheritParams(Rsc r, Element e, Rsc parent) {
    r.params.putAll(sortedParams(e));
    if (parent != null) for (Map.Entry<String, String> p : parent.params.entrySet()) r.params.putIfAbsent(p.getKey(), p.getValue());
  }

  private static Map<String, String> sortedParams(Element e) {
    return new java.util.TreeMap<>(CibXml.nvpairs(e, "instance_attributes"));
  }

  /** Meta attributes: the element's own XML attributes, then meta_attributes, then the parent's, then rsc_defaults. */
  private void meta(Rsc r, Element e, Rsc parent) {
    for (int i = 0; i < e.getAttributes().getLength(); i++) {
      var a = e.getAttributes().item(i);
      String name = a.getNodeName();
      if (!List.of("id", "class", "provider", "type", "description").contains(name)) r.meta.put(name, a.getNodeValue());
    }
    for (Map.Entry<String, String> m : CibXml.nvpairs(e, "meta_attributes").entrySet()) r.meta.putIfAbsent(m.getKey(), m.getValue());
    if (parent != null) for (Map.Entry<String, String> m : parent.meta.entrySet()) r.meta.putIfAbsent(m.getKey(), m.getValue());
    for (Map.Entry<String, String> m : rscDefaults.entrySet()) r.meta.putIfAbsent(m.getKey(), m.getValue());
    String legacyStickiness = in.properties.get("default-resource-stickiness");
    if (legacyStickiness != null) r.meta.putIfAbsent("resource-stickiness", legacyStickiness);
    r.priority = Values.score(r.meta.get("priority"));
    r.stickiness = Values.score(r.meta.getOrDefault("resource-stickiness", "0"));
    String mt = r.meta.get("migration-threshold");
    r.migrationThreshold = mt == null ? Model.INFINITY : Values.score(mt);
    if (r.migrationThreshold < 0) r.migrationThreshold = 0;
    String ft = r.meta.get("failure-timeout");
    r.failureTimeout = ft == null ? 0 : Math.max(0, Values.millis(ft) / 1000);
    boolean clusterMaintenance = in.flag("maintenance-mode", false);
    r.managed = Values.isTrue(r.meta.getOrDefault("is-managed", "true")) && !clusterMaintenance
        && !Values.isTrue(r.meta.get("maintenance"));
    r.allowMigrate = Values.isTrue(r.meta.get("allow-migrate"));
    r.critical = Values.isTrue(r.meta.getOrDefault("critical", "true"));
    r.recovery = r.meta.getOrDefault("multiple-active", "stop_start");
    String role = r.meta.get("target-role");
    if (role != null && role.equalsIgnoreCase("stopped")) r.nextRole = Role.STOPPED;
    r.fenceDevice = "stonith".equals(r.cls);
    String requires = r.meta.get("requires");
    if (requires == null) requires = r.fenceDevice || !stonithEnabled ? "quorum" : "fencing";
    r.requiresFencing = requires.equals("fencing") || requires.equals("unfencing");
  }

  private static int intMeta(Rsc r, String name, int dflt) {
    String v = r.meta.get(name);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  static int utilizationValue(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  // ---- constraints

  private void readConstraints(Element constraints) {
    for (Element e : children(constraints, null)) {
      if (child(e, "resource_set") != null) {
        in.warnings.add(cib.where(e) + ": resource sets are not supported: ignored");
        continue;
      }
      switch (e.getTagName()) {
        case "rsc_location": location(e); break;
        case "rsc_order": order(e); break;
        case "rsc_colocation": colocation(e); break;
        default:
          in.warnings.add(cib.where(e) + ": not supported: ignored");
      }
    }
  }

  private void location(Element e) {
    Rsc r = in.byId.get(attr(e, "rsc"));
    if (r == null) return;
    boolean exclusive = "exclusive".equals(attr(e, "resource-discovery"));
    String node = attr(e, "node");
    if (node != null) {
      Node n = byUname.get(node);
      if (n == null) return;
      in.locations.add(new Input.Location(attr(e, "id"), r, n, Values.score(attr(e, "score")), List.of(), exclusive));
      return;
    }
    List<RuleNode> rules = new ArrayList<>();
    for (Element rule : children(e, "rule")) rules.add(rule(rule));
    if (!rules.isEmpty()) in.locations.add(new Input.Location(attr(e, "id"), r, null, 0, rules, exclusive));
  }

  private RuleNode rule(Element rule) {
    String score = attr(rule, "score");
    String scoreAttribute = attr(rule, "score-attribute");
    boolean or = "or".equalsIgnoreCase(attr(rule, "boolean-op"));
    List<Expr> exprs = new ArrayList<>();
    for (Element x : children(rule, "expression")) {
      exprs.add(new Expr(attr(x, "attribute"), attr(x, "operation"), attr(x, "value"), attr(x, "type")));
    }
    List<RuleNode> nested = new ArrayList<>();
    for (Element x : children(rule, "rule")) nested.add(rule(x));
    for (Element x : children(rule, "date_expression")) {
      exprs.add(new Expr(null, "date", null, null));
    }
    Integer fixed = score != null ? Integer.valueOf(Values.score(score)) : scoreAttribute == null ? Integer.valueOf(0) : null;
    return new RuleNode(fixed, scoreAttribute, or,
        exprs, nested);
  }

  private void order(Element e) {
    Rsc first = in.byId.get(attr(e, "first"));
    Rsc then = in.byId.get(attr(e, "then"));
    if (first == null || then == null) return;
    String kind = attr(e, "kind");
    String score = attr(e, "score");
    if (kind == null) {
      if (score == null) kind = "mandatory";
      else kind = Values.score(score) > 0 ? "mandatory" : "optional";
    }
    kind = kind.toLowerCase(Locale.ROOT);
    String sym = attr(e, "symmetrical");
    boolean symmetrical = sym == null ? !kind.equals("serialize") : Values.isTrue(sym);
    String requireAll = attr(e, "require-all");
    in.orders.add(new Input.Order(attr(e, "id"), first, orDefault(attr(e, "first-action"), "start"), then,
        orDefault(attr(e, "then-action"), orDefault(attr(e, "first-action"), "start")), kind, symmetrical,
        requireAll == null || Values.isTrue(requireAll)));
  }

  private static String orDefault(String v, String d) {
    return v == null ? d : v;
  }

  private void colocation(Element e) {
    Rsc r = in.byId.get(attr(e, "rsc"));
    Rsc with = in.byId.get(attr(e, "with-rsc"));
    if (r == null || with == null) return;
    String influence = attr(e, "influence");
    in.colocations.add(new Input.Colocation(attr(e, "id"), r, with, Values.score(attr(e, "score")),
        attr(e, "node-attribute"), influence == null ? null : Values.isTrue(influence)));
  }

  // ---- status: operation history

  private record Op(String id, String task, long intervalMs, int rc, int status, int callId, int targetRc,
      String migrateSource, String migrateTarget, long lastRcChange, String digest, String featureSet,
      String secureParams, String secureDigest, String onNode, String transitionMagic, String forceRestart,
      String restartDigest) {}

  private void readHistory(Element status) {
    List<Element> states = children(status, "node_state");
    // Document order; without fencing, the history of an offline node is not read (what ran there is stopped).
    List<Element> ordered = new ArrayList<>();
    for (Element st : states) {
      Node n = nodeOf(st);
      if (n != null && (stonithEnabled || n.online)) ordered.add(st);
    }
    // every node's operations by resource id, for migrations (a migrate_to is judged by the target's history)
    for (Element st : states) {
      Node n = nodeOf(st);
      if (n == null) continue;
      for (Element lr : children(CibXml.path(st, "lrm", "lrm_resources"), "lrm_resource")) {
        List<Op> ops = opIndex.computeIfAbsent(n, k -> new HashMap<>()).computeIfAbsent(attr(lr, "id"), k -> new ArrayList<>());
        for (Element o : children(lr, "lrm_rsc_op")) ops.add(op(o));
      }
    }
    for (Element st : ordered) {
      Node n = nodeOf(st);
      Element lrm = CibXml.path(st, "lrm", "lrm_resources");
      for (Element lr : children(lrm, "lrm_resource")) history(n, lr);
    }
  }

  private final Map<Node, Map<String, List<Op>>> opIndex = new HashMap<>();

  private List<Op> opsOn(Node n, String rscId) {
    Map<String, List<Op>> m = opIndex.get(n);
    return m == null ? null : m.get(rscId);
  }

  /**
   * Pacemaker's find_lrm_op: the one recorded op of this task on the node (a migrate_to going to peer, a
   * migrate_from coming from peer); none when there are several, or when rc is given and it did not end so.
   */
  private Op findOp(Node n, String rscId, String task, String peer, int rc) {
    List<Op> ops = opsOn(n, rscId);
    if (ops == null) return null;
    Op found = null;
    int matches = 0;
    for (Op o : ops) {
      if (!task.equals(o.task)) continue;
      if (peer != null && task.equals("migrate_to") && !peer.equals(o.migrateTarget)) continue;
      if (peer != null && task.equals("migrate_from") && !peer.equals(o.migrateSource)) continue;
      found = o;
      matches++;
    }
    if (matches != 1) return null;
    if (rc >= 0 && (found.rc != rc || found.status != 0)) return null;
    return found;
  }

  /**
   * Pacemaker's pe__is_newer_op: on one node the call ids order operations; across nodes, or for one call recorded
   * twice (a result and its last failure), last-rc-change does; a pending operation is placed by the transition in
   * its transition magic (operations of different transitioner runs only when one of them is pending).
   */
  private static int compareOps(Op a, Op b, boolean sameNodeDefault) {
    boolean sameNode = a.onNode == null || b.onNode == null ? sameNodeDefault : a.onNode.equalsIgnoreCase(b.onNode);
    if (sameNode && a.id != null && a.id.equals(b.id)) return 0;
    int ca = a.callId;
    int cb = b.callId;
    if (ca == -1 && cb == -1) return 0;
    if (sameNode && ca >= 0 && ca < cb) return -1;
    if (sameNode && cb >= 0 && ca > cb) return 1;
    if (ca >= 0 && cb >= 0 && (!sameNode || ca == cb)) {
      // an op without a recorded time (-1) is not placed against the other
      if (a.lastRcChange >= 0 && a.lastRcChange < b.lastRcChange) return -1;
      if (b.lastRcChange >= 0 && a.lastRcChange > b.lastRcChange) return 1;
      return 0;
    }
    String[] ka = magicKey(a.transitionMagic);
    String[] kb = magicKey(b.transitionMagic);
    if (ka == null || kb == null) return 0;
    int ta = parseIntOr(ka[1], -1);
    int tb = parseIntOr(kb[1], -1);
    if (!ka[3].equalsIgnoreCase(kb[3]) || ta == tb) {
      if (cb == -1) return -1;
      if (ca == -1) return 1;
      return 0;
    }
    if (ta >= 0 && ta < tb || tb == -1) return -1;
    if (tb >= 0 && ta > tb || ta == -1) return 1;
    return 0;
  }

  /** The transition key inside a transition magic ("status:rc;action:transition:target-rc:uuid"), split. */
  private static String[] magicKey(String magic) {
    if (magic == null) return null;
    int semi = magic.indexOf(';');
    if (semi < 0) return null;
    String[] k = magic.substring(semi + 1).split(":");
    return k.length < 4 ? null : k;
  }

  private static int parseIntOr(String v, int dflt) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  /** Pacemaker's non_monitor_after: a start, stop or migration on the node newer than op. */
  private boolean nonMonitorAfter(Node n, String rscId, Op op, boolean sameNode) {
    List<Op> ops = opsOn(n, rscId);
    if (ops == null || op == null) return false;
    for (Op o : ops) {
      if (o.equals(op) || o.task == null) continue;
      boolean stateChanging = switch (o.task) {
        case "start", "stop", "migrate_to", "migrate_from" -> true;
        default -> false;
      };
      if (stateChanging && compareOps(o, op, sameNode) > 0) return true;
    }
    return false;
  }

  /**
   * Pacemaker's newer_state_after_migrate: the node has a start, stop or migration, or a monitor finding it
   * stopped, newer than the migration op recorded on that node (else than the one on the peer).
   */
  private boolean newerStateAfter(Node n, String rscId, Op migrateTo, Op migrateFrom) {
    Op ref = migrateFrom != null ? migrateFrom : migrateTo;
    boolean sameNode = false;
    if (n.uname.equalsIgnoreCase(ref.migrateTarget)) {
      if (migrateFrom != null) {
        ref = migrateFrom;
        sameNode = true;
      } else {
        ref = migrateTo;
      }
    } else if (n.uname.equalsIgnoreCase(ref.migrateSource)) {
      if (migrateTo != null) {
        ref = migrateTo;
        sameNode = true;
      } else {
        ref = migrateFrom;
      }
    }
    if (nonMonitorAfter(n, rscId, ref, sameNode)) return true;
    Op notRunning = findOp(n, rscId, "monitor", null, 7);
    return notRunning != null && compareOps(notRunning, ref, sameNode) > 0;
  }

  /** Pacemaker's unknown_on_node: no operation of the resource is recorded on the node. */
  private boolean unknownOn(Node n, String rscId) {
    List<Op> ops = opsOn(n, rscId);
    return ops == null || ops.isEmpty();
  }

  private Node nodeOf(Element st) {
    Node n = byNodeId.get(attr(st, "id"));
    if (n == null && attr(st, "uname") != null) n = byUname.get(attr(st, "uname"));
    return n;
  }

  private void history(Node node, Element lr) {
    String id = attr(lr, "id");
    List<Op> ops = new ArrayList<>();
    for (Element o : children(lr, "lrm_rsc_op")) ops.add(op(o));
    // by call id; the same call recorded twice (a result and its last_failure) by last-rc-change
    ops.sort(Comparator.comparingInt((Op o) -> o.callId < 0 ? Integer.MAX_VALUE : o.callId)
        .thenComparingLong(o -> o.lastRcChange));
    Rsc rsc = findResource(id, node, ops);
    if (rsc == null) return;
    unpackOps(rsc, node, ops, id);
    // the agent (class, provider or type) changed since it ran here: Pacemaker restarts it (no reason given)
    if (!rsc.orphan && rsc.runningOn.contains(node) && node.available()
        && !(java.util.Objects.equals(attr(lr, "class"), rsc.cls)
            && java.util.Objects.equals(attr(lr, "provider"), rsc.provider)
            && java.util.Objects.equals(attr(lr, "type"), rsc.type))) {
      rsc.plainRestart.add(node);
    }
  }

  private static Op op(Element o) {
    String key = attr(o, "transition-key");
    int target = -1;
    if (key != null) {
      String[] parts = key.split(":");
      if (parts.length >= 3) {
        try {
          target = Integer.parseInt(parts[2]);
        } catch (NumberFormatException ignored) {
          // keep -1
        }
      }
    }
    return new Op(attr(o, "id"), attr(o, "operation"), Math.max(0, intAttr(o, "interval", 0)),
        intAttr(o, "rc-code", 0), intAttr(o, "op-status", 0), intAttr(o, "call-id", 0), target,
        attr(o, "migrate_source"), attr(o, "migrate_target"), intAttr(o, "last-rc-change", -1), attr(o, "op-digest"),
        attr(o, "crm_feature_set"), attr(o, "op-secure-params"), attr(o, "op-secure-digest"), attr(o, "on_node"), attr(o, "transition-magic"),
        attr(o, "op-force-restart"), attr(o, "op-restart-digest"));
  }

  private static int intAttr(Element e, String name, int dflt) {
    String v = attr(e, name);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException ex) {
      return dflt;
    }
  }

  /** The configured primitive (or clone instance) a history entry belongs to, or an orphan when it is active. */
  private Rsc findResource(String id, Node node, List<Op> ops) {
    String base = id.contains(":") ? id.substring(0, id.lastIndexOf(':')) : id;
    Rsc r = in.byId.get(id);
    if (r != null && r.isPrimitive() && !r.inClone()) return r;
    Rsc clone = cloneOfBase.get(base);
    if (clone != null) return anonymousInstance(clone, base, node);
    if (r != null && r.isPrimitive()) return r;
    return orphan(id, node, ops);
  }

  /** Pacemaker's find_anonymous_clone: an instance already active on the node, else the first inactive one. */
  private Rsc anonymousInstance(Rsc clone, String baseId, Node node) {
    Rsc inactive = null;
    Rsc found = null;
    boolean skipInactive = false;
    for (Rsc inst : clone.children) {
      Rsc prim = memberLike(inst, baseId);
      if (prim == null) continue;
      List<Node> where = locations(inst);
      if (!where.isEmpty()) {
        if (where.get(0) == node) {
          // a second history entry for an instance already active here: an orphan
          if (!prim.runningOn.isEmpty()) {
            skipInactive = true;
            found = null;
          } else {
            found = prim;
          }
        }
      } else if (!skipInactive && inactive == null && !prim.blocked) {
        if (prim.pendingNode == null || prim.pendingNode == node) inactive = prim;
      }
    }
    if (found != null) return found;
    if (!skipInactive && inactive != null) return inactive;
    // more instances active than clone-max allows: an orphan instance, to be stopped
    Rsc orphan = readResource(cloneTemplates.get(clone), clone, ":" + clone.children.size());
    orphan.orphan = true;
    for (Rsc p : orphan.primitives()) p.orphan = true;
    clone.children.add(orphan);
    return memberLike(orphan, baseId);
  }

  private static List<Node> locations(Rsc inst) {
    List<Node> out = new ArrayList<>();
    for (Rsc p : inst.primitives()) {
      for (Node n : p.runningOn) if (!out.contains(n)) out.add(n);
      if (p.pendingNode != null && !out.contains(p.pendingNode)) out.add(p.pendingNode);
    }
    return out;
  }

  private static Rsc memberLike(Rsc inst, String baseId) {
    for (Rsc p : inst.primitives()) if (p.baseId.equals(baseId)) return p;
    return null;
  }

  private Rsc orphan(String id, Node node, List<Op> ops) {
    // Only an orphan that may still be active matters.
    Rsc o = new Rsc(id, Variant.PRIMITIVE);
    o.orphan = true;
    o.cls = null;
    for (Map.Entry<String, String> m : rscDefaults.entrySet()) o.meta.putIfAbsent(m.getKey(), m.getValue());
    o.managed = in.flag("stop-orphan-resources", true) && !in.flag("maintenance-mode", false);
    o.nextRole = Role.STOPPED;
    Rsc existing = in.byId.get(id);
    if (existing != null && existing.orphan) return existing;
    in.byId.put(id, o);
    in.resources.add(o);
    return o;
  }

  /** Pacemaker's unpack_lrm_resource / unpack_rsc_op, for the roles and failures xenha supports. */
  private void unpackOps(Rsc rsc, Node node, List<Op> ops, String lrmId) {
    Role role = Role.UNKNOWN;
    String onFail = null; // ignore, restart, block, stop, standby, fence
    boolean sticky = false;
    boolean startPending = false;
    String lastFailureKey = null;
    for (Op op : ops) {
      boolean pending = op.status == -1 || op.callId == -1;
      String task = op.task;
      if (task == null) continue;
      if (task.equals("notify") || task.equals("meta-data") || task.equals("cancel")) continue;
      if (pending) {
        if (task.equals("start") || task.equals("migrate_from")) {
          role = Role.STARTED;
          startPending = true;
          rsc.pendingNode = node;
        } else if (task.equals("stop")) {
          role = Role.STARTED;
          rsc.pendingNode = node;
        } else if (task.equals("monitor") && op.intervalMs == 0) {
          // a pending probe says nothing
        } else if (task.equals("migrate_to")) {
          role = Role.STARTED;
        } else if (task.equals("monitor")) {
          role = Role.STARTED;
        }
        continue;
      }
      if (op.status == 1) continue; // cancelled
      int expected = op.targetRc >= 0 ? op.targetRc : 0;
      boolean probe = task.equals("monitor") && op.intervalMs == 0;
      boolean success;
      // Done and error are decided by the result code; timeouts and the like are failures.
      if (op.status != 0 && op.status != 4) {
        success = false;
      } else if (op.rc == expected) {
        success = true;
      } else if (probe && (op.rc == 7 || op.rc == 0)) {
        success = true;
      } else {
        success = false;
      }
      if (!success && op.rc == 7 && !rsc.managed && (op.status == 0 || op.status == 4)) {
        // an unmanaged resource found not running is stopped, not failed; earlier failures no longer count
        role = Role.STOPPED;
        onFail = null;
        sticky = false;
        continue;
      }
      if (success) {
        switch (task) {
          case "start":
            role = Role.STARTED;
            startPending = false;
            if (!sticky) onFail = null;
            break;
          case "migrate_from":
            role = Role.STARTED;
            if (!sticky) onFail = null;
            break;
          case "migrate_to":
            role = migrateToSucceeded(rsc, node, op, role, lrmId);
            break;
          case "stop":
            role = Role.STOPPED;
            if (!sticky) onFail = null;
            break;
          case "monitor":
            role = op.rc == 7 ? Role.STOPPED : Role.STARTED;
            // the same monitor succeeding after its failure clears that failure
            if ((task + "_" + op.intervalMs).equals(lastFailureKey) && !sticky) onFail = null;
            break;
          default:
        }
        continue;
      }
      lastFailureKey = task + "_" + op.intervalMs;
      // a failure; one older than failure-timeout has expired and no longer counts
      if (rsc.failureTimeout > 0 && op.lastRcChange > 0 && in.now > op.lastRcChange + rsc.failureTimeout) continue;
      if (op.rc == 7 && task.equals("monitor") && op.intervalMs > 0 && role == Role.UNKNOWN) role = Role.STARTED;
      String action = onFailFor(rsc, task, op.intervalMs);
      // the executor could not find the agent at all: recovered elsewhere whatever on-fail says
      if (op.status == 7 && action.equals("ignore")) action = "restart";
      if (action.equals("ignore")) {
        rsc.failureIgnored = true;
        if (task.equals("stop")) role = Role.STOPPED;
        else role = Role.STARTED;
        continue;
      }
      if (probe && op.rc == 5 && (op.status == 0 || op.status == 7)) {
        // a probe finding the agent not installed: not running, and it cannot run here
        rsc.hardErrors.add(node);
        role = Role.STOPPED;
        continue;
      }
      // hard errors ban the node (unimplemented only for one-shot operations)
      if (op.rc == 2 || op.rc == 4 || op.rc == 5 || op.rc == 3 && op.intervalMs == 0 || op.status == 7) {
        rsc.hardErrors.add(node);
      }
      if (op.rc == 6) rsc.fatalError = true;
      if (task.equals("start")) {
        // a failed start bans only through the fail count the cluster records (start-failure-is-fatal is the
        // controller's business); the operation history alone does not ban the node
        role = Role.STARTED;
      } else if (task.equals("stop")) {
        role = Role.STARTED;
      } else if (task.equals("migrate_to")) {
        role = Role.STARTED;
        migrateToFailed(rsc, node, op, lrmId);
      } else if (task.equals("migrate_from")) {
        role = Role.STARTED;
        migrateFromFailed(rsc, node, op, lrmId);
      } else if (task.equals("monitor")) {
        role = op.rc == 7 && op.intervalMs == 0 ? Role.STOPPED : Role.STARTED;
      }
      if (rank(action) > rank(onFail)) onFail = action;
      if (action.equals("stop") || action.equals("fence") || action.equals("standby")) sticky = true;
    }
    if (role != Role.UNKNOWN) rsc.knownOn.add(node);
    if (role == Role.UNKNOWN) role = Role.STOPPED;
    if (role == Role.STARTED && !rsc.orphan) {
      Op lastStart = null;
      // the newest start (or migrate_from), whatever its result (Pacemaker's calculate_active_ops)
      for (Op o : ops) {
        if ("start".equals(o.task) || "migrate_from".equals(o.task)) lastStart = o;
      }
      // checked only on a node that can run resources (Pacemaker skips standby, maintenance, shutting down);
      // digests of old feature sets (up to 3.0.5) are computed over the same text
      if (lastStart != null && lastStart.digest != null && node.available() && !digestMatches(rsc, lastStart)) {
        // an agent that recorded a restart digest can reload: only a change of its non-reloadable parameters
        // (those listed in op-force-restart) needs a restart
        // (Pacemaker's schedule_reload: no reload while a start is pending, it stops the resource instead)
        if (lastStart.restartDigest != null
            && lastStart.restartDigest.equals(digest(restartParams(rsc.params, lastStart.forceRestart)))) {
          if (startPending || rsc.startPending) rsc.plainRestart.add(node);
          else rsc.reloadOn.add(node);
        } else {
          // Pacemaker forces the restart: the start carries "resource definition change"
          rsc.definitionChanged.add(node);
        }
      }
    }
    if (role == Role.STARTED) {
      // what runs on a node in maintenance is left alone
      if (node.maintenance) rsc.managed = false;
      if (!rsc.runningOn.contains(node)) rsc.runningOn.add(node);
      if (rsc.role.compareTo(role) < 0) rsc.role = role;
      if (startPending) rsc.startPending = true;
      activeOnDownNode(rsc, node);
    }
    // a stop on the source after its migrate_to does not stop the partially migrated resource on the target
    if (role == Role.STOPPED && rsc.partialSource == node && rsc.partialTarget != null && !rsc.runningOn.isEmpty()
        && rsc.role.compareTo(Role.STARTED) < 0) {
      rsc.role = Role.STARTED;
    }
    if (onFail != null) applyFailure(rsc, node, onFail);
    if (failedWithOtherParameters(rsc, ops)) {
      // Pacemaker clears the fail count of a start or probe that failed with parameters since changed: the
      // resource is given another chance on the node
      rsc.failCount.remove(node);
    } else {
      failCounts(rsc, node);
    }
  }

  private static boolean failedWithOtherParameters(Rsc rsc, List<Op> ops) {
    for (Op o : ops) {
      if (o.id != null && o.id.endsWith("_last_failure_0") && o.intervalMs == 0
          && ("start".equals(o.task) || "monitor".equals(o.task))
          && o.digest != null && !digestMatches(rsc, o)) {
        return true;
      }
    }
    return false;
  }

  /** Active on n too (Pacemaker's native_add_running): the role stays what the history of each node made it. */
  private void addRunning(Rsc rsc, Node n) {
    if (!rsc.runningOn.contains(n)) rsc.runningOn.add(n);
  }

  /**
   * A successful migrate_to on source (Pacemaker's unpack_migrate_to_success). Newer state on both nodes (or a
   * newer op on the source with a migrate_from recorded) makes it irrelevant. A successful migrate_from leaves a
   * dangling migration (the source only needs its stop); a failed one leaves it active on the target unless the
   * target has newer state, else failed on the source; without a migrate_from it is a partial migration, continued
   * if the target stays, or failed on the source when the target went away or has newer state.
   * Returns the role on the source.
   */
  private Role migrateToSucceeded(Rsc rsc, Node source, Op op, Role role, String lrmId) {
    Node target = byUname.get(op.migrateTarget);
    boolean sourceNewer = nonMonitorAfter(source, lrmId, op, true);
    Op from = target == null ? null : findOp(target, lrmId, "migrate_from", source.uname, -1);
    if (sourceNewer && from != null) return role;
    boolean targetNewer = target != null && newerStateAfter(target, lrmId, op, from);
    if (sourceNewer && targetNewer) return role;
    boolean fromPending = from != null && (from.status == -1 || from.callId == -1);
    if (from != null && from.rc == 0 && from.status == 0) {
      rsc.dangling.add(source);
      return Role.STOPPED;
    }
    if (from != null && !fromPending) {
      if (!targetNewer && target.online) {
        addRunning(rsc, target);
      } else {
        brokenMigration(rsc);
      }
      return Role.STARTED;
    }
    if (!targetNewer && target != null && target.online) {
      addRunning(rsc, target);
      if (source.online) {
        rsc.partialSource = source;
        rsc.partialTarget = target;
      }
    } else if (!sourceNewer) {
      brokenMigration(rsc);
    }
    return Role.STARTED;
  }

  /** A migration that can no longer be completed: the resource is recovered (stopped and started), not migrated. */
  private static void brokenMigration(Rsc rsc) {
    rsc.failed = true;
    rsc.needsStop = true;
    rsc.allowMigrate = false;
    rsc.migrationBroken = true;
  }

  /**
   * A failed migrate_to (Pacemaker's unpack_migrate_to_failure): active on the target too when it is known there
   * without newer state; else, unless the source has moved on, a dangling migration to stop on the source.
   */
  private void migrateToFailed(Rsc rsc, Node source, Op op, String lrmId) {
    Node target = byUname.get(op.migrateTarget);
    if (target == null) return;
    Op from = findOp(target, lrmId, "migrate_from", source.uname, 0);
    if (!unknownOn(target, lrmId) && !newerStateAfter(target, lrmId, op, from)) {
      if (target.online) addRunning(rsc, target);
    } else if (!nonMonitorAfter(source, lrmId, op, true)) {
      rsc.dangling.add(source);
    }
  }

  /**
   * A failed migrate_from (Pacemaker's unpack_migrate_from_failure): active on the source too when it is known
   * there without newer state.
   */
  private void migrateFromFailed(Rsc rsc, Node target, Op op, String lrmId) {
    Node source = byUname.get(op.migrateSource);
    if (source == null) return;
    Op to = findOp(source, lrmId, "migrate_to", target.uname, 0);
    if (!unknownOn(source, lrmId) && !newerStateAfter(source, lrmId, to, op)) {
      if (source.online) addRunning(rsc, source);
    }
  }

  /** The recorded digest against the configured parameters (without the secure ones when they were recorded apart). */
  private static boolean digestMatches(Rsc rsc, Op op) {
    if (op.secureParams != null && op.secureDigest != null) {
      Map<String, String> open = new java.util.TreeMap<>(rsc.params);
      for (String name : op.secureParams.trim().split("\\s+")) open.remove(name);
      open.keySet().removeIf(k -> k.startsWith("pcmk_"));
      return op.secureDigest.equals(digest(open)) || op.digest.equals(digest(rsc.params));
    }
    return op.digest.equals(digest(rsc.params));
  }

  /** The parameters a restart digest covers: only those the agent listed as needing a restart. */
  private static Map<String, String> restartParams(Map<String, String> params, String forceRestart) {
    Map<String, String> out = new java.util.TreeMap<>();
    if (forceRestart == null) return out;
    for (String name : forceRestart.trim().split("\\s+")) if (params.containsKey(name)) out.put(name, params.get(name));
    return out;
  }

  /** Pacemaker's operation digest: md5 of the instance attributes, sorted by name, as an XML element. */
  static String digest(Map<String, String> params) {
    StringBuilder sb = new StringBuilder(" <parameters");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(params).entrySet()) {
      sb.append(' ').append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
    }
    sb.append("/>\n");
    try {
      byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(md5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String escape(String v) {
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static int rank(String onFail) {
    if (onFail == null) return 0;
    switch (onFail) {
      case "ignore": return 1;
      case "restart": return 2;
      case "block": return 3;
      case "stop": return 4;
      case "standby": return 5;
      case "fence": return 6;
      default: return 2;
    }
  }

  /** Active (or possibly active) on a node that is down: the node must be fenced first. */
  private void activeOnDownNode(Rsc rsc, Node node) {
    if (!node.online && !node.maintenance && rsc.managed && !node.unclean && stonithEnabled && !node.shutdown) {
      fence(node, rsc.id + " is thought to be active there");
    }
  }

  private void applyFailure(Rsc rsc, Node node, String onFail) {
    // A failure on a node that is already unclean needs nothing more: the fence recovers it.
    if (node.unclean) return;
    switch (onFail) {
      case "restart":
        rsc.failed = true;
        rsc.needsStop = true;
        break;
      case "block":
        rsc.failed = true;
        rsc.blocked = true;
        rsc.managed = false;
        break;
      case "stop":
        rsc.failed = true;
        rsc.needsStop = true;
        rsc.nextRole = Role.STOPPED;
        break;
      case "standby":
        rsc.failed = true;
        rsc.needsStop = true;
        node.standby = true;
        break;
      case "fence":
        rsc.failed = true;
        rsc.needsStop = true;
        if (stonithEnabled) fence(node, rsc.id + " failed there");
        break;
      default:
    }
  }

  /** The on-fail of an operation: the op's own, else op_defaults, else Pacemaker's default. */
  private String onFailFor(Rsc rsc, String task, long intervalMs) {
    Element xml = primitiveXml.get(rsc);
    String value = null;
    if (xml != null) {
      for (Element op : children(child(xml, "operations"), "op")) {
        String name = attr(op, "name");
        if (task.equals(name) && Math.max(0, Values.millis(attr(op, "interval"))) == intervalMs) {
          value = attr(op, "on-fail");
          if (value == null) value = CibXml.nvpairs(op, "meta_attributes").get("on-fail");
          if (Values.isTrue(attr(op, "enabled")) || attr(op, "enabled") == null) break;
        }
      }
    }
    if (value == null) value = opDefaults.get("on-fail");
    if (value == null) {
      if (task.equals("stop")) value = stonithEnabled ? "fence" : "block";
      else value = "restart";
    }
    value = value.toLowerCase(Locale.ROOT);
    if (value.equals("fence") && !stonithEnabled) value = "block";
    if (value.equals("demote")) value = "restart";
    return value;
  }

  /**
   * Whether attribute name k is prefix, optionally per operation ("#op_interval"); an anonymous clone's counts may
   * also carry any instance number ("prefix:N"), all of which count for every instance (Pacemaker ignores it).
   */
  private static boolean failureAttribute(String k, String prefix, boolean anonymous) {
    if (!k.startsWith(prefix)) return false;
    int i = prefix.length();
    if (anonymous && i < k.length() && k.charAt(i) == ':') {
      int j = i + 1;
      while (j < k.length() && Character.isDigit(k.charAt(j))) j++;
      if (j > i + 1) i = j;
    }
    return i == k.length() || k.charAt(i) == '#';
  }

  /** Fail counts from the node's transient attributes, with failure-timeout expiry. */
  private void failCounts(Rsc rsc, Node node) {
    int total = rsc.failCount.getOrDefault(node, 0);
    long last = 0;
    String base = rsc.baseId;
    boolean anonymous = rsc.inClone() && !Values.isTrue(rsc.top().meta.get("globally-unique"));
    for (Map.Entry<String, String> a : node.attributes.entrySet()) {
      String k = a.getKey();
      if (failureAttribute(k, "fail-count-" + base, anonymous)) {
        total = Values.add(total, Values.score(a.getValue()));
      } else if (failureAttribute(k, "last-failure-" + base, anonymous)) {
        try {
          last = Math.max(last, Long.parseLong(a.getValue().trim()));
        } catch (NumberFormatException ignored) {
          // no time known
        }
      }
    }
    // expired: only what the (unexpired) operation history itself set still counts
    if (rsc.failureTimeout > 0 && last > 0 && in.now > last + rsc.failureTimeout) total = rsc.failCount.getOrDefault(node, 0);
    if (total != 0) rsc.failCount.put(node, total);
  }
}
