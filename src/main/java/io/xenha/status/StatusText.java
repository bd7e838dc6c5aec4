package io.xenha.status;

import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.ClusterStatus.Instance;
import io.xenha.status.ClusterStatus.NodeStatus;
import io.xenha.status.ClusterStatus.ResourceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Renders {@link ClusterStatus} as text laid out like Pacemaker's crm_mon, so operators read it at a glance. */
public final class StatusText {

  /** How the Controller's warning about a fence that has not succeeded yet begins. */
  public static final String FENCING_FAILURE = "FENCING OF ";

  private StatusText() {}

  /** The whole status; sections are separated by blank lines and the text ends with a newline. */
  public static String render(ClusterStatus status) {
    List<String> sections = new ArrayList<>();
    sections.add(summary(status));
    optional(sections, fencingAlarm(status));
    sections.add(nodeList(status));
    sections.add(resourceList(status));
    optional(sections, nodeAttributes(status));
    optional(sections, migrationSummary(status));
    optional(sections, failedActions(status));
    optional(sections, fencingHistory(status));
    optional(sections, warnings(status));
    return String.join("\n", sections);
  }

  private static void optional(List<String> sections, String section) {
    if (!section.isEmpty()) sections.add(section);
  }

  private static String summary(ClusterStatus s) {
    StringBuilder b = new StringBuilder("Cluster Summary:\n");
    b.append("  * Cluster name: ").append(orDash(s.cluster())).append('\n');
    b.append("  * Current DC: ").append(s.controller() == null ? "NONE" : s.controller())
        .append(s.quorum() ? " - partition with quorum" : " - partition WITHOUT quorum")
        .append(s.votes() == null ? "" : " (" + s.votes().present() + " of " + s.votes().expected() + " votes)").append('\n');
    b.append("  * ").append(list(s.nodes()).size()).append(" nodes configured\n");
    b.append("  * ").append(instanceCount(s)).append(" resource instances configured\n");
    return b.toString();
  }

  private static int instanceCount(ClusterStatus s) {
    int n = 0;
    for (ResourceStatus r : list(s.resources())) {
      n += isClone(r) ? Math.max(1, list(r.instances()).size()) : 1;
    }
    return n;
  }

  private static String nodeList(ClusterStatus s) {
    StringBuilder b = new StringBuilder("Node List:\n");
    Map<String, List<String>> byState = new LinkedHashMap<>();
    for (NodeStatus n : list(s.nodes())) {
      String state = n.state() == null ? "unknown" : n.state();
      switch (state) {
        case "online", "offline", "unclean" -> byState.computeIfAbsent(state, k -> new ArrayList<>()).add(n.name());
        // crm_mon lists the special states one node per line, before the summary lists
        default -> b.append("  * Node ").append(n.name()).append(": ").append(state).append('\n');
      }
    }
    bracketed(b, "  * Online: ", byState.get("online"));
    bracketed(b, "  * OFFLINE: ", byState.get("offline"));
    bracketed(b, "  * UNCLEAN: ", byState.get("unclean"));
    return b.toString();
  }

  private static void bracketed(StringBuilder b, String label, List<String> names) {
    if (names == null || names.isEmpty()) return;
    b.append(label).append("[ ").append(String.join(" ", names)).append(" ]\n");
  }

  private static String resourceList(ClusterStatus s) {
    StringBuilder b = new StringBuilder("Full List of Resources:\n");
    List<ResourceStatus> resources = list(s.resources());
    if (resources.isEmpty()) b.append("  * No resources\n");
    for (ResourceStatus r : resources) {
      if (isClone(r)) {
        clone(b, r);
      } else {
        b.append("  * ").append(primitive(r.id(), r.type(), r.state(), r.node(), r.managed())).append('\n');
      }
    }
    return b.toString();
  }

  private static void clone(StringBuilder b, ResourceStatus r) {
    b.append("  * Clone Set: ").append(r.id()).append(" (").append(orDash(r.type())).append(')')
        .append(Boolean.FALSE.equals(r.managed()) ? " (unmanaged)" : "").append(":\n");
    List<String> started = new ArrayList<>();
    List<String> stopped = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (Instance i : list(r.instances())) {
      if ("started".equals(i.state()) && i.node() != null) {
        started.add(i.node());
      } else if ("stopped".equals(i.state()) && i.node() != null) {
        stopped.add(i.node());
      } else {
        others.add(primitive(r.id(), r.type(), i.state(), i.node(), null));
      }
    }
    bracketed(b, "    * Started: ", started);
    bracketed(b, "    * Stopped: ", stopped);
    for (String line : others) b.append("    * ").append(line).append('\n');
  }

  /** crm_mon's `id\t(type):\t Started node` line. */
  private static String primitive(String id, String type, String state, String node, Boolean managed) {
    String where = node == null ? "" : " " + node;
    String text =
        switch (state == null ? "unknown" : state) {
          case "started" -> "Started" + where;
          case "stopped" -> "Stopped";
          case "starting" -> "Starting" + where;
          case "stopping" -> "Stopping" + where;
          case "migrating" -> "Migrating" + where;
          case "failed" -> "FAILED" + where;
          case "blocked" -> "Blocked" + where;
          case "unmanaged" -> (node == null ? "Stopped" : "Started" + where) + " (unmanaged)";
          default -> state + where;
        };
    if (Boolean.FALSE.equals(managed) && !"unmanaged".equals(state)) text += " (unmanaged)";
    return id + "\t(" + orDash(type) + "):\t " + text;
  }

  private static String nodeAttributes(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (NodeStatus n : list(s.nodes())) {
      if (n.attributes() == null || n.attributes().isEmpty()) continue;
      b.append("  * Node: ").append(n.name()).append(":\n");
      n.attributes().forEach((k, v) -> b.append("    * ").append(k).append(": ").append(v).append('\n'));
    }
    return b.isEmpty() ? "" : "Node Attributes:\n" + b;
  }

  private static String migrationSummary(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (String node : failNodes(s)) {
      StringBuilder lines = new StringBuilder();
      for (ResourceStatus r : list(s.resources())) {
        int count = failCount(r, node);
        if (count > 0) lines.append("    * ").append(r.id()).append(": fail-count=").append(count).append('\n');
      }
      if (!lines.isEmpty()) b.append("  * Node: ").append(node).append(":\n").append(lines);
    }
    return b.isEmpty() ? "" : "Migration Summary:\n" + b;
  }

  private static String failedActions(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (ResourceStatus r : list(s.resources())) {
      if (r.failCounts() == null) continue;
      for (Map.Entry<String, Integer> e : r.failCounts().entrySet()) {
        if (e.getValue() == null || e.getValue() <= 0) continue;
        b.append("  * ").append(r.id()).append(" on ").append(e.getKey()).append(": fail-count=").append(e.getValue());
        String failed = r.failedOperations() == null ? null : r.failedOperations().get(e.getKey());
        if (failed != null) {
          b.append(", failed operation '").append(failed).append('\''); // Pacemaker names the failed op: vm1_monitor_10000
        } else if (r.lastOperation() != null) {
          b.append(", last operation '").append(r.lastOperation()).append('\'');
        }
        b.append('\n');
      }
    }
    return b.isEmpty() ? "" : "Failed Resource Actions:\n" + b;
  }

  /** Nodes that have any fail count, in the order of the node list, then any others sorted. */
  private static Set<String> failNodes(ClusterStatus s) {
    Set<String> mentioned = new TreeSet<>();
    for (ResourceStatus r : list(s.resources())) {
      if (r.failCounts() != null) mentioned.addAll(r.failCounts().keySet());
    }
    Set<String> ordered = new LinkedHashSet<>();
    for (NodeStatus n : list(s.nodes())) {
      if (mentioned.contains(n.name())) ordered.add(n.name());
    }
    ordered.addAll(mentioned);
    return ordered;
  }

  private static int failCount(ResourceStatus r, String node) {
    if (r.failCounts() == null) return 0;
    Integer c = r.failCounts().get(node);
    return c == null ? 0 : c;
  }

  private static String fencingHistory(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (FencingRecord f : list(s.fencing())) b.append("  * ").append(fencingLine(f)).append('\n');
    return b.isEmpty() ? "" : "Fencing History:\n" + b;
  }

  /**
   * One fencing attempt as one line, like crm_mon's fencing history:
   * {@code reboot of node2 FAILED: device=ipmi-node2, executor=node1, last-failed='...'}.
   */
  public static String fencingLine(FencingRecord f) {
    String result = f.result() == null ? "unknown" : f.result();
    // a failed fence keeps the lost node's resources down: it must stand out in a screenful of status
    String outcome =
        switch (result) {
          case "success" -> "successful";
          case "failed" -> "FAILED";
          default -> result;
        };
    String when = "success".equals(result) ? "completed" : "failed".equals(result) ? "last-failed" : "at";
    return orDash(f.action()) + " of " + orDash(f.target()) + ' ' + outcome
        + ": device=" + orDash(f.device())
        + ", executor=" + orDash(f.executor())
        + ", " + when + "='" + orDash(f.at()) + "'";
  }

  /** The status warnings of fences that have not succeeded yet (the Controller words them "FENCING OF NODE ..."). */
  public static List<String> fencingFailures(ClusterStatus s) {
    return list(s.warnings()).stream().filter(w -> w != null && w.startsWith(FENCING_FAILURE)).toList();
  }

  // Right under the summary: a stalled fence blocks recovery, and the Warnings section is easy to miss at the end.
  private static String fencingAlarm(ClusterStatus s) {
    Set<String> nodes = new LinkedHashSet<>();
    for (String w : fencingFailures(s)) {
      String rest = w.substring(FENCING_FAILURE.length()).trim();
      int end = rest.indexOf(' ');
      nodes.add(end < 0 ? rest : rest.substring(0, end));
    }
    if (nodes.isEmpty()) return "";
    return "!!! FENCING FAILED: " + String.join(", ", nodes) + " (see Warnings); resources of the lost "
        + (nodes.size() == 1 ? "node stay" : "nodes stay") + " down until a fence succeeds\n";
  }

  private static String warnings(ClusterStatus s) {
    StringBuilder b = new StringBuilder();
    for (String w : list(s.warnings())) b.append("  * ").append(w).append('\n');
    return b.isEmpty() ? "" : "Warnings:\n" + b;
  }

  private static boolean isClone(ResourceStatus r) {
    return Boolean.TRUE.equals(r.isClone()) || r.instances() != null;
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
