package io.xenha.scheduler;

import io.xenha.config.XenhaConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything the scheduler decides on, frozen: the configuration, each node's state, each resource's state (a
 * resource missing from {@code resources} is stopped everywhere) and each node's attributes (node -> name -> value,
 * e.g. pingd, and #is_dc = "true" on the Controller's node; a node missing from {@code attributes} has none).
 * now: the time the snapshot was taken (epoch seconds), against which failure-timeout expires failures; 0 when
 * unknown (then no failure expires). The scheduler itself never reads a clock. capacity: node -> utilization name ->
 * value as the node's hypervisor reports it ("memory" in MiB, "vcpus"); a configured node utilization wins over it,
 * key by key.
 */
public record ClusterSnapshot(XenhaConfig config, Map<String, NodeState> nodes, Map<String, ResourceState> resources,
    Map<String, Map<String, String>> attributes, long now, Map<String, Map<String, Long>> capacity) {

  public ClusterSnapshot {
    if (attributes == null) attributes = Map.of();
    if (capacity == null) capacity = Map.of();
  }

  /** A snapshot without capacities reported by hypervisors: only configured node utilization counts. */
  public ClusterSnapshot(XenhaConfig config, Map<String, NodeState> nodes, Map<String, ResourceState> resources,
      Map<String, Map<String, String>> attributes, long now) {
    this(config, nodes, resources, attributes, now, Map.of());
  }

  /** A snapshot without a time: failure-timeout expires nothing. */
  public ClusterSnapshot(XenhaConfig config, Map<String, NodeState> nodes, Map<String, ResourceState> resources,
      Map<String, Map<String, String>> attributes) {
    this(config, nodes, resources, attributes, 0);
  }

  /** A snapshot without node attributes. */
  public ClusterSnapshot(XenhaConfig config, Map<String, NodeState> nodes, Map<String, ResourceState> resources) {
    this(config, nodes, resources, Map.of(), 0);
  }

  public static ClusterSnapshot of(XenhaConfig config, Map<String, NodeState> nodes,
      Map<String, ResourceState> resources) {
    return new ClusterSnapshot(config, nodes, resources, Map.of(), 0);
  }

  public ResourceState resource(String id) {
    ResourceState s = resources.get(id);
    return s != null ? s : ResourceState.stopped(id);
  }

  public NodeState node(String name) {
    return nodes.getOrDefault(name, NodeState.OFFLINE);
  }

  /**
   * The attributes a rule sees on {@code node}: the snapshot's, plus Pacemaker's built-ins #uname (the node's
   * name) and #is_dc ("false" unless the snapshot says otherwise).
   */
  public Map<String, String> ruleAttributes(String node) {
    Map<String, String> out = new HashMap<>();
    out.put("#is_dc", "false");
    Map<String, String> own = attributes.get(node);
    if (own != null) out.putAll(own);
    out.put("#uname", node);
    return out;
  }
}
