package io.xenha.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.ClusterSettings;
import io.xenha.config.XenhaConfig.PersistenceSettings;
import io.xenha.config.XenhaConfig.ColocationConstraint;
import io.xenha.config.XenhaConfig.JmxSettings;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.Ops;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the resolved `xenha` object into an XenhaConfig, reporting every problem on the way. */
final class ModelBuilder {
  static final List<String> TOP_KEYS = List.of(
      "cluster-name", "node-name", "state-root", "ocf-root", "nodes", "node-defaults", "properties",
      "resource-defaults", "resources", "constraints", "fencing-topology", "cluster", "jmx", "persistence",
      "security");
  static final List<String> NODE_KEYS =
      List.of("address", "hypervisor", "jmx-host", "jmx-port", "state-dir", "attributes", "standby", "utilization", "votes");
  static final List<String> PROPERTY_KEYS = List.of(
      "stonith-enabled", "stonith-action", "no-quorum-policy", "default-resource-stickiness",
      "migration-threshold", "failure-timeout", "symmetric-cluster", "placement-strategy",
      "batch-limit", "startup-fencing", "dc-deadtime", "stonith-timeout", "priority-fencing-delay",
      "fence-retry-max-backoff", "self-fence-deadline", "maintenance-mode", "start-failure-is-fatal",
      "stop-orphan-resources", "migration-limit", "concurrent-fencing");
  static final List<String> RESOURCE_DEFAULT_KEYS = List.of(
      "allow-migrate", "start-delay", "priority", "target-role", "ops", "is-managed", "multiple-active");
  static final List<String> COMMON_RESOURCE_KEYS = List.of(
      "type", "description", "resource-stickiness", "migration-threshold", "start-delay", "priority",
      "target-role", "ops", "clone", "is-managed", "failure-timeout", "multiple-active", "requires", "utilization");
  /** A group's keys: its members and the meta attributes Pacemaker passes on to them. */
  static final List<String> GROUP_KEYS = List.of(
      "type", "description", "members", "ordered", "collocated", "clone", "resource-stickiness",
      "migration-threshold", "priority", "target-role", "is-managed", "failure-timeout");
  static final List<String> DOMAIN_ONLY_KEYS = List.of("domain-xml", "allow-migrate");
  static final List<String> STONITH_ONLY_KEYS = List.of("agent", "hosts", "host-map", "params");
  static final List<String> AGENT_KEYS = List.of("agent", "params");
  static final List<String> CLONE_KEYS = List.of("clone-max", "clone-node-max", "clone-min", "interleave", "notify");
  /** Built-in resource agents (type = builtin) and the parameters each reads. */
  static final Map<String, List<String>> BUILTIN_AGENTS = Map.of("ping", List.of("host-list", "multiplier", "dampen", "name"));
  static final List<String> OP_NAMES = List.of("start", "stop", "monitor", "migrate", "fence");
  static final List<String> ON_FAIL = List.of("restart", "ignore", "block", "stop", "standby", "fence");
  static final List<String> MULTIPLE_ACTIVE = List.of("stop_start", "stop_only", "block");
  static final List<String> REQUIRES = List.of("nothing", "quorum", "fencing");
  static final List<String> ORDER_ACTIONS = List.of("start", "stop", "promote", "demote");
  static final List<String> CLUSTER_KEYS = List.of(
      "split-brain-resolver", "stable-after", "heartbeat-interval", "acceptable-heartbeat-pause", "ask-timeout",
      "shutdown-timeout");

  static final List<String> STONITH_ACTIONS = List.of("reboot", "off");
  static final List<String> NO_QUORUM_POLICIES = List.of("stop", "freeze", "ignore");
  static final List<String> PLACEMENT_STRATEGIES = List.of("default", "utilization", "balanced", "minimal");
  static final List<String> TARGET_ROLES = List.of("Started", "Stopped");
  static final List<String> ORDER_KINDS = List.of("mandatory", "optional", "serialize");
  static final List<String> SBR_STRATEGIES =
      List.of("quorum", "two-node", "keep-majority", "keep-oldest", "static-quorum", "down-all", "lease-majority");
  static final List<String> RESOURCE_TYPES = List.of("domain", "stonith", "ocf", "builtin", "group");
  static final List<String> BUILTIN_FENCE_AGENTS = List.of("builtin:kill", "builtin:libvirt", "builtin:ssh");
  /** Parameters each built-in agent reads; builtin:kill passes anything on, so it is not checked. */
  static final Map<String, List<String>> BUILTIN_PARAMS = Map.of(
      "builtin:libvirt", List.of("uri", "domain"),
      "builtin:ssh", List.of("user", "command", "port", "identity-file", "known-hosts"));
  /** Where Debian's fence-agents package installs its programs. */
  static final Path FENCE_AGENT_DIR = Path.of("/usr/sbin");
  static final String SECRET_MESSAGE =
      "secrets are never written in the configuration: use password-file = PATH or password-env = VAR";
  /** Pacemaker's usual monitor of a fence device: a status call to the hardware every minute is enough. */
  static final Duration STONITH_MONITOR_INTERVAL = Duration.ofSeconds(60);
  static final Duration STONITH_MONITOR_TIMEOUT = Duration.ofSeconds(20);

  /** Pekko names the actor system after the cluster and accepts only these characters. */
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
  /** Pacemaker ids are XML names; ':' is kept free for clone instances (ID:N). */
  private static final Pattern RESOURCE_ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern FILE_LINE = Pattern.compile("^(.*): (\\d+)(?:-\\d+)?$");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Path mainFile;
  private final ConfigObject xenha;
  private final Set<String> referenceTopKeys;
  private final Optional<String> nodeNameOverride;
  private final Problems problems;
  private final Map<List<String>, List<Integer>> definitions;

  /** monitorIntervalSet / monitorTimeoutSet: the user's file set them (then they apply to fence devices too). */
  private record ResourceDefaults(boolean allowMigrate, Duration startDelay, int priority, String targetRole, Ops ops,
      boolean monitorIntervalSet, boolean monitorTimeoutSet, boolean managed, String multipleActive) {}

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
    String longName = Limits.tooLong("cluster name", clusterName, Limits.MAX_CLUSTER_NAME);
    if (longName != null) {
      top.error("cluster-name", longName);
    } else if (!CLUSTER_NAME.matcher(clusterName).matches()) {
      top.error("cluster-name", "invalid cluster name '" + clusterName
          + "': letters, digits, '-' and '_' only, starting with a letter or digit");
    }
    JmxSettings jmx = jmx(top.section("jmx"));
    Path stateRoot = path(top, "state-root", Path.of("/var/lib/xenha"));
    Path ocfRoot = path(top, "ocf-root", Path.of("/usr/lib/ocf"));
    Map<String, NodeSpec> nodes = nodes(top, jmx, stateRoot);
    Optional<String> nodeName = nodeName(top, nodes);
    Section propertySection = top.section("properties");
    ClusterProperties properties = properties(propertySection);
    ResourceDefaults defaults = resourceDefaults(top.section("resource-defaults"));
    Map<String, ResourceSpec> resources = resources(top, nodes, defaults, properties, ocfRoot);
    groups(top, resources);
    checkSelfFenceDeadline(propertySection, properties, resources);
    Map<String, List<List<String>>> topology = fencingTopology(top, nodes, resources);
    Section constraints = top.section("constraints");
    List<OrderConstraint> orders = new ArrayList<>();
    List<LocationConstraint> locations = new ArrayList<>();
    List<ColocationConstraint> colocations = new ArrayList<>();
    if (constraints != null) {
      constraints.checkKeys(List.of("order", "location", "colocation"));
      Set<String> resourceIds = resourceIds(top);
      orders = orders(constraints, resourceIds);
      locations = locations(constraints, resourceIds, nodes.keySet());
      colocations = colocations(constraints, resourceIds);
    }
    ClusterSettings cluster = cluster(top.section("cluster"));
    if (cluster.sbrStrategy().equals("two-node")) {
      // both halves of a cut link keep running in this mode: only fencing makes that safe
      Section c = top.section("cluster");
      ConfigValue at = c == null ? null : c.value("split-brain-resolver");
      if (!properties.stonithEnabled()) {
        problems.error(at == null ? null : at.origin(), "xenha.cluster.split-brain-resolver",
            "two-node needs stonith-enabled = true: without fencing both nodes of a cut link would run every domU");
      }
      if (nodes.size() != 2) {
        problems.error(at == null ? null : at.origin(), "xenha.cluster.split-brain-resolver",
            "two-node is for clusters of exactly 2 nodes (this one has " + nodes.size() + "); use quorum");
      }
    }

    PersistenceSettings persistence = persistence(top.section("persistence"));
    SafetyWarnings.check(xenha, nodes, properties, cluster, resources, locations, problems);
    SecuritySettings security = new SecuritySection(problems).read(top, nodes, Path.of("").toAbsolutePath());

    if (problems.hasErrors()) return null;
    return new XenhaConfig(mainFile, clusterName, nodeName, Collections.unmodifiableMap(nodes), properties,
        Collections.unmodifiableMap(resources), List.copyOf(locations), List.copyOf(orders), cluster, jmx,
        checksum(resources), topology, ocfRoot, List.copyOf(colocations), persistence, security);
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
      String tooLong = Limits.tooLong("node name", name, Limits.MAX_NODE_NAME);
      if (tooLong != null) {
        problems.error(e.getValue().origin(), key, tooLong);
        continue;
      }
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
      Map<String, String> attributes = nodeAttributes(n.section("attributes"));
      boolean standby = n.bool("standby", false);
      Map<String, Long> utilization = utilization(n.section("utilization"));
      // corosync votequorum's per-node votes: quorum is a majority of the configured votes
      int votes = n.integer("votes", 1, 0, 1000);
      nodes.put(name, new NodeSpec(name, host, port, hv, jmxHost, jmxPort, stateDir, attributes, standby, utilization, votes));
    }
    return nodes;
  }

  /** attributes { rack = "2" }: node attributes for rules, values as strings; '#' names are the built-in ones. */
  private Map<String, String> nodeAttributes(Section a) {
    Map<String, String> out = new LinkedHashMap<>();
    if (a == null) return out;
    for (Map.Entry<String, ConfigValue> e : inFileOrder(a.obj)) {
      String name = e.getKey();
      ConfigValue v = e.getValue();
      if (name.startsWith("#")) {
        problems.error(v.origin(), a.keyPath(name), "attribute names starting with '#' are set by xenha (#uname, #is_dc)");
        continue;
      }
      if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
          || v.valueType() == ConfigValueType.NULL) {
        problems.error(v.origin(), a.keyPath(name), "expected a value (string or number), got " + Section.describe(v));
        continue;
      }
      out.put(name, String.valueOf(v.unwrapped()));
    }
    return Collections.unmodifiableMap(out);
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
    Duration stonithTimeout = p.duration("stonith-timeout", Duration.ofSeconds(60), false);
    Duration priorityDelay = p.duration("priority-fencing-delay", Duration.ZERO, true);
    if (priorityDelay.compareTo(stonithTimeout) >= 0 && p.has("priority-fencing-delay")) {
      // the delayed side would still be waiting when its fencing request times out
      problems.warning(p.value("priority-fencing-delay").origin(), p.keyPath("priority-fencing-delay"),
          "priority-fencing-delay (" + human(priorityDelay) + ") is not shorter than stonith-timeout ("
              + human(stonithTimeout) + ")");
    }
    Duration backoff = p.duration("fence-retry-max-backoff", Duration.ofSeconds(30), false); // 1s or more: Limits
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
        p.duration("dc-deadtime", Duration.ofSeconds(60), true),
        stonithTimeout,
        priorityDelay,
        backoff,
        p.duration("self-fence-deadline", Duration.ofSeconds(30), false),
        p.bool("maintenance-mode", false),
        p.bool("start-failure-is-fatal", true),
        p.bool("stop-orphan-resources", true),
        p.integer("migration-limit", -1, -1, Integer.MAX_VALUE),
        p.bool("concurrent-fencing", true));
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
    // digits beyond 64 bits come as a string; any count that large is INFINITY, as in Pacemaker
    java.math.BigInteger n = new java.math.BigInteger(String.valueOf(u).trim());
    if (n.signum() < 1) {
      s.error(key, "must be 1 or more (or INFINITY), got " + n);
      return dflt;
    }
    return n.min(java.math.BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
  }

  private ResourceDefaults resourceDefaults(Section d) {
    Ops builtin = new Ops(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(60), null);
    if (d == null) {
      return new ResourceDefaults(false, Duration.ZERO, 0, "Started", builtin, false, false, true, "stop_start");
    }
    d.checkKeys(RESOURCE_DEFAULT_KEYS);
    return new ResourceDefaults(
        d.bool("allow-migrate", false),
        d.duration("start-delay", Duration.ZERO, true),
        d.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE),
        d.choice("target-role", "Started", TARGET_ROLES),
        ops(d, builtin, "defaults"),
        fromUser(d, "ops", "monitor", "interval"),
        fromUser(d, "ops", "monitor", "timeout"),
        d.bool("is-managed", true),
        d.choice("multiple-active", "stop_start", MULTIPLE_ACTIVE));
  }

  /**
   * True when the value at the path was written by the user, not taken from reference.conf (a classpath
   * resource). Walks the objects quietly: a value of the wrong type is reported by the getters.
   */
  private static boolean fromUser(Section s, String... path) {
    ConfigValue v = s.obj;
    for (String key : path) {
      if (v == null || v.valueType() != ConfigValueType.OBJECT) return false;
      v = ((ConfigObject) v).get(key);
    }
    return v != null && v.valueType() != ConfigValueType.NULL && v.origin().resource() == null;
  }

  /**
   * The ops of a resource (kind "domain" or "stonith") or of resource-defaults (kind "defaults"). ops.fence exists
   * only on fence devices; its default, properties.stonith-timeout, is already in {@code dflt}.
   */
  private Ops ops(Section r, Ops dflt, String kind) {
    Section o = r.section("ops");
    if (o == null) return dflt;
    Map<String, String> elsewhere = new HashMap<>();
    if (!kind.equals("stonith")) {
      elsewhere.put("fence", kind.equals("defaults")
          ? "is not a resource default (set properties.stonith-timeout)"
          : "applies to stonith resources only");
    }
    o.checkKeys(kind.equals("stonith") ? OP_NAMES : OP_NAMES.subList(0, OP_NAMES.size() - 1), elsewhere);
    Duration start = opTimeout(o, "start", dflt.startTimeout());
    Duration stop = opTimeout(o, "stop", dflt.stopTimeout());
    Duration migrate = opTimeout(o, "migrate", dflt.migrateTimeout());
    Duration fence = kind.equals("stonith") ? opTimeout(o, "fence", dflt.fenceTimeout()) : dflt.fenceTimeout();
    Duration interval = dflt.monitorInterval();
    Duration timeout = dflt.monitorTimeout();
    Section m = o.section("monitor");
    if (m != null) {
      m.checkKeys(List.of("interval", "timeout", "on-fail"));
      interval = m.duration("interval", interval, true);
      timeout = m.duration("timeout", timeout, false);
    }
    Map<String, String> onFail = new LinkedHashMap<>(dflt.onFail());
    for (String op : List.of("start", "stop", "monitor", "migrate")) {
      Section s = o.section(op);
      if (s == null || !s.has("on-fail")) continue;
      String v = s.choice("on-fail", null, ON_FAIL);
      if (v != null) onFail.put(op, v);
    }
    return new Ops(start, stop, interval, timeout, migrate, fence, Collections.unmodifiableMap(onFail));
  }

  private static Duration opTimeout(Section ops, String op, Duration dflt) {
    Section s = ops.section(op);
    if (s == null) return dflt;
    s.checkKeys(op.equals("fence") ? List.of("timeout") : List.of("timeout", "on-fail"),
        Map.of("interval", "applies to monitor only"));
    return s.duration("timeout", dflt, false);
  }

  /** on-fail = fence needs fencing, as in Pacemaker (which falls back to block); here it is an error. */
  private static void checkOnFail(Section r, Ops ops, ClusterProperties properties) {
    if (properties.stonithEnabled()) return;
    Section o = r.section("ops");
    if (o == null) return;
    for (Map.Entry<String, String> e : ops.onFail().entrySet()) {
      Section s = o.section(e.getKey());
      if (e.getValue().equals("fence") && s != null && s.has("on-fail")) {
        s.error("on-fail", "on-fail = fence needs properties.stonith-enabled = true");
      }
    }
  }

  private ClusterSettings cluster(Section c) {
    if (c == null) c = new Section(com.typesafe.config.ConfigFactory.empty().root(), "xenha.cluster", problems);
    c.checkKeys(CLUSTER_KEYS);
    String sbr = c.choice("split-brain-resolver", "quorum", SBR_STRATEGIES);
    Duration stable = c.duration("stable-after", Duration.ofSeconds(2), false);
    Duration heartbeat = c.duration("heartbeat-interval", Duration.ofMillis(500), false);
    Duration pause = c.duration("acceptable-heartbeat-pause", Duration.ofMillis(2500), false);
    Duration ask = c.duration("ask-timeout", Duration.ofSeconds(5), false);
    Duration shutdown = c.duration("shutdown-timeout", Duration.ofMinutes(5), false);
    if (pause.compareTo(heartbeat) < 0) {
      c.error("acceptable-heartbeat-pause",
          "must not be shorter than heartbeat-interval (" + heartbeat.toMillis() + "ms), got " + pause.toMillis() + "ms");
    }
    return new ClusterSettings(sbr, stable, heartbeat, pause, ask, shutdown);
  }

  private PersistenceSettings persistence(Section p) {
    PersistenceSettings d = PersistenceSettings.DEFAULT;
    if (p == null) return d;
    p.checkKeys(List.of("journal", "postgresql", "snapshot-every", "history-size", "recovery-timeout"));
    String journal = p.choice("journal", d.journal(), List.of("h2", "postgresql"));
    int snapshotEvery = p.integer("snapshot-every", d.snapshotEvery(), 1, 1_000_000);
    int historySize = p.integer("history-size", d.historySize(), 1, 1_000_000);
    Duration recovery = p.duration("recovery-timeout", d.recoveryTimeout(), false);
    Section pg = p.section("postgresql");
    if (!journal.equals("postgresql")) {
      return new PersistenceSettings(journal, null, null, null, snapshotEvery, historySize, recovery);
    }
    if (pg == null) {
      p.missing("postgresql", "postgresql { url = \"jdbc:postgresql://HOST:5432/DB\", user = U, password-file = F }");
      return d;
    }
    pg.checkKeys(List.of("url", "user", "password-file"));
    String url = pg.string("url", null);
    if (url == null) {
      pg.missing("url", "the JDBC URL, e.g. jdbc:postgresql://db1:5432/xenha");
    } else if (!url.startsWith("jdbc:postgresql:")) {
      pg.error("url", "not a PostgreSQL JDBC URL: '" + url + "' (expected jdbc:postgresql://HOST:PORT/DATABASE)");
    }
    String user = pg.string("user", null);
    if (user == null) pg.missing("user", "the database user");
    Path passwordFile = null;
    if (pg.has("password-file")) {
      passwordFile = path(pg, "password-file", null);
      String why = passwordFile == null ? null : unreadable(passwordFile);
      if (why != null) pg.error("password-file", "cannot read password file " + passwordFile + ": " + why);
    }
    return new PersistenceSettings(journal, url, user, passwordFile == null ? null : passwordFile.toAbsolutePath(),
        snapshotEvery, historySize, recovery);
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

  private Map<String, ResourceSpec> resources(Section top, Map<String, NodeSpec> nodes, ResourceDefaults defaults,
      ClusterProperties properties, Path ocfRoot) {
    Map<String, ResourceSpec> out = new LinkedHashMap<>();
    Section all = top.section("resources");
    if (all == null) return out;
    Map<String, String> domainOwners = new HashMap<>();
    for (Map.Entry<String, ConfigValue> e : inFileOrder(all.obj)) {
      String id = e.getKey();
      String key = all.keyPath(id);
      checkDuplicate("resource id", List.of("xenha", "resources", id), e.getValue(), key);
      String tooLong = Limits.tooLong("resource id", id, Limits.MAX_RESOURCE_ID);
      if (tooLong != null) {
        problems.error(e.getValue().origin(), key, tooLong);
        continue; // its other problems would each repeat the whole id
      }
      if (!RESOURCE_ID.matcher(id).matches()) {
        problems.error(e.getValue().origin(), key,
            "invalid resource id '" + id + "': letters, digits, '.', '-' and '_' only, starting with a letter or '_'");
      }
      Section r = all.section(id);
      if (r == null) continue;
      ResourceSpec spec = resource(id, r, nodes, defaults, properties, ocfRoot);
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

  private ResourceSpec resource(String id, Section r, Map<String, NodeSpec> nodes, ResourceDefaults d,
      ClusterProperties properties, Path ocfRoot) {
    String type = r.string("type", null);
    if (type == null) {
      if (!r.has("type")) r.missing("type", String.join(", ", RESOURCE_TYPES));
      return null;
    }
    if (!RESOURCE_TYPES.contains(type)) {
      r.error("type", "unknown type '" + type + "' (" + String.join(", ", RESOURCE_TYPES) + ")"
          + Names.didYouMean(type, RESOURCE_TYPES));
      return null;
    }
    if (type.equals("group")) return group(id, r, nodes, d);
    boolean domain = type.equals("domain");
    boolean stonith = type.equals("stonith");
    List<String> known = new ArrayList<>(COMMON_RESOURCE_KEYS);
    known.addAll(domain ? DOMAIN_ONLY_KEYS : stonith ? STONITH_ONLY_KEYS : AGENT_KEYS);
    Map<String, String> elsewhere = new HashMap<>();
    for (String k : DOMAIN_ONLY_KEYS) {
      if (!known.contains(k)) elsewhere.put(k, "does not apply to type " + type + " (only to domain resources)");
    }
    for (String k : STONITH_ONLY_KEYS) {
      if (!known.contains(k)) elsewhere.put(k, "does not apply to type " + type + " (only to stonith resources)");
    }
    for (String k : List.of("members", "ordered", "collocated")) elsewhere.put(k, "applies to type group only");
    r.checkKeys(known, elsewhere);
    XenhaConfig.Clone clone = clone(r, type, nodes.size());

    r.string("description", null);
    Integer stickiness = r.score("resource-stickiness", null);
    Integer threshold = threshold(r, "migration-threshold", null);
    Duration startDelay = r.duration("start-delay", d.startDelay(), true);
    int priority = r.integer("priority", d.priority(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    String targetRole = r.choice("target-role", d.targetRole(), TARGET_ROLES);
    Ops ops = stonith ? ops(r, stonithOps(d, properties), "stonith") : ops(r, d.ops(), "domain");
    checkOnFail(r, ops, properties);
    Map<String, Long> utilization = utilization(r.section("utilization"));
    boolean managed = r.bool("is-managed", d.managed());
    Duration failureTimeout = r.duration("failure-timeout", null, true);
    String multipleActive = r.choice("multiple-active", d.multipleActive(), MULTIPLE_ACTIVE);
    String requires = requires(r, stonith, properties);

    if (!domain && !stonith) {
      String agent = type.equals("ocf") ? ocfAgent(r, ocfRoot) : builtinAgent(r);
      Section paramSection = r.section("params");
      Map<String, String> params = params(paramSection, false);
      if ("ping".equals(agent)) pingParams(r, paramSection, params);
      return new ResourceSpec(id, type, null, null, null, false, stickiness, threshold, startDelay, priority,
          targetRole, ops, agent, List.of(), Collections.unmodifiableMap(params), Map.of(), clone, List.of(), true,
          true, null, utilization, managed, failureTimeout, multipleActive, requires);
    }

    if (domain) {
      boolean allowMigrate = r.bool("allow-migrate", d.allowMigrate());
      DomainXml.Parsed xml = domainXml(r);
      return new ResourceSpec(id, type,
          xml == null ? null : xml.path().toAbsolutePath().normalize(),
          xml == null ? null : xml.xml(),
          xml == null ? null : xml.name(),
          allowMigrate, stickiness, threshold, startDelay, priority, targetRole, ops,
          null, List.of(), Map.of(), Map.of(), null, List.of(), true, true, null, utilization, managed,
          failureTimeout, multipleActive, requires);
    }
    String agent = fenceAgent(r);
    Map<String, String> hostMap = hostMap(r, nodes.keySet());
    List<String> hosts;
    if (r.has("hosts")) {
      hosts = r.stringList("hosts");
      for (String h : hosts) {
        if (!nodes.isEmpty() && !nodes.containsKey(h)) {
          r.error("hosts", "unknown node '" + h + "'" + Names.didYouMean(h, nodes.keySet()));
        }
      }
      for (String n : hostMap.keySet()) {
        if (!hosts.contains(n)) {
          problems.warning(r.value("host-map").origin(), r.keyPath("host-map"),
              "node '" + n + "' is in host-map but not in hosts: this device will not fence it");
        }
      }
    } else {
      // Pacemaker: a device with pcmk_host_map fences the nodes it maps
      hosts = new ArrayList<>(hostMap.keySet());
    }
    Section paramSection = r.section("params");
    Map<String, String> params = params(paramSection, true);
    if (agent != null) agentParams(r, paramSection, agent, params);
    return new ResourceSpec(id, type, null, null, null, false, stickiness, threshold, startDelay, priority,
        targetRole, ops, agent, List.copyOf(hosts), Collections.unmodifiableMap(params),
        Collections.unmodifiableMap(hostMap), null, List.of(), true, true, null, utilization, managed, failureTimeout,
        multipleActive, requires);
  }

  /** requires: Pacemaker's default is quorum for fence devices and clusters without fencing, else fencing. */
  private static String requires(Section r, boolean stonith, ClusterProperties properties) {
    String dflt = stonith || !properties.stonithEnabled() ? "quorum" : "fencing";
    if (r.has("requires") && "unfencing".equalsIgnoreCase(String.valueOf(r.value("requires").unwrapped()))) {
      r.error("requires", "requires = unfencing is not supported (xenha does not unfence): nothing, quorum or fencing");
      return dflt;
    }
    String v = r.choice("requires", dflt, REQUIRES);
    if (v.equals("fencing") && !properties.stonithEnabled() && r.has("requires")) {
      r.error("requires", "requires = fencing needs properties.stonith-enabled = true");
    }
    return v;
  }

  /**
   * type = group: members in start order; each member is checked, and gets its group, in {@link #groups}. The ops
   * of a group are the defaults (a group runs no operation itself).
   */
  private ResourceSpec group(String id, Section r, Map<String, NodeSpec> nodes, ResourceDefaults d) {
    Map<String, String> elsewhere = new HashMap<>();
    for (String k : List.of("ops", "start-delay", "multiple-active", "requires", "utilization")) {
      elsewhere.put(k, "does not apply to a group: set it on its members");
    }
    for (String k : List.of("domain-xml", "allow-migrate", "agent", "params", "hosts", "host-map")) {
      elsewhere.put(k, "does not apply to a group: set it on its members");
    }
    r.checkKeys(GROUP_KEYS, elsewhere);
    XenhaConfig.Clone clone = clone(r, "group", nodes.size());
    r.string("description", null);
    List<String> members = List.of();
    if (!r.has("members")) {
      r.missing("members", "the ids of its resources in start order, e.g. [ip, fs, web]");
    } else if (r.value("members").valueType() != ConfigValueType.LIST) {
      r.error("members", "expected a list of resource ids [ a, b, c ], got " + Section.describe(r.value("members")));
    } else {
      members = new ArrayList<>();
      for (ConfigValue item : (ConfigList) r.value("members")) {
        if (item.valueType() != ConfigValueType.STRING) {
          problems.error(item.origin(), r.keyPath("members"), "expected a resource id, got " + Section.describe(item));
          continue;
        }
        String m = (String) item.unwrapped();
        if (members.contains(m)) {
          problems.error(item.origin(), r.keyPath("members"), "resource '" + m + "' is listed twice");
          continue;
        }
        members.add(m);
      }
      if (((ConfigList) r.value("members")).isEmpty()) r.error("members", "a group needs at least one member");
    }
    return new ResourceSpec(id, "group", null, null, null, false, r.score("resource-stickiness", null),
        threshold(r, "migration-threshold", null), Duration.ZERO,
        r.integer("priority", d.priority(), Integer.MIN_VALUE, Integer.MAX_VALUE),
        r.choice("target-role", d.targetRole(), TARGET_ROLES), d.ops(), null, List.of(), Map.of(), Map.of(), clone,
        List.copyOf(members), r.bool("ordered", true), r.bool("collocated", true), null, Map.of(),
        r.bool("is-managed", d.managed()), r.duration("failure-timeout", null, true), d.multipleActive(), null);
  }

  /**
   * Checks the members of every group (defined, not a group, not a clone, not a fence device, in one group only,
   * no domain in a cloned group) and records each member's group in its spec.
   */
  private void groups(Section top, Map<String, ResourceSpec> resources) {
    Section all = top.section("resources");
    if (all == null) return;
    Set<String> allIds = resourceIds(top);
    Map<String, String> groupOf = new HashMap<>();
    for (ResourceSpec g : List.copyOf(resources.values())) {
      if (!g.isGroup()) continue;
      Section r = all.section(g.id());
      for (String m : g.members()) {
        ResourceSpec member = resources.get(m);
        if (!allIds.contains(m)) {
          r.error("members", "unknown resource '" + m + "'" + Names.didYouMean(m, allIds));
        } else if (member == null) {
          continue; // broken itself, already reported
        } else if (member.isGroup()) {
          r.error("members", "resource '" + m + "' is a group: a group's members are primitives");
        } else if (member.isClone()) {
          r.error("members", "resource '" + m + "' is a clone: a group member cannot be a clone (clone the group"
              + " instead: clone { } on '" + g.id() + "')");
        } else if (member.isStonith()) {
          r.error("members", "resource '" + m + "' is a fence device: fence devices cannot be group members");
        } else if (member.isDomain() && g.isClone()) {
          r.error("members", "resource '" + m + "' is a domain and group '" + g.id()
              + "' is a clone: a domU runs on one node at a time");
        } else if (groupOf.containsKey(m)) {
          r.error("members", "resource '" + m + "' is already a member of group '" + groupOf.get(m)
              + "' (a resource belongs to one group at most)");
        } else {
          groupOf.put(m, g.id());
          resources.put(m, inGroup(member, g.id()));
        }
      }
    }
  }

  private static ResourceSpec inGroup(ResourceSpec r, String group) {
    return new ResourceSpec(r.id(), r.type(), r.domainXmlPath(), r.domainXml(), r.domainName(), r.allowMigrate(),
        r.stickiness(), r.migrationThreshold(), r.startDelay(), r.priority(), r.targetRole(), r.ops(), r.agent(),
        r.hosts(), r.params(), r.hostMap(), r.cloneSet(), r.members(), r.ordered(), r.collocated(), group,
        r.utilization(), r.managed(), r.failureTimeout(), r.multipleActive(), r.requires());
  }

  /** A fence device's ops defaults: resource-defaults, but Pacemaker's usual monitor unless the user set one there. */
  private static Ops stonithOps(ResourceDefaults d, ClusterProperties properties) {
    Ops o = d.ops();
    return new Ops(o.startTimeout(), o.stopTimeout(),
        d.monitorIntervalSet() ? o.monitorInterval() : STONITH_MONITOR_INTERVAL,
        d.monitorTimeoutSet() ? o.monitorTimeout() : STONITH_MONITOR_TIMEOUT,
        o.migrateTimeout(), properties.stonithTimeout());
  }

  /** clone { clone-max, clone-node-max, clone-min, interleave, notify }; null when the resource is not a clone. */
  private XenhaConfig.Clone clone(Section r, String type, int nodeCount) {
    if (!r.has("clone")) return null;
    if (type.equals("domain")) {
      r.error("clone", "a domain cannot be a clone: a domU runs on one node at a time");
      return null;
    }
    if (type.equals("stonith")) {
      r.error("clone", "a fence device cannot be a clone: it is placed once and fences from any node");
      return null;
    }
    Section c = r.section("clone");
    if (c == null) return null;
    c.checkKeys(CLONE_KEYS);
    int max = c.integer("clone-max", nodeCount, 0, Integer.MAX_VALUE);
    int nodeMax = c.integer("clone-node-max", 1, 1, Integer.MAX_VALUE);
    int min = c.integer("clone-min", 0, 0, Integer.MAX_VALUE);
    if (min > max) {
      c.error("clone-min", "clone-min (" + min + ") is more than clone-max (" + max
          + "): what is ordered after this clone could never start");
    }
    return new XenhaConfig.Clone(max, nodeMax, min, c.bool("interleave", false), c.bool("notify", false));
  }

  /**
   * An OCF agent "provider:type" (or "ocf:provider:type"), returned as provider:type once its file is found under
   * ocf-root/resource.d. Its meta-data is not read here: verify never runs agents.
   */
  private String ocfAgent(Section r, Path ocfRoot) {
    String agent = r.string("agent", null);
    if (agent == null) {
      if (!r.has("agent")) r.missing("agent", "the OCF agent as provider:type, e.g. \"heartbeat:Dummy\"");
      return null;
    }
    String name = agent.startsWith("ocf:") ? agent.substring(4) : agent;
    String[] parts = name.split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || name.contains("/") || name.contains("..")) {
      r.error("agent", "invalid OCF agent '" + agent + "' (provider:type, e.g. \"heartbeat:Dummy\" or \"ocf:heartbeat:Dummy\")");
      return null;
    }
    Path dir = ocfRoot.resolve("resource.d");
    Path file = dir.resolve(parts[0]).resolve(parts[1]);
    if (!Files.isRegularFile(file)) {
      r.error("agent", "OCF agent '" + name + "' not found under " + dir + " (install resource-agents)");
      return null;
    }
    if (!Files.isExecutable(file)) {
      r.error("agent", "OCF agent '" + name + "' is not executable: " + file);
      return null;
    }
    return name;
  }

  /** A built-in resource agent (type = builtin): only ping so far; "builtin:ping" is accepted too. */
  private String builtinAgent(Section r) {
    String agent = r.string("agent", null);
    if (agent == null) {
      if (!r.has("agent")) r.missing("agent", "the built-in agent: ping");
      return null;
    }
    String name = agent.startsWith("builtin:") ? agent.substring("builtin:".length()) : agent;
    if (BUILTIN_AGENTS.containsKey(name)) return name;
    r.error("agent", "unknown built-in agent '" + agent + "' (" + String.join(", ", new TreeSet<>(BUILTIN_AGENTS.keySet()))
        + ")" + Names.didYouMean(name, BUILTIN_AGENTS.keySet()));
    return null;
  }

  /**
   * ping's params, checked and completed with their defaults: host-list (required, space separated in the model),
   * multiplier (1), dampen (5s), name (pingd, the node attribute it sets). Its interval is ops.monitor.interval.
   */
  private void pingParams(Section r, Section p, Map<String, String> params) {
    List<String> known = BUILTIN_AGENTS.get("ping");
    if (p == null || !p.has("host-list")) {
      problems.error(p != null ? p.obj.origin() : r.obj.origin(), r.keyPath("params") + ".host-list",
          "missing key 'host-list' (the addresses to ping, e.g. [\"10.0.0.254\"])");
      return;
    }
    for (String k : new TreeSet<>(p.obj.keySet())) {
      if (!known.contains(k) && !isSecretKey(k)) {
        problems.warning(p.value(k) == null ? p.obj.origin() : p.value(k).origin(), p.keyPath(k),
            "parameter '" + k + "' is not read by ping (" + String.join(", ", known) + ")" + Names.didYouMean(k, known));
      }
    }
    List<String> hosts = p.stringList("host-list");
    if (hosts.isEmpty()) p.error("host-list", "must list at least one address to ping");
    params.put("host-list", String.join(" ", hosts));
    params.put("multiplier", Integer.toString(p.integer("multiplier", 1, 1, Integer.MAX_VALUE)));
    params.put("dampen", human(p.duration("dampen", Duration.ofSeconds(5), true)));
    params.put("name", p.string("name", "pingd"));
  }

  /** The agent name when it is usable; the agent itself is never run here (verify must not touch hardware). */
  private String fenceAgent(Section r) {
    String agent = r.string("agent", null);
    if (agent == null) {
      if (!r.has("agent")) r.missing("agent", "the fence agent, e.g. fence_ipmilan or \"builtin:kill\"");
      return null;
    }
    if (agent.startsWith("builtin:")) {
      if (BUILTIN_FENCE_AGENTS.contains(agent)) return agent;
      r.error("agent", "unknown built-in fence agent '" + agent + "' (" + String.join(", ", BUILTIN_FENCE_AGENTS) + ")"
          + Names.didYouMean(agent, BUILTIN_FENCE_AGENTS));
      return null;
    }
    if (agent.startsWith("/")) {
      Path exe = Path.of(agent);
      if (Files.isRegularFile(exe) && Files.isExecutable(exe)) return agent;
      r.error("agent", "fence agent '" + agent + "' not found or not executable");
      return null;
    }
    if (agent.startsWith("fence_") && !agent.contains("/")) {
      Path exe = FENCE_AGENT_DIR.resolve(agent);
      if (Files.isRegularFile(exe) && Files.isExecutable(exe)) return agent;
      r.error("agent", "fence agent '" + agent + "' not found (install fence-agents)");
      return null;
    }
    r.error("agent", "unknown fence agent '" + agent + "' (" + String.join(", ", BUILTIN_FENCE_AGENTS)
        + ", a fence-agents program such as fence_ipmilan, or an absolute path)"
        + Names.didYouMean(agent, BUILTIN_FENCE_AGENTS));
    return null;
  }

  /**
   * host-map { node1 = plug1 } or Pacemaker's pcmk_host_map string "node1:plug1;node2:plug2", in file order.
   * Keys must be nodes.
   */
  private Map<String, String> hostMap(Section r, Set<String> nodeNames) {
    Map<String, String> out = new LinkedHashMap<>();
    ConfigValue v = r.value("host-map");
    if (v == null) return out;
    String key = r.keyPath("host-map");
    if (v.valueType() == ConfigValueType.STRING) {
      for (String pair : ((String) v.unwrapped()).split("[;,\\s]+")) {
        if (pair.isEmpty()) continue;
        int sep = pair.indexOf(':') >= 0 ? pair.indexOf(':') : pair.indexOf('=');
        if (sep <= 0 || sep == pair.length() - 1) {
          problems.error(v.origin(), key, "invalid host-map entry '" + pair + "' (expected node:plug)");
          continue;
        }
        putPlug(out, pair.substring(0, sep), pair.substring(sep + 1), v.origin(), key, nodeNames);
      }
      return out;
    }
    if (v.valueType() != ConfigValueType.OBJECT) {
      r.error("host-map", "expected an object { node1 = plug1, ... }, got " + Section.describe(v));
      return out;
    }
    Section m = new Section((ConfigObject) v, key, problems);
    for (Map.Entry<String, ConfigValue> e : inFileOrder(m.obj)) {
      ConfigValue plug = e.getValue();
      if (plug.valueType() == ConfigValueType.OBJECT || plug.valueType() == ConfigValueType.LIST
          || plug.valueType() == ConfigValueType.NULL) {
        problems.error(plug.origin(), m.keyPath(e.getKey()), "expected the plug of the node, got " + Section.describe(plug));
        continue;
      }
      putPlug(out, e.getKey(), String.valueOf(plug.unwrapped()), plug.origin(), m.keyPath(e.getKey()), nodeNames);
    }
    return out;
  }

  private void putPlug(Map<String, String> out, String node, String plug, ConfigOrigin origin, String key,
      Set<String> nodeNames) {
    if (!nodeNames.isEmpty() && !nodeNames.contains(node)) {
      problems.error(origin, key, "unknown node '" + node + "'" + Names.didYouMean(node, nodeNames));
      return;
    }
    out.put(node, plug);
  }

  /** A secret by its name: password, passwd, or a key ending in password, passwd or secret (fence-agents' names). */
  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.endsWith("password") || k.endsWith("passwd") || k.endsWith("secret");
  }

  /** Per-agent checks of params; password-file and identity-file become absolute paths in {@code params}. */
  private void agentParams(Section r, Section p, String agent, Map<String, String> params) {
    String paramsKey = r.keyPath("params");
    List<String> known = BUILTIN_PARAMS.get(agent);
    if (p != null && known != null) {
      for (String k : new TreeSet<>(p.obj.keySet())) {
        if (!known.contains(k) && !k.equals("password-file") && !k.equals("password-env") && !isSecretKey(k)) {
          problems.warning(p.value(k) == null ? p.obj.origin() : p.value(k).origin(), p.keyPath(k),
              "parameter '" + k + "' is not read by " + agent + " (" + String.join(", ", known) + ")"
                  + Names.didYouMean(k, known));
        }
      }
    }
    if (agent.equals("builtin:libvirt") && !params.containsKey("uri")) {
      problems.error(p != null ? p.obj.origin() : r.obj.origin(), paramsKey + ".uri",
          "missing key 'uri' (the libvirt URI of the outer host that runs this node's VM, e.g. qemu+ssh://outer/system)");
    }
    if (p == null) return;
    if (p.has("password-file")) {
      Path file = path(p, "password-file", null);
      if (file != null) {
        String why = unreadable(file);
        if (why != null) {
          p.error("password-file", "cannot read password file " + file + ": " + why);
        } else {
          params.put("password-file", file.toAbsolutePath().toString());
        }
      }
    }
    if (p.has("password-env") && params.get("password-env") != null) {
      String var = params.get("password-env");
      if (!ENV_NAME.matcher(var).matches()) {
        p.error("password-env", "invalid environment variable name '" + var + "'");
      } else if (System.getenv(var) == null) {
        problems.warning(p.value("password-env").origin(), p.keyPath("password-env"),
            "environment variable " + var + " is not set here; the agent must have it when it fences");
      }
    }
    if (agent.equals("builtin:ssh")) {
      if (p.has("port")) p.integer("port", 22, 1, 65535);
      if (p.has("identity-file")) {
        Path file = path(p, "identity-file", null);
        if (file != null) {
          String why = unreadable(file);
          if (why != null) {
            p.error("identity-file", "cannot read identity file " + file + ": " + why);
          } else {
            params.put("identity-file", file.toAbsolutePath().toString());
          }
        }
      }
    }
  }

  /** Why a file cannot be read, or null. Only its metadata is looked at, never its content. */
  private static String unreadable(Path file) {
    if (!Files.exists(file)) return "no such file";
    if (Files.isDirectory(file)) return "is a directory";
    if (!Files.isReadable(file)) return "permission denied";
    return null;
  }

  /** utilization { memory = 1G, vcpus = 2, ... }: memory is a size, kept in MiB; every other key an integer >= 0. */
  private Map<String, Long> utilization(Section u) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (u == null) return out;
    for (Map.Entry<String, ConfigValue> e : inFileOrder(u.obj)) {
      String k = e.getKey();
      if (k.equals("memory")) {
        Long bytes = u.memorySize("memory");
        if (bytes == null) continue;
        if (bytes % (1024 * 1024) != 0) {
          u.error("memory", "must be a whole number of MiB (e.g. 512M, 1G), got " + e.getValue().unwrapped());
          continue;
        }
        out.put(k, bytes / (1024 * 1024));
      } else if (u.has(k)) {
        int n = u.integer(k, -1, 0, Integer.MAX_VALUE);
        if (n >= 0) out.put(k, (long) n);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Agent parameters as strings; lists become space-separated (Pacemaker's convention). Sorted by name. A fence
   * device's params may not choose the action.
   */
  private Map<String, String> params(Section p, boolean fence) {
    Map<String, String> out = new TreeMap<>();
    if (p == null) return out;
    for (Map.Entry<String, ConfigValue> e : p.obj.entrySet()) {
      ConfigValue v = e.getValue();
      if (isSecretKey(e.getKey()) && v.valueType() != ConfigValueType.NULL) {
        // the value is deliberately not part of the message: verify output ends up in logs and tickets
        problems.error(v.origin(), p.keyPath(e.getKey()), SECRET_MESSAGE);
        continue;
      }
      if (fence && e.getKey().equalsIgnoreCase("action")) {
        problems.error(v.origin(), p.keyPath(e.getKey()),
            "the fence action is chosen by xenha (properties.stonith-action, monitor, status): remove it");
        continue;
      }
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
    return out;
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
      o.checkKeys(List.of("id", "first", "then", "kind", "symmetrical", "first-action", "then-action",
          "require-all", "score"));
      String id = o.string("id", null);
      String first = resourceRef(o, "first", resourceIds);
      String then = resourceRef(o, "then", resourceIds);
      Integer score = o.score("score", null);
      // Pacemaker: without kind, score 0 makes an order optional, any other score mandatory; kind wins over score
      String kind = o.choice("kind", score != null && score == 0 ? "optional" : "mandatory", ORDER_KINDS);
      boolean serialize = kind.equals("serialize");
      boolean symmetrical = o.bool("symmetrical", !serialize);
      if (serialize && symmetrical) {
        o.error("symmetrical", "a serialize order has no reverse: remove symmetrical or set it to false");
      }
      String firstAction = o.choice("first-action", "start", ORDER_ACTIONS);
      String thenAction = o.choice("then-action", "start", ORDER_ACTIONS);
      boolean requireAll = o.bool("require-all", true);
      if (first == null || then == null) continue;
      if (first.equals(then)) {
        o.error("then", "resource '" + first + "' cannot be ordered after itself");
        continue;
      }
      out.add(new OrderConstraint(first, then, kind, symmetrical, firstAction, thenAction, requireAll, score, id));
      edgeAt.add(o);
    }
    reportCycles(out, edgeAt);
    return out;
  }

  /** Depth-first search over first -> then; each back edge closes a cycle, reported at that constraint. */
  private void reportCycles(List<OrderConstraint> orders, List<Section> at) {
    Map<String, List<Integer>> edges = new LinkedHashMap<>();
    for (int i = 0; i < orders.size(); i++) {
      OrderConstraint o = orders.get(i);
      // stop-before-start and serialize orders do not chain starts; a cycle is a chain of start -> start
      if (o.kind().equals("serialize") || !o.firstAction().equals("start") || !o.thenAction().equals("start")) continue;
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
        Rule rule = rule(l);
        if (l.has("node")) l.error("node", "a location has either node and score or a rule, not both");
        if (l.has("score")) l.error("score", "the score of a rule is written in the rule (SCORE: EXPRESSION)");
        if (resource != null && rule != null && !l.has("node") && !l.has("score")) {
          out.add(new LocationConstraint(resource, null, rule.score() == null ? 0 : rule.score(), rule));
        }
        continue;
      }
      String node = l.string("node", null);
      if (node == null && !l.has("node")) l.missing("node", "the node the score applies to, or a rule");
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

  /** The rule of a location, or null after reporting where it does not parse. */
  private static Rule rule(Section l) {
    ConfigValue v = l.value("rule");
    if (v.valueType() != ConfigValueType.STRING) {
      l.error("rule", "expected a rule \"SCORE: EXPRESSION\" as a string, got " + Section.describe(v));
      return null;
    }
    try {
      return Rule.parse((String) v.unwrapped());
    } catch (Rule.Invalid e) {
      l.error("rule", e.getMessage());
      return null;
    }
  }

  /** { resource = A, with = B, score = INFINITY, id = ... }: A placed relative to B (rsc_colocation). */
  private List<ColocationConstraint> colocations(Section constraints, Set<String> resourceIds) {
    List<ColocationConstraint> out = new ArrayList<>();
    for (Section c : entries(constraints, "colocation")) {
      if (c == null) continue;
      c.checkKeys(List.of("id", "resource", "with", "score"));
      String id = c.string("id", null);
      String resource = resourceRef(c, "resource", resourceIds);
      String with = resourceRef(c, "with", resourceIds);
      int score = c.score("score", Score.INFINITY);
      if (resource == null || with == null) continue;
      if (resource.equals(with)) {
        c.error("with", "resource '" + resource + "' cannot be colocated with itself");
        continue;
      }
      out.add(new ColocationConstraint(resource, with, score, id));
    }
    return out;
  }

  // ---- fencing

  /**
   * With stonith-enabled = false a lost node's resources are taken as stopped once self-fence-deadline has passed,
   * so the deadline must outlast any stop the lost node may still be running.
   */
  private void checkSelfFenceDeadline(Section p, ClusterProperties properties, Map<String, ResourceSpec> resources) {
    if (properties.stonithEnabled()) return;
    if (!"stop".equals(properties.noQuorumPolicy())) {
      // nothing else stops a lost node's domUs: freeze/ignore there and recovery here would run them twice
      ConfigValue at = p == null ? null : p.value("no-quorum-policy");
      problems.error(at == null ? null : at.origin(), "xenha.properties.no-quorum-policy",
          "with stonith-enabled = false, no-quorum-policy must be stop (is " + properties.noQuorumPolicy()
              + "): the survivors recover a lost node's domUs after self-fence-deadline, which is safe only if that node"
              + " stops them itself");
    }
    ResourceSpec longest = null;
    for (ResourceSpec r : resources.values()) {
      if (r.isDomain() && (longest == null || r.ops().stopTimeout().compareTo(longest.ops().stopTimeout()) > 0)) {
        longest = r;
      }
    }
    Duration deadline = properties.selfFenceDeadline();
    if (longest == null || deadline.compareTo(longest.ops().stopTimeout()) > 0) return;
    boolean set = p != null && fromUser(p, "self-fence-deadline");
    String msg = "self-fence-deadline (" + human(deadline) + (set ? "" : ", the default")
        + ") must be longer than the longest stop timeout of a domain (" + human(longest.ops().stopTimeout())
        + ", resource '" + longest.id() + "'): with stonith-enabled = false a lost node may still be stopping it";
    // unset: point at the line that switched fencing off, which is what made the deadline matter
    ConfigValue at = p == null ? null : p.value(set ? "self-fence-deadline" : "stonith-enabled");
    problems.error(at == null ? null : at.origin(), "xenha.properties.self-fence-deadline", msg);
  }

  /** xenha.fencing-topology { node1 = [ [ipmi-node1], [ssh-fence] ] }: levels tried in order, all devices of one level. */
  private Map<String, List<List<String>>> fencingTopology(Section top, Map<String, NodeSpec> nodes,
      Map<String, ResourceSpec> resources) {
    Map<String, List<List<String>>> out = new LinkedHashMap<>();
    Section t = top.section("fencing-topology");
    if (t == null) return Collections.unmodifiableMap(out);
    Set<String> allIds = resourceIds(top);
    Set<String> devices = new TreeSet<>();
    for (ResourceSpec r : resources.values()) if (r.isStonith()) devices.add(r.id());
    for (Map.Entry<String, ConfigValue> e : inFileOrder(t.obj)) {
      String node = e.getKey();
      String key = t.keyPath(node);
      ConfigValue v = e.getValue();
      if (!nodes.isEmpty() && !nodes.containsKey(node)) {
        problems.error(v.origin(), key, "unknown node '" + node + "'" + Names.didYouMean(node, nodes.keySet()));
        continue;
      }
      if (v.valueType() != ConfigValueType.LIST) {
        problems.error(v.origin(), key, "expected a list of levels, e.g. [ [ipmi-" + node + "], [ssh-fence] ], got "
            + Section.describe(v));
        continue;
      }
      ConfigList levels = (ConfigList) v;
      if (levels.isEmpty()) {
        problems.error(v.origin(), key, "no fencing levels: list at least one [ device, ... ], or remove the entry");
        continue;
      }
      List<List<String>> nodeLevels = new ArrayList<>();
      for (int i = 0; i < levels.size(); i++) {
        List<String> level = level(levels.get(i), key + "[" + i + "]", node, allIds, devices, resources);
        if (level != null) nodeLevels.add(level);
      }
      out.put(node, List.copyOf(nodeLevels));
    }
    return Collections.unmodifiableMap(out);
  }

  /** One level: a list of device ids, or Pacemaker's "dev1,dev2" string; null after reporting a problem. */
  private List<String> level(ConfigValue v, String key, String node, Set<String> allIds, Set<String> devices,
      Map<String, ResourceSpec> resources) {
    List<ConfigValue> items = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    if (v.valueType() == ConfigValueType.LIST) {
      for (ConfigValue item : (ConfigList) v) {
        if (item.valueType() == ConfigValueType.STRING) {
          items.add(item);
          ids.add((String) item.unwrapped());
        } else {
          problems.error(item.origin(), key, "expected a device id, got " + Section.describe(item));
          return null;
        }
      }
    } else if (v.valueType() == ConfigValueType.STRING) {
      for (String id : ((String) v.unwrapped()).split("[\\s,]+")) {
        if (id.isEmpty()) continue;
        items.add(v);
        ids.add(id);
      }
    } else {
      problems.error(v.origin(), key, "expected a list of device ids [ dev1, dev2 ], got " + Section.describe(v));
      return null;
    }
    if (ids.isEmpty()) {
      problems.error(v.origin(), key, "empty fencing level: list at least one device");
      return null;
    }
    boolean ok = true;
    for (int j = 0; j < ids.size(); j++) {
      String id = ids.get(j);
      ConfigOrigin origin = items.get(j).origin();
      ResourceSpec spec = resources.get(id);
      if (!allIds.contains(id)) {
        problems.error(origin, key, "unknown device '" + id + "'" + Names.didYouMean(id, devices));
        ok = false;
      } else if (spec == null) {
        ok = false; // the resource itself is broken and already reported
      } else if (!spec.isStonith()) {
        problems.error(origin, key, "resource '" + id + "' is not a fence device (type " + spec.type() + ")");
        ok = false;
      } else if (!spec.hosts().isEmpty() && !spec.hosts().contains(node)) {
        problems.error(origin, key, "device '" + id + "' cannot fence " + node
            + " (its hosts: " + String.join(", ", spec.hosts()) + ")");
        ok = false;
      }
    }
    return ok ? List.copyOf(ids) : null;
  }

  /** A duration as written in the file: 90s, 2m, 500ms. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) return "0s";
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
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
    // each entry's file is looked up once (not per comparison), and keySet is used because Typesafe's entrySet hashes
    // every value's whole subtree: with thousands of resources both cost seconds
    record Placed(Map.Entry<String, ConfigValue> entry, boolean included, String file, int line) {}
    List<Placed> placed = new ArrayList<>(obj.size());
    for (String k : obj.keySet()) {
      ConfigValue v = obj.get(k);
      Path file = problems.fileOf(v.origin());
      placed.add(new Placed(Map.entry(k, v), !file.equals(mainFile), file.toString(), v.origin().lineNumber()));
    }
    placed.sort(Comparator.comparing(Placed::included).thenComparing(Placed::file).thenComparingInt(Placed::line)
        .thenComparing(p -> p.entry().getKey()));
    List<Map.Entry<String, ConfigValue>> entries = new ArrayList<>(placed.size());
    for (Placed p : placed) entries.add(p.entry());
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
