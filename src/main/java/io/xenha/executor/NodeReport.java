package io.xenha.executor;

import io.xenha.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * What one NodeAgent knows of its own resources, as a whole snapshot. {@code incarnation} changes when the
 * agent restarts and {@code seq} grows with every change, so the Controller can drop a report that arrives
 * after a newer one. {@code membership}: what this node has seen of the others (node name to member, left or
 * lost), so that a new Controller knows who was in the cluster without waiting for replication. {@code attributes}:
 * this node's attributes as its agents set them (pingd), fresher than their Distributed Data copy.
 * {@code utilization}: the node's capacity as libvirt's node info gives it ("memory" in MiB, "vcpus"), in the units of
 * resource utilization; empty until libvirt has answered.
 * configChecksum: the checksum of the configuration this agent runs with (XenhaConfig.checksum): the Controller
 * reports a node whose configuration differs from its own.
 */
public record NodeReport(
    String node, String address, org.apache.pekko.actor.typed.ActorRef<NodeAgent.Command> agent, long incarnation, long seq,
    boolean shuttingDown, Map<String, LocalResource> resources, Map<String, String> membership,
    Map<String, String> attributes, Map<String, Long> utilization, String configChecksum, List<String> stateProblems)
    implements CborSerializable {

  public NodeReport {
    if (utilization == null) utilization = Map.of();
    if (stateProblems == null) stateProblems = List.of();
  }

  /** A report whose node has no problem with its durable state. */
  public NodeReport(
      String node, String address, org.apache.pekko.actor.typed.ActorRef<NodeAgent.Command> agent, long incarnation, long seq,
      boolean shuttingDown, Map<String, LocalResource> resources, Map<String, String> membership,
      Map<String, String> attributes, Map<String, Long> utilization, String configChecksum) {
    this(node, address, agent, incarnation, seq, shuttingDown, resources, membership, attributes, utilization,
        configChecksum, List.of());
  }

  /** A report without the node's capacity (libvirt has not answered yet). */
  public NodeReport(
      String node, String address, org.apache.pekko.actor.typed.ActorRef<NodeAgent.Command> agent, long incarnation, long seq,
      boolean shuttingDown, Map<String, LocalResource> resources, Map<String, String> membership,
      Map<String, String> attributes) {
    this(node, address, agent, incarnation, seq, shuttingDown, resources, membership, attributes, Map.of(), null);
  }

  /** A report without a configuration checksum (one that does not take part in the comparison). */
  public NodeReport(
      String node, String address, org.apache.pekko.actor.typed.ActorRef<NodeAgent.Command> agent, long incarnation, long seq,
      boolean shuttingDown, Map<String, LocalResource> resources, Map<String, String> membership,
      Map<String, String> attributes, Map<String, Long> utilization) {
    this(node, address, agent, incarnation, seq, shuttingDown, resources, membership, attributes, utilization, null);
  }

  /**
   * Local states: starting, started, stopping, stopped, migrating (a live migration away from here is under way),
   * failed (restarts exhausted or start failed), stop-failed. lastFailure: when an operation of it last failed here
   * (epoch seconds, 0: never), for failure-timeout. failedOperation: while it has failures here, the operation
   * that failed last and why ("monitor: domain vm1 is SHUTOFF"), for status's Failed Resource Actions.
   */
  public record LocalResource(String state, int failCount, String lastOperation, long lastFailure, String failedOperation)
      implements CborSerializable {
    public LocalResource(String state, int failCount, String lastOperation) {
      this(state, failCount, lastOperation, 0, null);
    }

    public LocalResource(String state, int failCount, String lastOperation, long lastFailure) {
      this(state, failCount, lastOperation, lastFailure, null);
    }

    /**
     * Whether a live migration away from the node failed and left the domU running there (the agent reports it
     * started, its last operation migrate_to). Pacemaker: the resource is failed on its source and recovered.
     */
    public boolean migrationFailed() {
      return state.equals("started") && "migrate_to".equals(lastOperation);
    }

    /** Whether the domU may be active on the node in this state (everything but stopped and a failed start). */
    public boolean possiblyActive() {
      return !state.equals("stopped") && !state.equals("failed");
    }
  }

  /** Whether this report replaces {@code older} (a newer incarnation, or the same one with a higher seq). */
  public boolean newerThan(NodeReport older) {
    return older == null || incarnation > older.incarnation || (incarnation == older.incarnation && seq > older.seq);
  }
}
