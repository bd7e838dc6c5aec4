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

  /** corosync's votes present in the Controller's partition (0 while no Controller answers). */
  int getVotesPresent();

  /** The votes of every configured node: quorum is a majority of these. */
  int getVotesExpected();

  /** The warnings of fences that have not succeeded ("FENCING OF NODE ..."); empty when none is stalled. */
  String[] getFencingFailures();

  /** Same as the StatusJson attribute, for consoles that prefer operations. */
  String status();

  /**
   * Fences NODE now and waits for the outcome: "fenced NODE with DEVICE from EXECUTOR (ACTION)". A refusal or a
   * failed fence is an exception whose message says why.
   */
  String fence(String node);

  /**
   * Any admin command (what `xenha node`, `xenha resource` and `xenha maintenance` do): op is one of node-standby,
   * node-online, node-maintenance, node-ready, resource-start, resource-stop, resource-restart, resource-migrate,
   * resource-unmigrate, resource-cleanup, resource-manage, resource-unmanage, maintenance-on, maintenance-off;
   * target the node or resource; node the optional --node; lifetime the optional lifetime of a migrate (10m, PT1H).
   * Returns what was done; a refusal is an exception whose message says why.
   */
  String admin(String op, String target, String node, String lifetime);

  /**
   * What {@link #admin} would make the cluster do (crm_simulate's Transition Summary), without doing it: nothing
   * changes. A refusal is an exception whose message says why.
   */
  String simulateAdmin(String op, String target, String node, String lifetime);

  /**
   * Every node re-reads its configuration file; the change takes effect when all are valid and the same (`xenha
   * reload`). Returns what changed; a refusal is an exception whose message says why (nothing changed then).
   */
  String reload();

  /** The configuration file plus the runtime overrides as HOCON that `xenha verify` accepts (`xenha export`). */
  String exportConfig();

  /** Cluster-wide maintenance-mode on or off (stop managing, keep every domU as it is). */
  String maintenanceMode(boolean on);

  String nodeStandby(String node);

  String nodeOnline(String node);

  String nodeMaintenance(String node);

  String nodeReady(String node);

  String resourceStart(String id);

  String resourceStop(String id);

  String resourceRestart(String id);

  /** Moves ID to NODE (a prefer constraint), or bans it from where it runs when NODE is empty; lifetime optional. */
  String resourceMigrate(String id, String node, String lifetime);

  /** Clears ID's migrate constraints (only the ban from NODE when NODE is given). */
  String resourceUnmigrate(String id, String node);

  /** Clears ID's fail counts on NODE, or on every node when NODE is empty. */
  String resourceCleanup(String id, String node);

  String resourceManage(String id);

  String resourceUnmanage(String id);

  /** Fencing attempts as a JSON array, newest first; against NODE only unless it is null or empty. */
  String fencingHistory(String node);

  /**
   * Operation and fencing history from every node's journal as JSON {"records": [...], "missing": [...]}, newest
   * first; only of RESOURCE and/or NODE unless null or empty. A node whose history cannot be read is named in missing.
   */
  String history(String resource, String node);
}
