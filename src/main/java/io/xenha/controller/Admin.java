package io.xenha.controller;

import io.xenha.CborSerializable;
import io.xenha.config.Overrides;
import io.xenha.config.Score;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.ClusterSnapshot;
import io.xenha.scheduler.NodeState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The admin commands (`xenha node ...`, `xenha resource ...`, `xenha maintenance ...`): what each one changes in
 * the runtime {@link Overrides}, or why it is refused. Pure: the Controller applies the edit (a WriteMajority
 * update of the replicated overrides) and answers.
 */
public final class Admin {

  /** The operations, as the CLI and the JMX beans name them. */
  public static final List<String> OPERATIONS = List.of(
      "node-standby", "node-online", "node-maintenance", "node-ready",
      "resource-start", "resource-stop", "resource-restart", "resource-migrate", "resource-unmigrate",
      "resource-cleanup", "resource-manage", "resource-unmanage",
      "maintenance-on", "maintenance-off");

  /**
   * One admin command. target: the node (node-*) or resource id (resource-*), unused for maintenance-*; node: the
   * optional --node of resource commands; lifetime: the optional lifetime of a migrate constraint.
   */
  public record Request(String op, String target, String node, Duration lifetime, boolean dryRun)
      implements CborSerializable {
    public Request(String op, String target, String node, Duration lifetime) {
      this(op, target, node, lifetime, false);
    }

    /** The same request, to be answered with what it would do and not carried out (crm_simulate). */
    public Request dryRunOf() {
      return new Request(op, target, node, lifetime, true);
    }
  }

  /**
   * The answer: ok with what was done; or not ok, with why: refused (nothing changed), or, with a message starting
   * "unknown: ", an outcome nobody can vouch for (the change may or may not take effect: see `xenha status`).
   */
  public record Reply(boolean ok, String message) implements CborSerializable {

    /** The prefix of an answer whose outcome is unknown. */
    public static final String UNKNOWN = "unknown: ";

    /** An answer for a change that was made but not confirmed: it may still take effect. */
    public static Reply unknown(String why) {
      return new Reply(false, UNKNOWN + why + "; check `xenha status`");
    }

    /** Whether this answer says the outcome is unknown (not a refusal: something may have changed). */
    public boolean outcomeUnknown() {
      return !ok && message != null && message.startsWith(UNKNOWN);
    }
  }

  /**
   * What a request does: the override entries to put and to remove, the nodes whose fail counts of {@code
   * cleanup} are to be cleared, and the answer once written. refusal: non-null when nothing is to be done because
   * the request is refused.
   */
  public record Edit(String refusal, Map<String, String> put, Set<String> remove, String cleanup, List<String> cleanupNodes,
      String message) {

    static Edit refuse(String why) {
      return new Edit(why, Map.of(), Set.of(), null, List.of(), null);
    }

    static Edit nothing(String message) {
      return change(Map.of(), Set.of(), message);
    }

    /** Puts and removes these override entries, and answers message. */
    static Edit change(Map<String, String> put, Set<String> remove, String message) {
      return new Edit(null, put, remove, null, List.of(), message);
    }

    static Edit put(String key, String value, String message) {
      return change(Map.of(key, value), Set.of(), message);
    }

    static Edit remove(String key, String message) {
      return change(Map.of(), Set.of(key), message);
    }

    public boolean changes() {
      return !put.isEmpty() || !remove.isEmpty();
    }

    /** The same edit, answered with {@code text}. */
    Edit withMessage(String text) {
      return new Edit(refusal, put, remove, cleanup, cleanupNodes, text);
    }

    /** The same edit, putting one more entry. */
    Edit withPut(String key, String value) {
      Map<String, String> more = new java.util.HashMap<>(put);
      more.put(key, value);
      return new Edit(refusal, Map.copyOf(more), remove, cleanup, cleanupNodes, message);
    }
  }

  private Admin() {}

  /**
   * A migrate constraint's lifetime as an operator writes it: ISO-8601 as crm_resource takes it (PT1H, P1D) or
   * HOCON's short form (90s, 10m, 2h, 1d). Null or empty: none.
   */
  public static Duration parseLifetime(String text) {
    if (text == null || text.isBlank()) return null;
    String t = text.trim();
    try {
      if (t.toUpperCase().startsWith("P")) return Duration.parse(t.toUpperCase());
      return com.typesafe.config.ConfigFactory.parseString("d = " + t).getDuration("d");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("lifetime '" + text + "' is not a duration (e.g. 10m, 2h, PT1H)");
    }
  }

  /**
   * Decides {@code r} against the configuration, the overrides in force and the cluster as {@code snapshot} (built
   * with the overrides applied) shows it; {@code now} in epoch seconds.
   */
  public static Edit decide(Request r, XenhaConfig config, Overrides overrides, ClusterSnapshot snapshot, long now) {
    if (r.op() == null || !OPERATIONS.contains(r.op())) {
      return Edit.refuse("unknown operation '" + r.op() + "' (known: " + String.join(", ", OPERATIONS) + ")");
    }
    if (r.op().startsWith("maintenance-")) {
      boolean on = r.op().equals("maintenance-on");
      boolean current = overrides.maintenanceMode() != null ? overrides.maintenanceMode() : config.properties().maintenanceMode();
      if (on == current) return Edit.nothing("maintenance-mode is already " + (on ? "on" : "off"));
      return Edit.put(Overrides.MAINTENANCE_MODE, String.valueOf(on),
          on ? "maintenance-mode on: xenha stops managing resources and leaves every domU as it is"
              : "maintenance-mode off: xenha manages resources again");
    }
    if (r.op().startsWith("node-")) {
      return node(r, config, overrides, snapshot);
    }
    return resource(r, config, overrides, snapshot, now);
  }

  private static String unknownNode(XenhaConfig config, String node) {
    return "unknown node '" + node + "' (known: " + String.join(", ", config.nodes().keySet()) + ")";
  }

  private static Edit node(Request r, XenhaConfig config, Overrides o, ClusterSnapshot snapshot) {
    String node = r.target();
    if (node == null || !config.nodes().containsKey(node)) return Edit.refuse(unknownNode(config, node));
    switch (r.op()) {
      case "node-standby": {
        if (o.standby(node) || config.nodes().get(node).standby()) return Edit.nothing(node + " is already in standby");
        List<String> others = new ArrayList<>();
        for (String n : config.nodes().keySet()) {
          if (!n.equals(node) && snapshot.node(n) == NodeState.ONLINE && !o.standby(n) && !o.nodeMaintenance(n)
              && !config.nodes().get(n).standby()) {
            others.add(n);
          }
        }
        if (others.isEmpty()) {
          return Edit.refuse("standby of " + node + " would leave no online node to run resources: every resource "
              + "would stop (put another node online first)");
        }
        return Edit.put(Overrides.standbyKey(node), "on",
            node + " is in standby: its resources move to " + String.join(", ", others));
      }
      case "node-online":
        if (!o.standby(node)) {
          return config.nodes().get(node).standby()
              ? Edit.refuse(node + " is in standby by its configuration (nodes." + node + ".standby): change it there")
              : Edit.nothing(node + " is not in standby");
        }
        return Edit.remove(Overrides.standbyKey(node),
            node + " is online: it may run resources again (nothing moves back by itself: stickiness)");
      case "node-maintenance":
        if (o.nodeMaintenance(node)) return Edit.nothing(node + " is already in maintenance");
        return Edit.put(Overrides.nodeMaintenanceKey(node), "on",
            node + " is in maintenance: xenha leaves its domUs as they are (not started, stopped or monitored)");
      default: // node-ready
        if (!o.nodeMaintenance(node)) return Edit.nothing(node + " is not in maintenance");
        return Edit.remove(Overrides.nodeMaintenanceKey(node), node + " is ready: xenha manages its resources again");
    }
  }

  private static Edit resource(Request r, XenhaConfig config, Overrides o, ClusterSnapshot snapshot, long now) {
    String id = r.target();
    ResourceSpec spec = id == null ? null : config.resources().get(id);
    if (spec == null) {
      return Edit.refuse("unknown resource '" + id + "' (known: " + String.join(", ", config.resources().keySet()) + ")");
    }
    if (r.node() != null && !config.nodes().containsKey(r.node())) return Edit.refuse(unknownNode(config, r.node()));
    Set<String> active = snapshot.resource(id).activeOn();
    String role = o.targetRole(id) != null ? o.targetRole(id) : spec.targetRole();
    boolean stoppedByRole = "Stopped".equalsIgnoreCase(role);
    switch (r.op()) {
      case "resource-start":
        if (!stoppedByRole && o.targetRole(id) == null) return Edit.nothing(id + " is already meant to run (target-role Started)");
        return Edit.put(Overrides.targetRoleKey(id), "Started", id + ": target-role Started");
      case "resource-stop": {
        if (stoppedByRole && o.targetRole(id) != null) return Edit.nothing(id + " is already stopped (target-role Stopped)");
        String lastDevice = lastFenceDevice(spec, config);
        if (lastDevice != null) {
          return Edit.refuse(id + " is the only fence device for " + lastDevice + ": stopping it would leave "
              + lastDevice + " unfenceable while stonith-enabled is true");
        }
        return Edit.put(Overrides.targetRoleKey(id), "Stopped", id + ": target-role Stopped");
      }
      case "resource-restart": {
        if (active.isEmpty()) return Edit.refuse(id + " is not running: nothing to restart (use `resource start`)");
        if (o.entries().containsKey(Overrides.restartKey(id))) return Edit.nothing(id + " is already restarting");
        String previous = o.targetRole(id) == null ? "-" : o.targetRole(id);
        Map<String, String> put = new LinkedHashMap<>();
        put.put(Overrides.targetRoleKey(id), "Stopped");
        put.put(Overrides.restartKey(id), previous);
        return Edit.change(put, Set.of(), id + ": restarting (stop, then start)");
      }
      case "resource-migrate":
        return migrate(r, spec, active, snapshot, now);
      case "resource-unmigrate": {
        Set<String> remove = new LinkedHashSet<>();
        for (Overrides.Constraint c : o.constraints().values()) {
          if (!c.resource().equals(id)) continue;
          boolean isBan = c.id().equals(Overrides.banId(id, c.node()));
          if (r.node() == null || (isBan && c.node().equals(r.node())) || (!isBan && r.node().equals(c.node()))) {
            remove.add(Overrides.constraintKey(c.id()));
          }
        }
        if (remove.isEmpty()) return Edit.nothing("no migrate constraint for " + id + (r.node() == null ? "" : " on " + r.node()));
        return Edit.change(Map.of(), remove, id + ": cleared "
            + String.join(", ", remove.stream().map(k -> k.substring(k.indexOf('/') + 1)).toList()));
      }
      case "resource-cleanup": {
        List<String> nodes = new ArrayList<>();
        for (String n : config.nodes().keySet()) {
          if ((r.node() == null || r.node().equals(n)) && snapshot.node(n) != NodeState.OFFLINE
              && snapshot.node(n) != NodeState.UNCLEAN) {
            nodes.add(n);
          }
        }
        String heldOn = o.held().get(id);
        if (heldOn != null && (r.node() == null || r.node().equals(heldOn))) {
          // the operator says it is stopped there: it may run elsewhere again
          return new Edit(null, Map.of(), Set.of(Overrides.heldKey(id)), id, nodes, id + ": no longer held on " + heldOn
              + (nodes.isEmpty() ? "" : "; fail counts cleared on " + String.join(", ", nodes)));
        }
        if (nodes.isEmpty()) return Edit.refuse("cannot clean up " + id + ": " + (r.node() == null ? "no node" : r.node()) + " is online");
        return new Edit(null, Map.of(), Set.of(), id, nodes, id + ": fail counts cleared on " + String.join(", ", nodes));
      }
      case "resource-manage":
        if (!Boolean.FALSE.equals(o.managed(id)) && spec.managed()) return Edit.nothing(id + " is already managed");
        return Edit.put(Overrides.managedKey(id), "true", id + ": managed");
      default: // resource-unmanage
        if (Boolean.FALSE.equals(o.managed(id))) return Edit.nothing(id + " is already unmanaged");
        return Edit.put(Overrides.managedKey(id), "false",
            id + ": unmanaged (xenha neither starts, stops nor recovers it)");
    }
  }

  private static Edit migrate(Request r, ResourceSpec spec, Set<String> active, ClusterSnapshot snapshot, long now) {
    String id = spec.id();
    if (spec.isClone()) {
      return Edit.refuse(id + " is a clone: its instances do not move (put a node in standby, or add a location constraint)");
    }
    if (r.lifetime() != null && (r.lifetime().isNegative() || r.lifetime().isZero())) {
      return Edit.refuse("the lifetime must be positive, not " + r.lifetime());
    }
    long expires = r.lifetime() == null ? 0 : now + Math.max(1, r.lifetime().toSeconds());
    String until = expires == 0 ? "" : " for " + r.lifetime().toString().substring(2).toLowerCase();
    if (r.node() != null) {
      if (active.contains(r.node())) return Edit.refuse(id + " is already active on " + r.node());
      if (snapshot.node(r.node()) != NodeState.ONLINE) {
        return Edit.refuse(r.node() + " is " + snapshot.node(r.node()).wire() + ": " + id + " cannot move there");
      }
      Overrides.Constraint c = new Overrides.Constraint(Overrides.preferId(id), id, r.node(), Score.INFINITY, expires);
      return Edit.put(Overrides.constraintKey(c.id()), c.encode(),
          id + ": prefers " + r.node() + " (" + c.id() + ")" + until + "; `xenha resource unmigrate " + id + "` clears it");
    }
    if (active.isEmpty()) return Edit.refuse(id + " is not running: give --node to say where it should go");
    if (active.size() > 1) return Edit.refuse(id + " is active on " + String.join(", ", active) + ": give --node");
    String from = active.iterator().next();
    Overrides.Constraint c = new Overrides.Constraint(Overrides.banId(id, from), id, from, -Score.INFINITY, expires);
    return Edit.put(Overrides.constraintKey(c.id()), c.encode(),
        id + ": banned from " + from + " (" + c.id() + ")" + until + "; `xenha resource unmigrate " + id + "` clears it");
  }

  /** A node that {@code spec} is the only configured fence device for, when stonith is enabled; else null. */
  private static String lastFenceDevice(ResourceSpec spec, XenhaConfig config) {
    if (!spec.isStonith() || !config.properties().stonithEnabled()) return null;
    for (String node : config.nodes().keySet()) {
      if (fences(spec, node) && config.resources().values().stream()
          .noneMatch(d -> d.isStonith() && !d.id().equals(spec.id()) && fences(d, node))) {
        return node;
      }
    }
    return null;
  }

  /** Whether a device is configured to fence node: hosts lists its targets; none listed: any node. */
  private static boolean fences(ResourceSpec device, String node) {
    return device.hosts() == null || device.hosts().isEmpty() || device.hosts().contains(node);
  }
}
