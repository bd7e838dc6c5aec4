package io.xenha.scheduler;

import io.xenha.config.XenhaConfig;
import java.util.Map;

/**
 * Everything the scheduler decides on, frozen: the configuration, each node's state, and each resource's
 * state (a resource missing from {@code resources} is stopped everywhere).
 */
public record ClusterSnapshot(XenhaConfig config, Map<String, NodeState> nodes, Map<String, ResourceState> resources) {

  public ResourceState resource(String id) {
    ResourceState s = resources.get(id);
    return s != null ? s : ResourceState.stopped(id);
  }

  public NodeState node(String name) {
    return nodes.getOrDefault(name, NodeState.OFFLINE);
  }
}
