package io.xenha.jmx;

import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusText;

/** Serves {@link ClusterMXBean} from the agent's console. */
final class ClusterBean implements ClusterMXBean {

  private final StatusSource source;

  ClusterBean(StatusSource source) {
    this.source = source;
  }

  @Override
  public String getStatusJson() {
    return StatusJson.toJson(source.status());
  }

  @Override
  public String getStatusText() {
    return StatusText.render(source.status());
  }

  @Override
  public String getControllerNode() {
    return source.status().controller();
  }

  @Override
  public String getClusterName() {
    return source.status().cluster();
  }

  @Override
  public boolean isQuorum() {
    return source.status().quorum();
  }

  @Override
  public int getVotesPresent() {
    var v = source.status().votes();
    return v == null ? 0 : v.present();
  }

  @Override
  public int getVotesExpected() {
    var v = source.status().votes();
    return v == null ? 0 : v.expected();
  }

  @Override
  public String[] getFencingFailures() {
    return StatusText.fencingFailures(source.status()).toArray(String[]::new);
  }

  @Override
  public String status() {
    return getStatusJson();
  }

  @Override
  public String fence(String node) {
    return fenced(source.fence(node));
  }

  @Override
  public String admin(String op, String target, String node, String lifetime) {
    return source.admin(op, target, node, lifetime);
  }

  @Override
  public String simulateAdmin(String op, String target, String node, String lifetime) {
    return source.admin(op, target, node, lifetime, true);
  }

  @Override
  public String reload() {
    return source.reload();
  }

  @Override
  public String exportConfig() {
    return source.export();
  }

  @Override
  public String maintenanceMode(boolean on) {
    return source.admin(on ? "maintenance-on" : "maintenance-off", null, null, null);
  }

  @Override
  public String nodeStandby(String node) {
    return source.admin("node-standby", node, null, null);
  }

  @Override
  public String nodeOnline(String node) {
    return source.admin("node-online", node, null, null);
  }

  @Override
  public String nodeMaintenance(String node) {
    return source.admin("node-maintenance", node, null, null);
  }

  @Override
  public String nodeReady(String node) {
    return source.admin("node-ready", node, null, null);
  }

  @Override
  public String resourceStart(String id) {
    return source.admin("resource-start", id, null, null);
  }

  @Override
  public String resourceStop(String id) {
    return source.admin("resource-stop", id, null, null);
  }

  @Override
  public String resourceRestart(String id) {
    return source.admin("resource-restart", id, null, null);
  }

  @Override
  public String resourceMigrate(String id, String node, String lifetime) {
    return source.admin("resource-migrate", id, node, lifetime);
  }

  @Override
  public String resourceUnmigrate(String id, String node) {
    return source.admin("resource-unmigrate", id, node, null);
  }

  @Override
  public String resourceCleanup(String id, String node) {
    return source.admin("resource-cleanup", id, node, null);
  }

  @Override
  public String resourceManage(String id) {
    return source.admin("resource-manage", id, null, null);
  }

  @Override
  public String resourceUnmanage(String id) {
    return source.admin("resource-unmanage", id, null, null);
  }

  @Override
  public String fencingHistory(String node) {
    return StatusJson.fencingToJson(source.fencingHistory(node));
  }

  /** The one-line answer of a successful fence, as `xenha fence` prints it. */
  static String fenced(FencingRecord r) {
    return "fenced " + r.target() + " with " + r.device() + " from " + r.executor() + " (" + r.action() + ")";
  }

  @Override
  public String history(String resource, String node) {
    return StatusJson.historyToJson(source.history(resource, node));
  }
}
