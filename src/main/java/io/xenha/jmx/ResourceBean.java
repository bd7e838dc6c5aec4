package io.xenha.jmx;

import io.xenha.status.ClusterStatus.Instance;
import io.xenha.status.ClusterStatus.ResourceStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Serves {@link ResourceMXBean} from the agent's console. */
final class ResourceBean implements ResourceMXBean {

  private final String id;
  private final StatusSource source;

  ResourceBean(String id, StatusSource source) {
    this.id = id;
    this.source = source;
  }

  @Override
  public String getId() {
    return id;
  }

  @Override
  public String getType() {
    return source.resource(id).type();
  }

  @Override
  public String getState() {
    return source.resource(id).state();
  }

  @Override
  public String getNode() {
    return source.resource(id).node();
  }

  @Override
  public List<String> getNodes() {
    ResourceStatus r = source.resource(id);
    List<String> nodes = new ArrayList<>();
    if (r.node() != null) nodes.add(r.node());
    for (Instance i : StatusSource.listOf(r.instances())) {
      if (i.node() != null && !"stopped".equals(i.state()) && !nodes.contains(i.node())) nodes.add(i.node());
    }
    return nodes;
  }

  @Override
  public Map<String, Integer> getFailCounts() {
    Map<String, Integer> f = source.resource(id).failCounts();
    return f == null ? Map.of() : new LinkedHashMap<>(f);
  }

  @Override
  public String getLastOperation() {
    return source.resource(id).lastOperation();
  }

  @Override
  public boolean isManaged() {
    return !Boolean.FALSE.equals(source.resource(id).managed());
  }

  @Override
  public String start() {
    return source.admin("resource-start", id, null, null);
  }

  @Override
  public String stop() {
    return source.admin("resource-stop", id, null, null);
  }

  @Override
  public String restart() {
    return source.admin("resource-restart", id, null, null);
  }

  @Override
  public String migrate(String node) {
    return source.admin("resource-migrate", id, node, null);
  }

  @Override
  public String unmigrate() {
    return source.admin("resource-unmigrate", id, null, null);
  }

  @Override
  public String cleanup() {
    return source.admin("resource-cleanup", id, null, null);
  }

  @Override
  public String manage() {
    return source.admin("resource-manage", id, null, null);
  }

  @Override
  public String unmanage() {
    return source.admin("resource-unmanage", id, null, null);
  }
}
