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
    Path ocfRoot) {

  public NodeSpec node(String name) {
    NodeSpec n = nodes.get(name);
    if (n == null) throw new IllegalArgumentException("unknown node " + name);
    return n;
  }

  /** A dom0 of the cluster. */
  public record NodeSpec(
      String name,
      String host,
      int port,
      String hypervisor,
      String jmxHost,
      int jmxPort,
      Path stateDir) {}

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
      Duration selfFenceDeadline) {}

  /**
   * Timeouts of one resource's operations. fenceTimeout is set for stonith resources (ops.fence.timeout, else
   * properties.stonith-timeout) and null for domains.
   */
  public record Ops(
      Duration startTimeout,
      Duration stopTimeout,
      Duration monitorInterval,
      Duration monitorTimeout,
      Duration migrateTimeout,
      Duration fenceTimeout) {}

  /**
   * One resource. type is "domain" (a libvirt domU), "stonith" (a fence device), "ocf" (an OCF resource agent,
   * agent = "provider:type", e.g. "heartbeat:Dummy") or "builtin" (agent = "ping"; params host-list (space separated),
   * multiplier, dampen (e.g. "5s") and name are always set).
   * For domains: domainXml (the file's content), domainName (its &lt;name&gt;). For stonith: agent, hosts (empty:
   * every node), params (password-file as an absolute path; never a clear-text secret), hostMap (node -> plug, empty
   * when not configured). ocf and builtin resources have agent and params.
   * stickiness and migrationThreshold are null when the cluster default applies. clone is null unless the resource
   * is a clone set (never for domain and stonith); the component cannot be called clone (Object.clone).
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
      Clone cloneSet) {

    /** The resource as it was before clones existed: not a clone. */
    public ResourceSpec(String id, String type, Path domainXmlPath, String domainXml, String domainName,
        boolean allowMigrate, Integer stickiness, Integer migrationThreshold, Duration startDelay, int priority,
        String targetRole, Ops ops, String agent, List<String> hosts, Map<String, String> params,
        Map<String, String> hostMap) {
      this(id, type, domainXmlPath, domainXml, domainName, allowMigrate, stickiness, migrationThreshold, startDelay,
          priority, targetRole, ops, agent, hosts, params, hostMap, null);
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
   * `first` before `then` (Pacemaker rsc_order). kind is "mandatory" or "optional";
   * symmetrical orders stop in reverse.
   */
  public record OrderConstraint(String first, String then, String kind, boolean symmetrical) {
    public boolean mandatory() {
      return "mandatory".equals(kind);
    }
  }

  /** Cluster membership tuning handed to Pekko (failure detector, Split Brain Resolver). */
  public record ClusterSettings(
      String sbrStrategy,
      Duration stableAfter,
      Duration heartbeatInterval,
      Duration acceptableHeartbeatPause,
      Duration askTimeout) {}

  /** Where the JMX console listens. */
  public record JmxSettings(String host, int port) {}
}
