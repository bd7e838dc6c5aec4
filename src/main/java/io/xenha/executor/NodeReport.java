package io.xenha.executor;

import io.xenha.CborSerializable;
import java.util.Map;

/**
 * What one NodeAgent knows of its own resources, as a whole snapshot. {@code incarnation} changes when the
 * agent restarts and {@code seq} grows with every change, so the Controller can drop a report that arrives
 * after a newer one. {@code membership}: what this node has seen of the others (node name to member, left or
 * lost), so that a new Controller knows who was in the cluster without waiting for replication. {@code attributes}:
 * this node's attributes as its agents set them (pingd), fresher than their Distributed Data copy.
 */
public record NodeReport(
    String node, String address, org.apache.pekko.actor.typed.ActorRef<NodeAgent.Command> agent, long incarnation, long seq,
    boolean shuttingDown, Map<String, LocalResource> resources, Map<String, String> membership,
    Map<String, String> attributes)
    implements CborSerializable {

  /** Local states: starting, started, stopping, stopped, failed (restarts exhausted or start failed), stop-failed. */
  public record LocalResource(String state, int failCount, String lastOperation) implements CborSerializable {
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
