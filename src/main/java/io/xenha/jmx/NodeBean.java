package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Serves {@link NodeMXBean} (and {@link LocalNodeMXBean} for the agent's own node). */
final class NodeBean implements LocalNodeMXBean {

  private final String name;
  private final StatusSource source;

  NodeBean(String name, StatusSource source) {
    this.name = name;
    this.source = source;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getState() {
    return source.node(name).state();
  }

  @Override
  public Map<String, String> getAttributes() {
    Map<String, Object> attributes = source.node(name).attributes();
    Map<String, String> out = new LinkedHashMap<>();
    if (attributes != null) attributes.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @Override
  public Map<String, Long> getUtilization() {
    Map<String, Long> u = source.node(name).utilization();
    return u == null ? Map.of() : new LinkedHashMap<>(u);
  }

  @Override
  public String getLastFencing() {
    List<ClusterStatus.FencingRecord> history = source.fencingHistory(name);
    return history.isEmpty() ? "" : StatusText.fencingLine(history.get(0));
  }

  @Override
  public String fence() {
    return ClusterBean.fenced(source.fence(name));
  }

  @Override
  public String standby() {
    return source.admin("node-standby", name, null, null);
  }

  @Override
  public String online() {
    return source.admin("node-online", name, null, null);
  }

  @Override
  public String maintenance() {
    return source.admin("node-maintenance", name, null, null);
  }

  @Override
  public String ready() {
    return source.admin("node-ready", name, null, null);
  }

  @Override
  public List<String> getActiveDomains() {
    // registered with this attribute only for the local node (see JmxServer)
    return source.localActiveDomains();
  }
}
