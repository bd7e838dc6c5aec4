package io.xenha.config;

import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runtime overrides an operator sets with `xenha node ...` and `xenha resource ...`: what Pacemaker keeps in
 * the CIB next to the configuration (node standby and maintenance attributes, a resource's target-role and
 * is-managed meta attributes, the cli-ban / cli-prefer location constraints of crm_resource --move, the
 * maintenance-mode property). They live in Distributed Data as one flat map of text entries, so that they replicate
 * and persist as a unit; this class is the only place that knows the encoding:
 *
 * <pre>
 *   node-standby/NODE      = on
 *   node-maintenance/NODE  = on
 *   target-role/ID         = Started | Stopped
 *   is-managed/ID          = true | false
 *   constraint/CID         = ID NODE SCORE EXPIRES     (EXPIRES: epoch seconds, 0 = never)
 *   maintenance-mode       = true | false
 *   restart/ID             = Started | Stopped | -   (a restart in progress: the target-role to restore once
 *                                                     ID has stopped; - = none)
 *   held/ID                = NODE                    (ID was left running, unmanaged, on NODE when NODE's agent
 *                                                     stopped: it runs nowhere else until NODE reports again or
 *                                                     an operator cleans ID up; Serviceguard's detached package)
 * </pre>
 *
 * An entry that cannot be read (written by a newer xenha, or damaged) is ignored and named in {@link #unreadable}.
 */
public record Overrides(Map<String, String> entries, List<String> unreadable) {

  public static final Overrides NONE = new Overrides(Map.of(), List.of());

  static final String STANDBY = "node-standby/";
  static final String NODE_MAINTENANCE = "node-maintenance/";
  static final String TARGET_ROLE = "target-role/";
  static final String MANAGED = "is-managed/";
  static final String CONSTRAINT = "constraint/";
  static final String RESTART = "restart/";
  static final String HELD = "held/";
  public static final String MAINTENANCE_MODE = "maintenance-mode";
  /**
   * Raised by every write of the Controller. An agent never goes back to a set with a lower revision: a change
   * notification of its replica can arrive after the Controller's own ApplyOverrides of a newer set.
   */
  public static final String REVISION = "revision";

  /** A ban or prefer constraint of `xenha resource migrate` (Pacemaker's cli-ban-ID-on-NODE / cli-prefer-ID). */
  public record Constraint(String id, String resource, String node, int score, long expires) {
    /** Whether it still applies at {@code now} (epoch seconds; 0 = unknown time: it applies). */
    public boolean activeAt(long now) {
      return expires == 0 || now == 0 || now < expires;
    }

    public String encode() {
      return resource + " " + node + " " + Score.format(score) + " " + expires;
    }
  }

  public Overrides {
    entries = Map.copyOf(new TreeMap<>(entries));
    unreadable = List.copyOf(unreadable);
  }

  /** The overrides of a replicated map, keeping only the entries this version can read. */
  public static Overrides decode(Map<String, String> raw) {
    Map<String, String> ok = new TreeMap<>();
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      if (readable(e.getKey(), e.getValue())) {
        ok.put(e.getKey(), e.getValue());
      } else {
        bad.add(e.getKey() + " = " + e.getValue());
      }
    }
    return new Overrides(ok, bad);
  }

  private static boolean readable(String key, String value) {
    if (key.equals(MAINTENANCE_MODE)) return value.equals("true") || value.equals("false");
    if (key.equals(REVISION)) return value.matches("[0-9]{1,18}");
    if (key.startsWith(STANDBY) || key.startsWith(NODE_MAINTENANCE)) return value.equals("on");
    if (key.startsWith(TARGET_ROLE)) return value.equals("Started") || value.equals("Stopped");
    if (key.startsWith(MANAGED)) return value.equals("true") || value.equals("false");
    if (key.startsWith(HELD)) return !value.isBlank() && !value.contains(" ");
    if (key.startsWith(RESTART)) return value.equals("Started") || value.equals("Stopped") || value.equals("-");
    if (key.startsWith(CONSTRAINT)) return parseConstraint(key.substring(CONSTRAINT.length()), value) != null;
    return false;
  }

  private static Constraint parseConstraint(String id, String value) {
    String[] p = value.split(" ");
    if (p.length != 4) return null;
    try {
      return new Constraint(id, p[0], p[1], Score.parse(p[2]), Long.parseLong(p[3]));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The revision of this set (0 before the first stamped write). */
  public long revision() {
    String r = entries.get(REVISION);
    return r == null ? 0 : Long.parseLong(r);
  }

  // ---- keys, for the Controller's writes

  public static String standbyKey(String node) {
    return STANDBY + node;
  }

  public static String nodeMaintenanceKey(String node) {
    return NODE_MAINTENANCE + node;
  }

  public static String targetRoleKey(String resource) {
    return TARGET_ROLE + resource;
  }

  public static String managedKey(String resource) {
    return MANAGED + resource;
  }

  public static String restartKey(String resource) {
    return RESTART + resource;
  }

  public static String heldKey(String resource) {
    return HELD + resource;
  }

  public static String constraintKey(String id) {
    return CONSTRAINT + id;
  }

  /** Pacemaker's ids: cli-ban-ID-on-NODE keeps a resource off a node, cli-prefer-ID draws it to one. */
  public static String banId(String resource, String node) {
    return "cli-ban-" + resource + "-on-" + node;
  }

  public static String preferId(String resource) {
    return "cli-prefer-" + resource;
  }

  // ---- reading

  public boolean standby(String node) {
    return entries.containsKey(standbyKey(node));
  }

  public boolean nodeMaintenance(String node) {
    return entries.containsKey(nodeMaintenanceKey(node));
  }

  /** Started or Stopped when overridden, else null. */
  public String targetRole(String resource) {
    return entries.get(targetRoleKey(resource));
  }

  /** Whether is-managed is overridden, and to what; null when not. */
  public Boolean managed(String resource) {
    String v = entries.get(managedKey(resource));
    return v == null ? null : Boolean.valueOf(v);
  }

  /** Cluster-wide maintenance-mode when overridden, else null. */
  public Boolean maintenanceMode() {
    String v = entries.get(MAINTENANCE_MODE);
    return v == null ? null : Boolean.valueOf(v);
  }

  /** Restarts in progress: resource -> the target-role override to restore once it stopped ("-": none). */
  public Map<String, String> restarts() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (e.getKey().startsWith(RESTART)) out.put(e.getKey().substring(RESTART.length()), e.getValue());
    }
    return out;
  }

  /** Resources held on a node that left with them running unmanaged: resource -> node. */
  public Map<String, String> held() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (e.getKey().startsWith(HELD)) out.put(e.getKey().substring(HELD.length()), e.getValue());
    }
    return out;
  }

  /** Every ban and prefer constraint, expired ones included, by id. */
  public Map<String, Constraint> constraints() {
    Map<String, Constraint> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      if (e.getKey().startsWith(CONSTRAINT)) {
        String id = e.getKey().substring(CONSTRAINT.length());
        out.put(id, parseConstraint(id, e.getValue()));
      }
    }
    return out;
  }

  /** The soonest time (epoch seconds) a constraint expires after {@code now}, or 0 when none does. */
  public long nextExpiry(long now) {
    long next = 0;
    for (Constraint c : constraints().values()) {
      if (c.expires() > now && (next == 0 || c.expires() < next)) next = c.expires();
    }
    return next;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * The configuration the scheduler plans with: {@code config} with these overrides applied at {@code now}
   * (epoch seconds; constraints that expired by then are left out). Overrides for nodes or resources the
   * configuration does not have (any more) are ignored.
   */
  public XenhaConfig applyTo(XenhaConfig config, long now) {
    if (entries.isEmpty()) return config;
    Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    for (NodeSpec n : config.nodes().values()) {
      boolean standby = n.standby() || standby(n.name());
      Map<String, String> attrs = n.attributes();
      if (nodeMaintenance(n.name())) {
        attrs = new LinkedHashMap<>(attrs);
        attrs.put("maintenance", "true");
      }
      nodes.put(n.name(), new NodeSpec(n.name(), n.host(), n.port(), n.hypervisor(), n.jmxHost(), n.jmxPort(),
          n.stateDir(), attrs, standby, n.utilization(), n.votes()));
    }
    Map<String, ResourceSpec> resources = new LinkedHashMap<>();
    for (ResourceSpec r : config.resources().values()) {
      String role = targetRole(r.id());
      Boolean managed = managed(r.id());
      resources.put(r.id(), role == null && managed == null ? r : r.withOverrides(
          role == null ? r.targetRole() : role, managed == null ? r.managed() : managed));
    }
    List<LocationConstraint> locations = new ArrayList<>(config.locations());
    for (Constraint c : constraints().values()) {
      if (c.activeAt(now) && resources.containsKey(c.resource()) && nodes.containsKey(c.node())) {
        locations.add(new LocationConstraint(c.resource(), c.node(), c.score()));
      }
    }
    held().forEach((id, on) -> {
      if (!resources.containsKey(id)) return;
      for (String n : nodes.keySet()) {
        if (!n.equals(on)) locations.add(new LocationConstraint(id, n, -Score.INFINITY));
      }
    });
    ClusterProperties props = config.properties();
    Boolean mm = maintenanceMode();
    if (mm != null && mm != props.maintenanceMode()) props = props.withMaintenanceMode(mm);
    return new XenhaConfig(config.source(), config.clusterName(), config.nodeName(), nodes, props, resources,
        List.copyOf(locations), config.orders(), config.cluster(), config.jmx(), config.checksum(),
        config.fencingTopology(), config.ocfRoot(), config.colocations(), config.persistence(), config.security());
  }

  /**
   * These overrides as HOCON to append to the configuration file: loaded together, the configuration alone gives
   * the state the overrides give ({@code xenha export}). Constraints that expired by {@code now} are left out; a
   * lifetime and a hold cannot be configured and are written as comments.
   */
  public String toHocon(XenhaConfig config, long now) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Runtime overrides, exported by `xenha export`: appended to the configuration they give the same state.\n");
    sb.append("xenha {\n");
    for (String n : config.nodes().keySet()) {
      if (standby(n)) sb.append("  ").append(path("nodes", n, "standby")).append(" = true\n");
      if (nodeMaintenance(n)) sb.append("  ").append(path("nodes", n, "attributes", "maintenance")).append(" = true\n");
    }
    if (maintenanceMode() != null) sb.append("  properties.maintenance-mode = ").append(maintenanceMode()).append('\n');
    for (String id : config.resources().keySet()) {
      // a restart in progress restores its role: export the role it will have
      String role = restarts().containsKey(id) ? restarts().get(id) : targetRole(id);
      if (role != null && !role.equals("-")) sb.append("  ").append(path("resources", id, "target-role")).append(" = ").append(role).append('\n');
      if (managed(id) != null) sb.append("  ").append(path("resources", id, "is-managed")).append(" = ").append(managed(id)).append('\n');
      if (held().containsKey(id)) {
        sb.append("  # ").append(id).append(" is held on ").append(held().get(id)).append(" (its agent stopped while it ran there)\n");
      }
    }
    for (Constraint c : constraints().values()) {
      if (!c.activeAt(now) || !config.resources().containsKey(c.resource()) || !config.nodes().containsKey(c.node())) continue;
      sb.append("  constraints.location += { resource = ").append(quote(c.resource())).append(", node = ")
          .append(quote(c.node())).append(", score = ").append(Score.format(c.score())).append(" }  # ").append(c.id());
      if (c.expires() != 0) sb.append(", expires ").append(java.time.Instant.ofEpochSecond(c.expires()));
      sb.append('\n');
    }
    return sb.append("}\n").toString();
  }

  private static String path(String... elements) {
    return com.typesafe.config.ConfigUtil.joinPath(elements);
  }

  private static String quote(String s) {
    return com.typesafe.config.ConfigUtil.quoteString(s);
  }
}
