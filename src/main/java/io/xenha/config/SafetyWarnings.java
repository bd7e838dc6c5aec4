package io.xenha.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.xenha.config.XenhaConfig.ClusterProperties;
import io.xenha.config.XenhaConfig.ClusterSettings;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Warnings about configurations that load but do not protect what an operator expects: fencing switched off, two
 * nodes without two-node mode, a fence device that can never be placed. Each says why and what to do.
 */
final class SafetyWarnings {
  static final String FENCING_OFF = "fencing is off: a node that freezes (a hung dom0, a stalled disk) is recovered"
      + " elsewhere after self-fence-deadline, and when it resumes it still runs its domUs until it notices it left"
      + " the cluster, so each runs twice for seconds (on shared disks that corrupts them); configure a fence device"
      + " and keep stonith-enabled = true";

  private final ConfigObject xenha;
  private final Problems problems;

  private SafetyWarnings(ConfigObject xenha, Problems problems) {
    this.xenha = xenha;
    this.problems = problems;
  }

  /** Adds the warnings for a model built from {@code xenha}; values that are not where expected are skipped quietly. */
  static void check(ConfigObject xenha, Map<String, NodeSpec> nodes, ClusterProperties properties,
      ClusterSettings cluster, Map<String, ResourceSpec> resources, List<LocationConstraint> locations,
      Problems problems) {
    SafetyWarnings w = new SafetyWarnings(xenha, problems);
    if (!properties.stonithEnabled() && nodes.size() > 1) { // one node: nothing is recovered elsewhere
      w.warn("xenha.properties.stonith-enabled", FENCING_OFF, "properties", "stonith-enabled");
    }
    if (nodes.size() == 2 && !cluster.sbrStrategy().equals("two-node")) {
      ConfigValue set = w.userValue("cluster", "split-brain-resolver");
      // reference.conf's default has no line in the user's file: point at the nodes instead
      String at = set != null && set.origin().resource() == null ? "cluster" : "nodes";
      String why = cluster.sbrStrategy().equals("quorum")
          ? ": 1 of 2 votes is no majority, so the loss of either node stops every resource (as in Pacemaker without"
              + " two_node)"
          : ": when one node is lost the other cannot tell a crash from a cut link, and a loss of the node this"
              + " strategy keeps stops the whole cluster";
      w.warn("xenha.cluster.split-brain-resolver", "2 nodes with split-brain-resolver = " + cluster.sbrStrategy() + why
              + "; set cluster.split-brain-resolver = two-node (with fencing) or"
              + " add a third node (docs/operations.md, \"Two-node clusters\")",
          at.equals("cluster") ? new String[] {"cluster", "split-brain-resolver"} : new String[] {"nodes"});
    }
    if (!nodes.isEmpty()) {
      for (ResourceSpec r : resources.values()) {
        if (r.isStonith()) w.fenceDevicePlacement(r, nodes.keySet(), properties, locations);
      }
    }
  }

  /**
   * A device never runs on a node it fences (ConfigInput's -INFINITY on each of its hosts); when that, -INFINITY
   * locations or an opt-in cluster leave no node, it stays Stopped forever and fences nothing from its own node.
   */
  private void fenceDevicePlacement(ResourceSpec r, Set<String> nodes, ClusterProperties properties,
      List<LocationConstraint> locations) {
    Set<String> candidates = new LinkedHashSet<>(nodes);
    candidates.removeAll(r.hosts());
    String why;
    if (candidates.isEmpty()) {
      why = "a device never runs on a node it fences, and it fences every node (" + String.join(", ", r.hosts())
          + "); give each node its own device (hosts = [NODE])"
          + (r.hostMap().isEmpty() ? " or leave hosts out (a device without hosts fences any node, from another one)"
              : "");
    } else {
      List<String> banned = new ArrayList<>();
      Set<String> allowed = new LinkedHashSet<>();
      boolean rule = false;
      for (LocationConstraint l : locations) {
        if (!l.resource().equals(r.id())) continue;
        if (l.rule() != null) {
          rule = true; // decided by node attributes at run time
        } else if (l.score() <= Score.MINUS_INFINITY) {
          if (candidates.contains(l.node())) banned.add(l.node());
        } else {
          allowed.add(l.node());
        }
      }
      if (rule) return;
      candidates.removeAll(banned);
      List<String> rest = List.copyOf(candidates);
      if (!properties.symmetricCluster()) candidates.retainAll(allowed);
      if (!candidates.isEmpty()) return;
      String fences = r.hosts().isEmpty() ? "" : "it fences " + String.join(", ", r.hosts()) + ", ";
      if (!banned.isEmpty() && rest.isEmpty()) {
        why = fences + "and a -INFINITY location bans it from " + String.join(", ", banned);
      } else {
        why = fences + "and with symmetric-cluster = false no location allows it on "
            + String.join(", ", rest.isEmpty() ? banned : rest);
      }
    }
    String at = userValue("resources", r.id(), "hosts") != null ? "hosts"
        : userValue("resources", r.id(), "host-map") != null ? "host-map" : null;
    String key = "xenha.resources." + ConfigUtil.joinPath(r.id()) + (at == null ? "" : "." + at);
    String message = "fence device '" + r.id() + "' can never be placed: " + why;
    if (at == null) {
      warn(key, message, "resources", r.id());
    } else {
      warn(key, message, "resources", r.id(), at);
    }
  }

  private void warn(String key, String message, String... path) {
    ConfigValue v = userValue(path);
    ConfigOrigin origin = v == null ? null : v.origin();
    problems.warning(origin, key, message);
  }

  /** The value at {@code path} under xenha, or null; never reports anything (the model builder did). */
  private ConfigValue userValue(String... path) {
    ConfigValue v = xenha;
    for (String k : path) {
      if (v == null || v.valueType() != ConfigValueType.OBJECT) return null;
      v = ((ConfigObject) v).get(k);
    }
    return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
  }
}
