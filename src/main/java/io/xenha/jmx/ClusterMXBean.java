package io.xenha.jmx;

/** The whole cluster, as the Controller sees it: `io.xenha:type=Cluster`. */
public interface ClusterMXBean {

  /** The status of contract.md as JSON (schema 1). */
  String getStatusJson();

  /** The status as crm_mon-like text, for reading in jconsole. */
  String getStatusText();

  /** The node running the Controller, or null while none is elected. */
  String getControllerNode();

  String getClusterName();

  boolean isQuorum();

  /** The warnings of fences that have not succeeded ("FENCING OF NODE ..."); empty when none is stalled. */
  String[] getFencingFailures();

  /** Same as the StatusJson attribute, for consoles that prefer operations. */
  String status();

  /**
   * Fences NODE now and waits for the outcome: "fenced NODE with DEVICE from EXECUTOR (ACTION)". A refusal or a
   * failed fence is an exception whose message says why.
   */
  String fence(String node);

  /** Fencing attempts as a JSON array, newest first; against NODE only unless it is null or empty. */
  String fencingHistory(String node);

  /**
   * Operation and fencing history from every node's journal as JSON {"records": [...], "missing": [...]}, newest
   * first; only of RESOURCE and/or NODE unless null or empty. A node whose history cannot be read is named in missing.
   */
  String history(String resource, String node);
}
