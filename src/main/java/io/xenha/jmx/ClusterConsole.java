package io.xenha.jmx;

import io.xenha.status.ClusterStatus;
import java.util.List;

/**
 * What the JMX beans of one agent can ask of the running cluster. Implementations ask actors with a timeout
 * and may block the calling (JMX) thread; they never run on an actor thread.
 */
public interface ClusterConsole {

  /** The status of the whole cluster, as the Controller knows it. */
  ClusterStatus status() throws Exception;

  /** Domain names libvirt reports active on this agent's own hypervisor (the local truth, not the Controller's view). */
  List<String> localActiveDomains() throws Exception;

  /** This agent's node name. */
  String localNode();

  /**
   * Fences {@code node} now (manual fencing: `xenha fence NODE`, the Cluster bean's fence operation) and waits
   * for the outcome. Throws IllegalArgumentException for an unknown node and IllegalStateException when the
   * Controller refuses (e.g. fencing the Controller's own node, or no device can reach the node); the message says
   * why. Returns the fencing record of the attempt that decided it.
   */
  default ClusterStatus.FencingRecord fence(String node) throws Exception {
    throw new UnsupportedOperationException("manual fencing is not available");
  }

  /**
   * An admin command (node standby, resource stop, ...), decided and applied by the Controller; the reply says
   * whether it was done and what, or why it was refused.
   */
  default io.xenha.controller.Admin.Reply admin(io.xenha.controller.Admin.Request request) throws Exception {
    throw new UnsupportedOperationException("admin commands are not available");
  }

  /** xenha reload: every node re-reads its file; the reply says what changed, or why nothing did. */
  default io.xenha.controller.Admin.Reply reload() throws Exception {
    throw new UnsupportedOperationException("reload is not available");
  }

  /**
   * The configuration file this agent runs with, followed by the runtime overrides as HOCON: loaded as a
   * configuration it gives the same state (`xenha export`).
   */
  default String export() throws Exception {
    throw new UnsupportedOperationException("export is not available");
  }

  /** Fencing history, newest first; only attempts against {@code node} when it is not null. */
  default List<ClusterStatus.FencingRecord> fencingHistory(String node) throws Exception {
    List<ClusterStatus.FencingRecord> all = status().fencing();
    return all == null ? List.of() : all.stream().filter(r -> node == null || r.target().equals(node)).toList();
  }

  /**
   * Operation and fencing history from every node's journal, newest first; only of {@code resource} and/or
   * {@code node} when not null. Without operation history (a console that has none) only the fencing is given.
   */
  default io.xenha.status.History history(String resource, String node) throws Exception {
    List<io.xenha.status.HistoryRecord> records = new java.util.ArrayList<>();
    for (ClusterStatus.FencingRecord f : fencingHistory(null)) {
      io.xenha.status.HistoryRecord r = new io.xenha.status.HistoryRecord(f.at(), io.xenha.status.HistoryRecord.FENCING,
          f.executor(), f.device(), f.action(), f.target(), "success".equals(f.result()) ? "ok" : f.result(), null);
      if (r.concerns(resource, node)) records.add(r);
    }
    return new io.xenha.status.History(records, List.of());
  }
}
