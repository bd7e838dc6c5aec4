package io.xenha.jmx;

import io.xenha.controller.Admin;
import io.xenha.status.ClusterStatus;
import io.xenha.status.History;
import java.util.List;

/** A console that passes every call on: subclasses change one answer (e.g. add a status warning). */
class ForwardingConsole implements ClusterConsole {

  private final ClusterConsole next;

  ForwardingConsole(ClusterConsole next) {
    this.next = next;
  }

  @Override
  public ClusterStatus status() throws Exception {
    return next.status();
  }

  @Override
  public List<String> localActiveDomains() throws Exception {
    return next.localActiveDomains();
  }

  @Override
  public String localNode() {
    return next.localNode();
  }

  @Override
  public ClusterStatus.FencingRecord fence(String node) throws Exception {
    return next.fence(node);
  }

  @Override
  public Admin.Reply admin(Admin.Request request) throws Exception {
    return next.admin(request);
  }

  @Override
  public Admin.Reply reload() throws Exception {
    return next.reload();
  }

  @Override
  public String export() throws Exception {
    return next.export();
  }

  @Override
  public List<ClusterStatus.FencingRecord> fencingHistory(String node) throws Exception {
    return next.fencingHistory(node);
  }

  @Override
  public History history(String resource, String node) throws Exception {
    return next.history(resource, node);
  }
}
