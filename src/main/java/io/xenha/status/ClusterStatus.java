package io.xenha.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The cluster status of contract.md (`xenha status --json`, schema 1). Fields may be added, never renamed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(
    int schema,
    String cluster,
    String controller,
    boolean quorum,
    List<NodeStatus> nodes,
    List<ResourceStatus> resources,
    List<FencingRecord> fencing,
    List<String> warnings,
    Votes votes) implements io.xenha.CborSerializable {

  public static final int SCHEMA = 1;

  /** A status without the vote count (built before votes were known, or by tests). */
  public ClusterStatus(int schema, String cluster, String controller, boolean quorum, List<NodeStatus> nodes,
      List<ResourceStatus> resources, List<FencingRecord> fencing, List<String> warnings) {
    this(schema, cluster, controller, quorum, nodes, resources, fencing, warnings, null);
  }

  /** corosync's votes: present in this partition, expected (all configured nodes). */
  public record Votes(int present, int expected) {}

  /** state: online, standby, maintenance, offline, unclean. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record NodeStatus(String name, String state, Map<String, Object> attributes, Map<String, Long> utilization) {}

  /** state: started, stopped, starting, stopping, migrating, failed, blocked, unmanaged. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResourceStatus(
      String id,
      String type,
      String state,
      String node,
      Boolean managed,
      Map<String, Integer> failCounts,
      @com.fasterxml.jackson.annotation.JsonProperty("clone") Boolean isClone,
      List<Instance> instances,
      String lastOperation,
      Map<String, String> failedOperations) {

    /** failedOperations: per node with failures, the operation that failed last there and why. */
    public ResourceStatus(String id, String type, String state, String node, Boolean managed,
        Map<String, Integer> failCounts, Boolean isClone, List<Instance> instances, String lastOperation) {
      this(id, type, state, node, managed, failCounts, isClone, instances, lastOperation, null);
    }
  }

  /** One clone instance. */
  public record Instance(String node, String state) {}

  /** One fencing attempt. result: success, failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FencingRecord(String target, String device, String executor, String action, String result, String at) {}
}
