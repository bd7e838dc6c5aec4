package io.xenha.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated, immutable cluster configuration: what `xenha verify` accepts and every agent runs on.
 * Maps keep the order of the file. fencingTopology: per node, the fencing levels tried in order, each a list of
 * device ids that must all succeed (Pacemaker's fencing-topology); empty when not configured. ocfRoot: where OCF
 * agents live (agent provider:type is ocfRoot/resource.d/provider/type).
 */
public record XenhaConfig(
    Path source,
    String clusterName,
    Optional<String> nodeName,
    Map<String, NodeSpec> nodes,
    ClusterProperties properties,
    Map<String, ResourceSpec> resources,
    List<LocationConstraint> locations,
    List<OrderConstraint> orders,
    ClusterSettings cluster,
    JmxSettings jmx,
    String checksum,
    Map<String, List<List<String>>> fencingTopology,
    Path ocfRoot,
    List<ColocationConstraint> colocations,
    PersistenceSettings persistence,
    SecuritySettings security) {

  /** The configuration as it was before security settings existed: the secure defaults. */
  public XenhaConfig(Path source, String clusterName, Optional<String> nodeName, Map<String, NodeSpec> nodes,
      ClusterProperties properties, Map<String, ResourceSpec> resources, List<LocationConstraint> locations,
      List<OrderConstraint> orders, ClusterSettings cluster, JmxSettings jmx, String checksum,
      Map<String, List<List<String>>> fencingTopology, Path ocfRoot, List<ColocationConstraint> colocations,
      PersistenceSettings persistence) {
    this(source, clusterName, nodeName, nodes, properties, resources, locations, orders, cluster, jmx, checksum,
        fencingTopology, ocfRoot, colocations, persistence, SecuritySettings.DEFAULT);
  }

  /** The configuration as it was before persistence settings existed: the embedded journal's defaults. */
  public XenhaConfig(Path source, String clusterName, Optional<String> nodeName, Map<String, NodeSpec> nodes,
      ClusterProperties properties, Map<String, ResourceSpec> resources, List<LocationConstraint> locations,
      List<OrderConstraint> orders, ClusterSettings cluster, JmxSettings jmx, String checksum,
      Map<String, List<List<String>>> fencingTopology, Path ocfRoot, List<ColocationConstraint> colocations) {
    this(source, clusterName, nodeName, nodes, properties, resources, locations, orders, cluster, jmx, checksum,
        fencingTopology, ocfRoot, colocations, PersistenceSettings.DEFAULT);
  }

  /** The configuration as it was before colocations existed: none. */
  public XenhaConfig(Path source, String clusterName, Optional<String> nodeName, Map<String, NodeSpec> nodes,
      ClusterProperties properties, Map<String, ResourceSpec> resources, List<LocationConstraint> locations,
      List<OrderConstraint> orders, ClusterSettings cluster, JmxSettings jmx, String checksum,
      Map<String, List<List<String>>> fencingTopology, Path ocfRoot) {
    this(source, clusterName, nodeName, nodes, properties, resources, locations, orders, cluster, jmx, checksum,
        fencingTopology, ocfRoot, List.of());
  }

  /**
   * The configured resource an action acts on: the resource itself, or for a clone instance "ID:N" (and a cloned
   * group's member "m:N") the one its id names; null when none.
   */
  public ResourceSpec resourceOf(String actionResource) {
    ResourceSpec spec = resources.get(actionResource);
    int colon = actionResource.lastIndexOf(':');
    if (spec == null && colon > 0) spec = resources.get(actionResource.substring(0, colon));
    return spec;
  }

  /**
   * spec's migration-threshold as Pacemaker resolves a meta attribute: the resource's own, else its group's, else
   * the cluster's. One place for the scheduler's, the supervision's and the Controller's "failed" mark.
   */
  public int migrationThreshold(ResourceSpec spec) {
    ResourceSpec group = spec.group() == null ? null : resources.get(spec.group());
    return spec.migrationThreshold() != null ? spec.migrationThreshold()
        : group != null && group.migrationThreshold() != null ? group.migrationThreshold()
        : properties.migrationThreshold();
  }

  /** spec's failure-timeout: the resource's own, else its group's, else the cluster's (zero: never expires). */
  public java.time.Duration failureTimeout(ResourceSpec spec) {
    ResourceSpec group = spec.group() == null ? null : resources.get(spec.group());
    return spec.failureTimeout() != null ? spec.failureTimeout()
        : group != null && group.failureTimeout() != null ? group.failureTimeout()
        : properties.failureTimeout();
  }

  public NodeSpec node(String name) {
    NodeSpec n = nodes.get(name);
    if (n == null) throw new IllegalArgumentException("unknown node " + name);
    return n;
  }

  /**
   * A dom0 of the cluster. attributes: permanent node attributes for location rules (the CIB's
   * {@code <node><instance_attributes>}); standby: the node starts in standby; utilization: capacities by name
   * (memory in MiB), empty when not configured.
   */
  public record NodeSpec(
      String name,
      String host,
      int port,
      String hypervisor,
      String jmxHost,
      int jmxPort,
      Path stateDir,
      Map<String, String> attributes,
      boolean standby,
      Map<String, Long> utilization,
      int votes) {

    /** A node without attributes, standby or utilization, with one vote. */
    public NodeSpec(String name, String host, int port, String hypervisor, String jmxHost, int jmxPort, Path stateDir) {
      this(name, host, port, hypervisor, jmxHost, jmxPort, stateDir, Map.of(), false, Map.of(), 1);
    }
  }

  /** Pacemaker's cluster options (crm_config). */
  public record ClusterProperties(
      boolean stonithEnabled,
      String stonithAction,
      String noQuorumPolicy,
      int defaultResourceStickiness,
      int migrationThreshold,
      Duration failureTimeout,
      boolean symmetricCluster,
      String placementStrategy,
      int batchLimit,
      boolean startupFencing,
      Duration dcDeadtime,
      Duration stonithTimeout,
      Duration priorityFencingDelay,
      Duration fenceRetryMaxBackoff,
      Duration selfFenceDeadline,
      boolean maintenanceMode,
      boolean startFailureIsFatal,
      boolean stopOrphanResources,
      int migrationLimit,
      boolean concurrentFencing) {

    /** The properties as they were before maintenance-mode and friends: Pacemaker's defaults for those. */
    public ClusterProperties(boolean stonithEnabled, String stonithAction, String noQuorumPolicy,
        int defaultResourceStickiness, int migrationThreshold, Duration failureTimeout, boolean symmetricCluster,
        String placementStrategy, int batchLimit, boolean startupFencing, Duration dcDeadtime, Duration stonithTimeout,
        Duration priorityFencingDelay, Duration fenceRetryMaxBackoff, Duration selfFenceDeadline) {
      this(stonithEnabled, stonithAction, noQuorumPolicy, defaultResourceStickiness, migrationThreshold, failureTimeout,
          symmetricCluster, placementStrategy, batchLimit, startupFencing, dcDeadtime, stonithTimeout,
          priorityFencingDelay, fenceRetryMaxBackoff, selfFenceDeadline, false, true, true, -1, true);
    }

    /** These properties with maintenance-mode set to {@code on} (a runtime override). */
    public ClusterProperties withMaintenanceMode(boolean on) {
      return new ClusterProperties(stonithEnabled, stonithAction, noQuorumPolicy, defaultResourceStickiness,
          migrationThreshold, failureTimeout, symmetricCluster, placementStrategy, batchLimit, startupFencing,
          dcDeadtime, stonithTimeout, priorityFencingDelay, fenceRetryMaxBackoff, selfFenceDeadline, on,
          startFailureIsFatal, stopOrphanResources, migrationLimit, concurrentFencing);
    }
  }

  /**
   * Timeouts of one resource's operations. fenceTimeout is set for stonith resources (ops.fence.timeout, else
   * properties.stonith-timeout) and null for domains. onFail: operation name (start, stop, monitor, migrate) ->
   * what a failure of it does (restart, ignore, block, stop, standby, fence), only for the operations that set it;
   * the others get Pacemaker's default (restart; stop: fence when stonith-enabled, else block).
   */
  public record Ops(
      Duration startTimeout,
      Duration stopTimeout,
      Duration monitorInterval,
      Duration monitorTimeout,
      Duration migrateTimeout,
      Duration fenceTimeout,
      Map<String, String> onFail) {

    /** Ops without on-fail settings. */
    public Ops(Duration startTimeout, Duration stopTimeout, Duration monitorInterval, Duration monitorTimeout,
        Duration migrateTimeout, Duration fenceTimeout) {
      this(startTimeout, stopTimeout, monitorInterval, monitorTimeout, migrateTimeout, fenceTimeout, Map.of());
    }
  }

  /**
   * One resource. type is "domain" (a libvirt domU), "stonith" (a fence device), "ocf" (an OCF resource agent,
   * agent = "provider:type", e.g. "heartbeat:Dummy") or "builtin" (agent = "ping"; params host-list (space separated),
   * multiplier, dampen (e.g. "5s") and name are always set).
   * For domains: domainXml (the file's content), domainName (its &lt;name&gt;). For stonith: agent, hosts (empty:
   * every node), params (password-file as an absolute path; never a clear-text secret), hostMap (node -> plug, empty
   * when not configured). ocf and builtin resources have agent and params.
   * stickiness and migrationThreshold are null when the cluster default applies. clone is null unless the resource
   * is a clone set (never for domain and stonith); the component cannot be called clone (Object.clone).
   * <p>type "group" (Pacemaker's group): members are the ids of its resources in start order (each defined in
   * resources, with group set to this id), ordered / collocated as Pacemaker's meta attributes; a group has no
   * agent, params, ops of its own (ops holds the defaults) and may be a clone. For every other type members is empty.
   * group: the id of the group this resource belongs to, or null. utilization: what the resource needs, by name
   * (memory in MiB), empty when not configured. managed: is-managed. failureTimeout: null when
   * properties.failure-timeout applies. multipleActive: block | stop_only | stop_start. requires: nothing | quorum |
   * fencing (resolved: quorum for fence devices and without stonith-enabled, else fencing, unless set).
   */
  public record ResourceSpec(
      String id,
      String type,
      Path domainXmlPath,
      String domainXml,
      String domainName,
      boolean allowMigrate,
      Integer stickiness,
      Integer migrationThreshold,
      Duration startDelay,
      int priority,
      String targetRole,
      Ops ops,
      String agent,
      List<String> hosts,
      Map<String, String> params,
      Map<String, String> hostMap,
      Clone cloneSet,
      List<String> members,
      boolean ordered,
      boolean collocated,
      String group,
      Map<String, Long> utilization,
      boolean managed,
      Duration failureTimeout,
      String multipleActive,
      String requires) {

    /** A resource without group, utilization and the meta attributes added with groups: Pacemaker's defaults. */
    public ResourceSpec(String id, String type, Path domainXmlPath, String domainXml, String domainName,
        boolean allowMigrate, Integer stickiness, Integer migrationThreshold, Duration startDelay, int priority,
        String targetRole, Ops ops, String agent, List<String> hosts, Map<String, String> params,
        Map<String, String> hostMap, Clone cloneSet) {
      this(id, type, domainXmlPath, domainXml, domainName, allowMigrate, stickiness, migrationThreshold, startDelay,
          priority, targetRole, ops, agent, hosts, params, hostMap, cloneSet, List.of(), true, true, null, Map.of(),
          true, null, "stop_start", "stonith".equals(type) ? "quorum" : "fencing");
    }

    /** The resource as it was before clones existed: not a clone. */
    public ResourceSpec(String id, String type, Path domainXmlPath, String domainXml, String domainName,
        boolean allowMigrate, Integer stickiness, Integer migrationThreshold, Duration startDelay, int priority,
        String targetRole, Ops ops, String agent, List<String> hosts, Map<String, String> params,
        Map<String, String> hostMap) {
      this(id, type, domainXmlPath, domainXml, domainName, allowMigrate, stickiness, migrationThreshold, startDelay,
          priority, targetRole, ops, agent, hosts, params, hostMap, null);
    }

    /** This resource with target-role and is-managed as a runtime override sets them. */
    public ResourceSpec withOverrides(String role, boolean isManaged) {
      return new ResourceSpec(id, type, domainXmlPath, domainXml, domainName, allowMigrate, stickiness,
          migrationThreshold, startDelay, priority, role, ops, agent, hosts, params, hostMap, cloneSet, members,
          ordered, collocated, group, utilization, isManaged, failureTimeout, multipleActive, requires);
    }

    public boolean isClone() {
      return cloneSet != null;
    }

    public boolean isOcf() {
      return "ocf".equals(type);
    }

    public boolean isBuiltin() {
      return "builtin".equals(type);
    }

    public boolean isDomain() {
      return "domain".equals(type);
    }

    public boolean isStonith() {
      return "stonith".equals(type);
    }

    public boolean isGroup() {
      return "group".equals(type);
    }
  }

  /**
   * A clone set's meta attributes (Pacemaker's names). cloneMax is already resolved (default: the number of nodes);
   * instances are anonymous: {@code ID:0 .. ID:cloneMax-1}. notifyEnabled is Pacemaker's notify (a record
   * component cannot be called notify).
   */
  public record Clone(int cloneMax, int cloneNodeMax, int cloneMin, boolean interleave, boolean notifyEnabled) {}

  /**
   * `resource` scores `score` on `node` (Pacemaker rsc_location), or, when rule is set (node null, score the
   * rule's fixed score or 0 for a score-attribute rule), on every node where the rule matches.
   */
  public record LocationConstraint(String resource, String node, int score, Rule rule) {
    public LocationConstraint(String resource, String node, int score) {
      this(resource, node, score, null);
    }
  }

  /**
   * `first` before `then` (Pacemaker rsc_order). kind is "mandatory", "optional" or "serialize" (never at the same
   * time, either order); symmetrical orders stop in reverse. firstAction / thenAction: start, stop, promote or
   * demote. requireAll: with a clone as first, then needs every instance (false: any one). score: as written (null
   * when not set; kind already reflects it). id: the constraint's id, or null.
   */
  public record OrderConstraint(String first, String then, String kind, boolean symmetrical, String firstAction,
      String thenAction, boolean requireAll, Integer score, String id) {

    /** start before start, every instance, no score or id. */
    public OrderConstraint(String first, String then, String kind, boolean symmetrical) {
      this(first, then, kind, symmetrical, "start", "start", true, null, null);
    }

    public boolean mandatory() {
      return "mandatory".equals(kind);
    }
  }

  /**
   * `resource` is placed relative to `with` (Pacemaker rsc_colocation rsc / with-rsc): INFINITY on the same node,
   * -INFINITY never on the same node, other scores a preference. id: the constraint's id, or null.
   */
  public record ColocationConstraint(String resource, String with, int score, String id) {}

  /** Cluster membership tuning handed to Pekko (failure detector, Split Brain Resolver). */
  public record ClusterSettings(
      String sbrStrategy,
      Duration stableAfter,
      Duration heartbeatInterval,
      Duration acceptableHeartbeatPause,
      Duration askTimeout,
      Duration shutdownTimeout) {}

  /** Where the JMX console listens. */
  public record JmxSettings(String host, int port) {}

  /**
   * Where each NodeAgent's journal lives (xenha.persistence). journal: "h2" (the file STATE-DIR/journal of the node)
   * or "postgresql" (url, user and the password read from passwordFile, null when none); a snapshot every
   * snapshotEvery events; historySize: operations and fencing records kept per node for `xenha history`;
   * recoveryTimeout: how long an agent waits for its journal before it manages without it.
   */
  public record PersistenceSettings(String journal, String url, String user, Path passwordFile, int snapshotEvery,
      int historySize, Duration recoveryTimeout) {
    public static final PersistenceSettings DEFAULT =
        new PersistenceSettings("h2", null, null, null, 100, 1000, Duration.ofSeconds(30));
  }
}
