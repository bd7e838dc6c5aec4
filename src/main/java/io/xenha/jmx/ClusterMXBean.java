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

  /** Same as the StatusJson attribute, for consoles that prefer operations. */
  String status();
}
