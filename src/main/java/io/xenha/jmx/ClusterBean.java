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
