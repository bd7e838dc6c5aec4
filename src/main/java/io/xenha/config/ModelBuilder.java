package io.xenha.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.ClusterSettings;
import io.xenha.config.XenhaConfig.JmxSettings;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.Ops;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the resolved `xenha` object into an XenhaConfig, reporting every problem on the way. */
final class ModelBuilder {
  static final List<String> TOP_KEYS = List.of(
      "cluster-name", "node-name", "state-root", "nodes", "node-defaults", "properties",
      "resource-defaults", "resources", "constraints", "cluster", "jmx");
  static final List<String> NODE_KEYS = List.of("address", "hypervisor", "jmx-host", "jmx-port", "state-dir");
  static final List<String> PROPERTY_KEYS = List.of(
      "stonith-enabled", "stonith-action", "no-quorum-policy", "default-resource-stickiness",
      "migration-threshold", "failure-timeout", "symmetric-cluster", "placement-strategy",
      "batch-limit", "startup-fencing", "dc-deadtime");
  static final List<String> RESOURCE_DEFAULT_KEYS = List.of("allow-migrate", "start-delay", "priority", "target-role", "ops");
  static final List<String> COMMON_RESOURCE_KEYS = List.of(
      "type", "description", "resource-stickiness", "migration-threshold", "start-delay", "priority",
      "target-role", "ops", "clone");
  static final List<String> DOMAIN_ONLY_KEYS = List.of("domain-xml", "allow-migrate", "utilization");
  static final List<String> STONITH_ONLY_KEYS = List.of("agent", "hosts", "params");
  static final List<String> OP_NAMES = List.of("start", "stop", "monitor", "migrate");
  static final List<String> CLUSTER_KEYS = List.of(
      "split-brain-resolver", "stable-after", "heartbeat-interval", "acceptable-heartbeat-pause", "ask-timeout");

  static final List<String> STONITH_ACTIONS = List.of("reboot", "off");
  static final List<String> NO_QUORUM_POLICIES = List.of("stop", "freeze", "ignore");
  static final List<String> PLACEMENT_STRATEGIES = List.of("default", "utilization", "balanced", "minimal");
  static final List<String> TARGET_ROLES = List.of("Started", "Stopped");
  static final List<String> ORDER_KINDS = List.of("mandatory", "optional", "serialize");
  static final List<String> SBR_STRATEGIES = List.of("keep-majority", "keep-oldest", "static-quorum", "down-all", "lease-majority");
  static final List<String> RESOURCE_TYPES = List.of("domain", "stonith");
  static final List<String> LATER_TYPES = List.of("ocf", "builtin");
  static final List<String> FENCE_AGENTS = List.of("builtin:kill");

  /** Pekko names the actor system after the cluster and accepts only these characters. */
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  /** Pacemaker ids are XML names; ':' is kept free for clone instances (ID:N). */
  private static final Pattern RESOURCE_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern FILE_LINE = Pattern.compile("^(.*): (\\d+)(?:-\\d+)?$");

  private final Path mainFile;
  private final ConfigObject xenha;
  private final Set<String> referenceTopKeys;
  private final Optional<String> nodeNameOverride;
  private final Problems problems;
  private final Map<List<String>, List<Integer>> definitions;

  private record ResourceDefaults(boolean allowMigrate, Duration startDelay, int priority, String targetRole, Ops ops) {}

  ModelBuilder(Path mainFile, ConfigObject xenha, Set<String> referenceTopKeys, Optional<String> nodeNameOverride,
      Problems problems, Map<List<String>, List<Integer>> definitions) {
    this.mainFile = mainFile;
    this.definitions = definitions;
    this.xenha = xenha;
    this.referenceTopKeys = referenceTopKeys;
    this.nodeNameOverride = nodeNameOverride;
    this.problems = problems;
  }

  /** The model, or null when an error was found. */
  XenhaConfig build() {
    Section top = new Section(xenha, "xenha", problems);
    Set<String> known = new LinkedHashSet<>(TOP_KEYS);
    known.addAll(referenceTopKeys); // settings other packages keep in reference.conf
    top.checkKeys(known);

    String clusterName = top.string("cluster-name", "xenha");
    if (!CLUSTER_NAME.matcher(clusterName).matches()) {
      top.error("cluster-name", "invalid cluster name '" + clusterName
          + "': letters, digits, '-' and '_' only, starting with a letter or digit");
    }
    JmxSettings jmx = jmx(top.section("jmx"));
    Path stateRoot = path(top, "state-root", Path.of("/var/lib/xenha"));
    Map<String, NodeSpec> nodes = nodes(top, jmx, stateRoot);
    Optional<String> nodeName = nodeName(top, nodes);
    ClusterProperties properties = properties(top.section("properties"));
    ResourceDefaults defaults = resourceDefaults(top.section("resource-defaults"));
    Map<String, ResourceSpec> resources = resources(top, nodes, defaults);
    Section constraints = top.section("constraints");
    List<OrderConstraint> orders = new ArrayList<>();
    List<LocationConstraint> locations = new ArrayList<>();
    if (constraints != null) {
      constraints.checkKeys(List.of("order", "location", "colocation"));
      Set<String> resourceIds = resourceIds(top);
      orders = orders(constraints, resourceIds);
      locations = locations(constraints, resourceIds, nodes.keySet());
      colocations(constraints);
    }
    ClusterSettings cluster = cluster(top.section("cluster"));

    if (problems.hasErrors()) return null;
    return new XenhaConfig(mainFile, clusterName, nodeName, Collections.unmodifiableMap(nodes), properties,
        Collections.unmodifiableMap(resources), List.copyOf(locations), List.copyOf(orders), cluster, jmx,
        checksum(resources));
  }

  // ---- nodes

  private Map<String, NodeSpec> nodes(Section top, JmxSettings jmx, Path stateRoot) {
    Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    String hypervisor = "xen:///system";
    Section defaults = top.section("node-defaults");
    if (defaults != null) {
      defaults.checkKeys(List.of("hypervisor"));
      hypervisor = defaults.string("hypervisor", hypervisor);
    }
    Section all = top.section("nodes");
    if (all == null) {
      if (!top.has("nodes")) top.missing("nodes", "at least one node");
      return nodes;
    }
    if (all.obj.isEmpty()) {
      problems.error(all.obj.origin(), all.path, "no nodes defined: add at least one node { address = \"host:port\" }");
      return nodes;
    }
    Map<String, String> addresses = new HashMap<>();
    Map<String, String> jmxEndpoints = new HashMap<>();
    for (Map.Entry<String, ConfigValue> e : inFileOrder(all.obj)) {
      String name = e.getKey();
      String key = all.keyPath(name);
      checkDuplicate("node", List.of("xenha", "nodes", name), e.getValue(), key);
      if (!NODE_NAME.matcher(name).matches()) {
        problems.error(e.getValue().origin(), key,
            "invalid node name '" + name + "': letters, digits, '.', '-' and '_' only");
      }
      Section n = all.section(name);
      if (n == null) continue;
      n.checkKeys(NODE_KEYS);
      String address = n.string("address", null);
      String host = null;
      int port = 0;
      if (address == null) {
        if (!n.has("address")) n.missing("address", "host:port of the node's cluster endpoint");
      } else {
        String[] hp = splitAddress(n, address);
        if (hp != null) {
          host = hp[0];
          port = Integer.parseInt(hp[1]);
          // port 0 (any free port) is for in-JVM test clusters, where every node says 127.0.0.1:0
          String other = port == 0 ? null : addresses.putIfAbsent(host + ":" + port, name);
          if (other != null) n.error("address", "address " + address + " is also used by node '" + other + "'");
        }
      }
      String hv = n.string("hypervisor", hypervisor);
      String jmxHost = n.string("jmx-host", jmx.host());
      int jmxPort = n.integer("jmx-port", jmx.port(), 1, 65535);
      if (host != null && port != 0) {
        // only a warning: nodes that never start JMX (tests) may share the default
        String other = jmxEndpoints.putIfAbsent(host + ":" + jmxPort, name);
        if (other != null) {
          problems.warning(n.value(n.has("jmx-port") ? "jmx-port" : "address").origin(),
              n.keyPath(n.has("jmx-port") ? "jmx-port" : "address"),
              "JMX port " + jmxPort + " is also used by node '" + other + "' on the same host " + host);
        }
      }
      Path stateDir = path(n, "state-dir", stateRoot.resolve(name));
      nodes.put(name, new NodeSpec(name, host, port, hv, jmxHost, jmxPort, stateDir));
    }
    return nodes;
  }

  /** host and port of "host:port" or "[v6]:port"; null after reporting a problem. */
  private static String[] splitAddress(Section n, String address) {
    String host;
    String port;
    if (address.startsWith("[")) {
      int close = address.indexOf("]:");
      if (close < 0) {
        n.error("address", "invalid address '" + address + "' (expected [IPv6]:port)");
        return null;
      }
      host = address.substring(1, close);
      port = address.substring(close + 2);
    } else {
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        n.error("address", "invalid address '" + address + "' (expected host:port, e.g. 10.0.0.1:2551)");
        return null;
      }
      host = address.substring(0, colon);
      port = address.substring(colon + 1);
      if (host.contains(":")) {
        n.error("address", "invalid address '" + address + "' (write IPv6 addresses in brackets: [::1]:2551)");
        return null;
      }
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 0 || p > 65535) {
      n.error("address", "invalid port '" + port + "' in address '" + address + "' (1 to 65535, or 0 for any free port)");
      return null;
    }
    return new String[] {host, Integer.toString(p)};
  }

  private Optional<String> nodeName(Section top, Map<String, NodeSpec> nodes) {
    Optional<String> name = nodeNameOverride.filter(s -> !s.isBlank());
    boolean fromOption = name.isPresent();
    if (name.isEmpty() && top.has("node-name")) name = Optional.ofNullable(top.string("node-name", null));
    if (name.isPresent() && !nodes.isEmpty() && !nodes.containsKey(name.get())) {
      String msg = "node '" + name.get() + "'" + (fromOption ? " (from --node)" : "")
          + " is not one of xenha.nodes (" + String.join(", ", nodes.keySet()) + ")"
          + Names.didYouMean(name.get(), nodes.keySet());
      if (fromOption) {
        problems.add(Problem.error(mainFile, 1, "xenha.node-name", msg));
      } else {
        top.error("node-name", msg);
      }
    }
    return name;
  }

  // ---- properties, defaults, cluster, jmx

  private ClusterProperties properties(Section p) {
    if (p == null) p = new Section(com.typesafe.config.ConfigFactory.empty().root(), "xenha.properties", problems);
    p.checkKeys(PROPERTY_KEYS);
    return new ClusterProperties(
        p.bool("stonith-enabled", true),
        p.choice("stonith-action", "reboot", STONITH_ACTIONS),
        p.choice("no-quorum-policy", "stop", NO_QUORUM_POLICIES),
        p.score("default-resource-stickiness", 100),
        threshold(p, "migration-threshold", 3),
        p.duration("failure-timeout", Duration.ofMinutes(10), true),
        p.bool("symmetric-cluster", true),
        p.choice("placement-strategy", "default", PLACEMENT_STRATEGIES),
        p.integer("batch-limit", 4, 1, Integer.MAX_VALUE),
        p.bool("startup-fencing", true),
        p.duration("dc-deadtime", Duration.ofSeconds(20), true));
  }

  /** migration-threshold: failures before moving away; INFINITY never moves (Integer.MAX_VALUE). */
  private static Integer threshold(Section s, String key, Integer dflt) {
    if (!s.has(key)) return dflt;
    ConfigValue v = s.value(key);
    if (v.valueType() == ConfigValueType.STRING) {
      String t = ((String) v.unwrapped()).trim();
      if (t.equalsIgnoreCase("INFINITY") || t.equalsIgnoreCase("+INFINITY")) return Integer.MAX_VALUE;
    }
    Object u = v.unwrapped();
    boolean integral = u instanceof Integer || u instanceof Long
        || (u instanceof String str && str.trim().matches("-?\\d+"));
    if (!integral) {
      s.error(key, "expected a number of failures (1 or more, or INFINITY), got " + Section.describe(v));
      return dflt;
    }
    long n = Long.parseLong(String.valueOf(u).trim());
    if (n < 1) {
      s.error(key, "must be 1 or more (or INFINITY), got " + n);
      return dflt;
    }
    return (int) Math.min(n, Integer.MAX_VALUE);
  }

  private ResourceDefaults resourceDefaults(Section d) {
    Ops builtin = new Ops(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(60));
    if (d == null) return new ResourceDefaults(false, Duration.ZERO, 0, "Started", builtin);
    d.checkKeys(RESOURCE_DEFAULT_KEYS);
    return new ResourceDefaults(
        d.bool("allow-migrate", false),
        d.duration("start-delay", Duration.ZERO, true),
        d.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE),
        d.choice("target-role", "Started", TARGET_ROLES),
        ops(d, builtin));
  }

  private Ops ops(Section r, Ops dflt) {
    Section o = r.section("ops");
    if (o == null) return dflt;
    o.checkKeys(OP_NAMES);
    Duration start = opTimeout(o, "start", dflt.startTimeout());
    Duration stop = opTimeout(o, "stop", dflt.stopTimeout());
    Duration migrate = opTimeout(o, "migrate", dflt.migrateTimeout());
    Duration interval = dflt.monitorInterval();
    Duration timeout = dflt.monitorTimeout();
    Section m = o.section("monitor");
    if (m != null) {
      m.checkKeys(List.of("interval", "timeout"));
      interval = m.duration("interval", interval, true);
      timeout = m.duration("timeout", timeout, false);
    }
    return new Ops(start, stop, interval, timeout, migrate);
  }

  private static Duration opTimeout(Section ops, String op, Duration dflt) {
    Section s = ops.section(op);
    if (s == null) return dflt;
    s.checkKeys(List.of("timeout"), Map.of("interval", "applies to monitor only"));
    return s.duration("timeout", dflt, false);
  }

  private ClusterSettings cluster(Section c) {
    if (c == null) c = new Section(com.typesafe.config.ConfigFactory.empty().root(), "xenha.cluster", problems);
    c.checkKeys(CLUSTER_KEYS);
    String sbr = c.choice("split-brain-resolver", "keep-majority", SBR_STRATEGIES);
    Duration stable = c.duration("stable-after", Duration.ofSeconds(7), false);
    Duration heartbeat = c.duration("heartbeat-interval", Duration.ofSeconds(1), false);
    Duration pause = c.duration("acceptable-heartbeat-pause", Duration.ofSeconds(3), false);
    Duration ask = c.duration("ask-timeout", Duration.ofSeconds(5), false);
    if (pause.compareTo(heartbeat) < 0) {
      c.error("acceptable-heartbeat-pause",
          "must not be shorter than heartbeat-interval (" + heartbeat.toMillis() + "ms), got " + pause.toMillis() + "ms");
    }
    return new ClusterSettings(sbr, stable, heartbeat, pause, ask);
  }

  private JmxSettings jmx(Section j) {
    if (j == null) return new JmxSettings("127.0.0.1", 9010);
    j.checkKeys(List.of("host", "port"));
    return new JmxSettings(j.string("host", "127.0.0.1"), j.integer("port", 9010, 1, 65535));
  }

  // ---- resources

  /** Every resource id, valid or not, so that a broken resource does not also break the constraints naming it. */
  private static Set<String> resourceIds(Section top) {
    ConfigValue v = top.value("resources");
    if (v == null || v.valueType() != ConfigValueType.OBJECT) return Set.of();
    return ((ConfigObject) v).keySet();
  }

  private Map<String, ResourceSpec> resources(Section top, Map<String, NodeSpec> nodes, ResourceDefaults defaults) {
    Map<String, ResourceSpec> out = new LinkedHashMap<>();
    Section all = top.section("resources");
    if (all == null) return out;
    Map<String, String> domainOwners = new HashMap<>();
    for (Map.Entry<String, ConfigValue> e : inFileOrder(all.obj)) {
      String id = e.getKey();
      String key = all.keyPath(id);
      checkDuplicate("resource id", List.of("xenha", "resources", id), e.getValue(), key);
      if (!RESOURCE_ID.matcher(id).matches()) {
        problems.error(e.getValue().origin(), key,
            "invalid resource id '" + id + "': letters, digits, '.', '-' and '_' only, starting with a letter or '_'");
      }
      Section r = all.section(id);
      if (r == null) continue;
      ResourceSpec spec = resource(id, r, nodes, defaults);
      if (spec == null) continue;
      if (spec.domainName() != null) {
        String other = domainOwners.putIfAbsent(spec.domainName(), id);
        if (other != null) {
          r.error("domain-xml", "duplicate libvirt domain '" + spec.domainName() + "': resource '" + other
              + "' manages it already");
        }
      }
      out.put(id, spec);
    }
    return out;
  }

  private ResourceSpec resource(String id, Section r, Map<String, NodeSpec> nodes, ResourceDefaults d) {
    if (r.has("clone")) r.error("clone", "clones are not supported yet");
    String type = r.string("type", null);
    if (type == null) {
      if (!r.has("type")) r.missing("type", "domain or stonith");
      return null;
    }
    if (LATER_TYPES.contains(type)) {
      r.error("type", "type " + type + " is not supported yet (domain or stonith)");
      return null;
    }
    if (!RESOURCE_TYPES.contains(type)) {
      r.error("type", "unknown type '" + type + "' (domain or stonith)" + Names.didYouMean(type, RESOURCE_TYPES));
      return null;
    }
    boolean domain = type.equals("domain");
    List<String> known = new ArrayList<>(COMMON_RESOURCE_KEYS);
    known.addAll(domain ? DOMAIN_ONLY_KEYS : STONITH_ONLY_KEYS);
    Map<String, String> elsewhere = new HashMap<>();
    for (String k : domain ? STONITH_ONLY_KEYS : DOMAIN_ONLY_KEYS) {
      elsewhere.put(k, "does not apply to type " + type + " (only to " + (domain ? "stonith" : "domain") + " resources)");
    }
    r.checkKeys(known, elsewhere);

    r.string("description", null);
    Integer stickiness = r.score("resource-stickiness", null);
    Integer threshold = threshold(r, "migration-threshold", null);
    Duration startDelay = r.duration("start-delay", d.startDelay(), true);
    int priority = r.integer("priority", d.priority(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    String targetRole = r.choice("target-role", d.targetRole(), TARGET_ROLES);
    Ops ops = ops(r, d.ops());

    if (domain) {
      boolean allowMigrate = r.bool("allow-migrate", d.allowMigrate());
      utilization(r.section("utilization"));
      DomainXml.Parsed xml = domainXml(r);
      return new ResourceSpec(id, type,
          xml == null ? null : xml.path().toAbsolutePath().normalize(),
          xml == null ? null : xml.xml(),
          xml == null ? null : xml.name(),
          allowMigrate, stickiness, threshold, startDelay, priority, targetRole, ops,
          null, List.of(), Map.of());
    }
    String agent = r.string("agent", null);
    if (agent == null && !r.has("agent")) r.missing("agent", "the fence agent, e.g. \"builtin:kill\"");
    if (agent != null && !FENCE_AGENTS.contains(agent)) {
      r.error("agent", "fence agent '" + agent + "' is not supported yet (only " + String.join(", ", FENCE_AGENTS) + ")");
    }
    List<String> hosts = r.stringList("hosts");
    for (String h : hosts) {
      if (!nodes.isEmpty() && !nodes.containsKey(h)) {
        r.error("hosts", "unknown node '" + h + "'" + Names.didYouMean(h, nodes.keySet()));
      }
    }
    return new ResourceSpec(id, type, null, null, null, false, stickiness, threshold, startDelay, priority,
        targetRole, ops, agent, List.copyOf(hosts), params(r.section("params")));
  }

  private static void utilization(Section u) {
    if (u == null) return;
    u.checkKeys(List.of("memory", "vcpus"));
    u.memorySize("memory");
    u.integer("vcpus", 1, 1, Integer.MAX_VALUE);
  }

  /** Agent parameters as strings; lists become space-separated (Pacemaker's convention). Sorted by name. */
  private Map<String, String> params(Section p) {
    Map<String, String> out = new TreeMap<>();
    if (p == null) return out;
    for (Map.Entry<String, ConfigValue> e : p.obj.entrySet()) {
      ConfigValue v = e.getValue();
      switch (v.valueType()) {
        case OBJECT:
          problems.error(v.origin(), p.keyPath(e.getKey()), "expected a value or a list, got an object");
          break;
        case NULL:
          break;
        case LIST:
          List<String> parts = new ArrayList<>();
          for (ConfigValue item : (ConfigList) v) parts.add(String.valueOf(item.unwrapped()));
          out.put(e.getKey(), String.join(" ", parts));
          break;
        default:
          out.put(e.getKey(), String.valueOf(v.unwrapped()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private DomainXml.Parsed domainXml(Section r) {
    String file = r.string("domain-xml", null);
    if (file == null) {
      if (!r.has("domain-xml")) r.missing("domain-xml", "the libvirt domain definition of the domU");
      return null;
    }
    Path path = baseDir(r.value("domain-xml").origin()).resolve(file).normalize();
    try {
      return DomainXml.read(path);
    } catch (DomainXml.Invalid e) {
      r.error("domain-xml", e.getMessage());
      return null;
    }
  }

  /** A path value; relative paths are relative to the directory of the file that set them. */
  private Path path(Section s, String key, Path dflt) {
    String p = s.string(key, null);
    if (p == null) return dflt;
    try {
      return baseDir(s.value(key).origin()).resolve(p).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      s.error(key, "invalid path '" + p + "': " + e.getReason());
      return dflt;
    }
  }

  private Path baseDir(ConfigOrigin origin) {
    Path f = problems.fileOf(origin);
    Path dir = f.getParent();
    return dir != null ? dir : Path.of("");
  }

  // ---- constraints

  private List<Section> entries(Section constraints, String kind) {
    List<Section> out = new ArrayList<>();
    ConfigValue v = constraints.value(kind);
    if (v == null) return out;
    if (v.valueType() != ConfigValueType.LIST) {
      constraints.error(kind, "expected a list [ { ... }, ... ], got " + Section.describe(v));
      return out;
    }
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      ConfigValue item = list.get(i);
      String key = constraints.keyPath(kind) + "[" + i + "]";
      if (item.valueType() != ConfigValueType.OBJECT) {
        problems.error(item.origin(), key, "expected an object { ... }, got " + Section.describe(item));
        out.add(null);
        continue;
      }
      out.add(new Section((ConfigObject) item, key, problems));
    }
    return out;
  }

  private String resourceRef(Section c, String key, Set<String> resourceIds) {
    String id = c.string(key, null);
    if (id == null) {
      if (!c.has(key)) c.missing(key, "a resource id");
      return null;
    }
    if (!resourceIds.contains(id)) {
      c.error(key, "unknown resource '" + id + "'" + Names.didYouMean(id, resourceIds));
      return null;
    }
    return id;
  }

  private List<OrderConstraint> orders(Section constraints, Set<String> resourceIds) {
    List<OrderConstraint> out = new ArrayList<>();
    List<Section> entries = entries(constraints, "order");
    List<Section> edgeAt = new ArrayList<>();
    for (Section o : entries) {
      if (o == null) continue;
      o.checkKeys(List.of("first", "then", "kind", "symmetrical"));
      String first = resourceRef(o, "first", resourceIds);
      String then = resourceRef(o, "then", resourceIds);
      String kind = o.choice("kind", "mandatory", ORDER_KINDS);
      if (kind.equals("serialize")) {
        o.error("kind", "kind serialize is not supported yet (mandatory or optional)");
        kind = "mandatory";
      }
      boolean symmetrical = o.bool("symmetrical", true);
      if (first == null || then == null) continue;
      if (first.equals(then)) {
        o.error("then", "resource '" + first + "' cannot be ordered after itself");
        continue;
      }
      out.add(new OrderConstraint(first, then, kind, symmetrical));
      edgeAt.add(o);
    }
    reportCycles(out, edgeAt);
    return out;
  }

  /** Depth-first search over first -> then; each back edge closes a cycle, reported at that constraint. */
  private void reportCycles(List<OrderConstraint> orders, List<Section> at) {
    Map<String, List<Integer>> edges = new LinkedHashMap<>();
    for (int i = 0; i < orders.size(); i++) {
      edges.computeIfAbsent(orders.get(i).first(), k -> new ArrayList<>()).add(i);
      edges.computeIfAbsent(orders.get(i).then(), k -> new ArrayList<>());
    }
    Map<String, Integer> state = new HashMap<>(); // absent: new, 1: on the path, 2: done
    for (String start : edges.keySet()) {
      if (!state.containsKey(start)) visit(start, edges, orders, at, state, new ArrayList<>());
    }
  }

  private void visit(String node, Map<String, List<Integer>> edges, List<OrderConstraint> orders, List<Section> at,
      Map<String, Integer> state, List<String> path) {
    state.put(node, 1);
    path.add(node);
    for (int i : edges.get(node)) {
      String next = orders.get(i).then();
      Integer s = state.get(next);
      if (s == null) {
        visit(next, edges, orders, at, state, path);
      } else if (s == 1) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(next), path.size()));
        cycle.add(next);
        Section o = at.get(i);
        problems.error(o.obj.origin(), o.path, "order cycle: " + String.join(" -> ", cycle));
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
  }

  private List<LocationConstraint> locations(Section constraints, Set<String> resourceIds, Set<String> nodeNames) {
    List<LocationConstraint> out = new ArrayList<>();
    for (Section l : entries(constraints, "location")) {
      if (l == null) continue;
      l.checkKeys(List.of("resource", "node", "score", "rule"));
      String resource = resourceRef(l, "resource", resourceIds);
      if (l.has("rule")) {
        l.error("rule", "location rules are not supported yet (use node and score)");
        continue;
      }
      String node = l.string("node", null);
      if (node == null && !l.has("node")) l.missing("node", "the node the score applies to");
      Integer score = l.score("score", null);
      if (score == null && !l.has("score")) l.missing("score", "an integer, INFINITY or -INFINITY");
      if (node != null && !nodeNames.isEmpty() && !nodeNames.contains(node)) {
        // Pacemaker ignores constraints on nodes that are not in the cluster.
        problems.warning(l.value("node").origin(), l.keyPath("node"),
            "unknown node '" + node + "', constraint ignored" + Names.didYouMean(node, nodeNames));
        continue;
      }
      if (resource != null && node != null && score != null) out.add(new LocationConstraint(resource, node, score));
    }
    return out;
  }

  private void colocations(Section constraints) {
    ConfigValue v = constraints.value("colocation");
    if (v == null) return;
    if (v.valueType() != ConfigValueType.LIST) {
      constraints.error("colocation", "expected a list [ { ... }, ... ], got " + Section.describe(v));
    } else if (!((ConfigList) v).isEmpty()) {
      constraints.error("colocation", "colocation is not supported yet");
    }
  }

  // ---- helpers

  /**
   * Typesafe Config merges two objects with the same key without a word. Two blocks in the main file
   * are found by scanning its text; a merge across files shows in the origin: "merge of a: 3,b: 5".
   */
  private void checkDuplicate(String what, List<String> path, ConfigValue v, String key) {
    String id = path.get(path.size() - 1);
    List<Integer> lines = definitions.getOrDefault(path, List.of());
    if (lines.size() > 1) {
      problems.add(Problem.error(mainFile, lines.get(1), key,
          "duplicate " + what + " '" + id + "' (first defined at line " + lines.get(0) + ")"));
      return;
    }
    String desc = v.origin().description();
    if (desc.startsWith("merge of ")) {
      String rest = desc.substring("merge of ".length());
      int comma = rest.indexOf(',');
      Matcher m = FILE_LINE.matcher(comma < 0 ? rest : rest.substring(0, comma));
      Path file = mainFile;
      int line = 1;
      if (m.matches()) {
        file = Path.of(m.group(1));
        line = Integer.parseInt(m.group(2));
      }
      problems.add(Problem.error(file, line, key,
          "duplicate " + what + " '" + id + "' (defined in " + rest.replace(",", ", ") + ")"));
    }
  }

  /** The entries of an object in the order they were written (the user's file first, then includes). */
  private List<Map.Entry<String, ConfigValue>> inFileOrder(ConfigObject obj) {
    List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(obj.entrySet());
    entries.sort(Comparator
        .comparing((Map.Entry<String, ConfigValue> e) -> !problems.fileOf(e.getValue().origin()).equals(mainFile))
        .thenComparing(e -> problems.fileOf(e.getValue().origin()).toString())
        .thenComparingInt(e -> e.getValue().origin().lineNumber())
        .thenComparing(Map.Entry::getKey));
    return entries;
  }

  /**
   * SHA-256 over the resolved xenha section without node-name (concise JSON, keys sorted) and the
   * content of every domain XML, so that nodes compare what they would really run.
   */
  private String checksum(Map<String, ResourceSpec> resources) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      String canonical = xenha.withoutKey("node-name").render(ConfigRenderOptions.concise());
      sha.update(canonical.getBytes(StandardCharsets.UTF_8));
      for (ResourceSpec r : new TreeMap<>(resources).values()) {
        if (r.domainXml() == null) continue;
        sha.update(("\n" + r.id() + "\n").getBytes(StandardCharsets.UTF_8));
        sha.update(r.domainXml().getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
