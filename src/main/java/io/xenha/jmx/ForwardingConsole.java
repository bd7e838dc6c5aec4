package io.xenha.jmx;

import io.xenha.controller.Admin;
import io.xenha.status.ClusterStatus;
import io.xenha.status.History;
import java.util.List;
import java.util.function.Supplier;

/**
 * A console that passes every call on to whichever console is current: the agent's JMX port stays up while the agent
 * starts a new incarnation of itself (after the cluster downed it), and its beans then ask the new one. Subclasses
 * change one answer (e.g. add a status warning).
 */
public class ForwardingConsole implements ClusterConsole {

  private final Supplier<ClusterConsole> current;

  public ForwardingConsole(Supplier<ClusterConsole> current) {
    this.current = current;
  }

  public ForwardingConsole(ClusterConsole next) {
    this(() -> next);
  }

  @Override
  public ClusterStatus status() throws Exception {
    return current.get().status();
  }

  @Override
  public List<String> localActiveDomains() throws Exception {
    return current.get().localActiveDomains();
  }

  @Override
  public String localNode() {
    return current.get().localNode();
  }

  @Override
  public ClusterStatus.FencingRecord fence(String node) throws Exception {
    return current.get().fence(node);
  }

  @Override
  public Admin.Reply admin(Admin.Request request) throws Exception {
    return current.get().admin(request);
  }

  @Override
  public Admin.Reply reload() throws Exception {
    return current.get().reload();
  }

  @Override
  public String export() throws Exception {
    return current.get().export();
  }

  @Override
  public List<ClusterStatus.FencingRecord> fencingHistory(String node) throws Exception {
    return current.get().fencingHistory(node);
  }

  @Override
  public History history(String resource, String node) throws Exception {
    return current.get().history(resource, node);
  }
}
