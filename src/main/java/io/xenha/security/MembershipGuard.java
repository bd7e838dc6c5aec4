package io.xenha.security;

import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downs any cluster member that is not a configured node at its configured address. The TLS handshake already keeps
 * out every certificate that is not the cluster CA's naming a configured node; what it cannot see on an inbound link
 * is the peer's address, so a copy of a node's key used from elsewhere could still send a Join. Such a member never
 * gets an answer (the links to it are refused) and never becomes Up; this removes it from the membership at once
 * instead of leaving it to the failure detector. A member whose node role (xenha-node:NAME) names another node than
 * the one configured at its address is downed too. Started by Pekko from pekko.extensions (TLS mode only), reading
 * the configured nodes from pekko.remote.artery.ssl.xenha.peers.
 */
public final class MembershipGuard implements Extension {

  private static final Logger LOG = LoggerFactory.getLogger(MembershipGuard.class);
  static final String ROLE_PREFIX = io.xenha.executor.NodeAgent.NODE_ROLE_PREFIX;

  /** The extension's id, named in pekko.extensions. */
  public static final class Id extends AbstractExtensionId<MembershipGuard> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    @Override
    public MembershipGuard createExtension(ExtendedActorSystem system) {
      return new MembershipGuard(system);
    }

    @Override
    public Id lookup() {
      return INSTANCE;
    }
  }

  MembershipGuard(ExtendedActorSystem system) {
    Map<String, Set<String>> nodeAt = new HashMap<>();
    for (Config p : system.settings().config().getConfigList(ClusterTlsProvider.CONFIG_PATH + ".peers")) {
      nodeAt.computeIfAbsent(p.getString("host") + ":" + p.getInt("port"), k -> new java.util.TreeSet<>())
          .add(p.getString("name"));
    }
    String self = system.settings().config().getString(ClusterTlsProvider.CONFIG_PATH + ".node");
    system.systemActorOf(Props.create(Watcher.class, () -> new Watcher(nodeAt, self)), "xenha-membership-guard");
  }

  /**
   * Why a member at HOST:PORT with ROLES is not a configured node at its address, or null when it is. nodeAt: the
   * configured nodes by "host:port" (port 0: any port, as in-JVM tests configure them; several nodes may share it).
   */
  static String misfit(String host, int port, Set<String> roles, Map<String, Set<String>> nodeAt) {
    Set<String> nodes = new java.util.TreeSet<>(nodeAt.getOrDefault(host + ":" + port, Set.of()));
    nodes.addAll(nodeAt.getOrDefault(host + ":0", Set.of()));
    String role = null;
    for (String r : roles) {
      if (r.startsWith(ROLE_PREFIX)) role = r.substring(ROLE_PREFIX.length());
    }
    String there = String.join(", ", nodes);
    if (nodes.isEmpty()) return "no node is configured at " + host + ":" + port;
    if (role == null) return "it is not a xenha agent (no " + ROLE_PREFIX + "NAME role); " + there + " is configured there";
    if (!nodes.contains(role)) return "it says it is " + role + ", but " + there + " is configured at " + host + ":" + port;
    return null;
  }

  static final class Watcher extends AbstractActor {
    private final Map<String, Set<String>> nodeAt;
    private final String self;
    private final Set<Address> downed = new java.util.HashSet<>();

    Watcher(Map<String, Set<String>> nodeAt, String self) {
      this.nodeAt = nodeAt;
      this.self = self;
    }

    @Override
    public void preStart() {
      Cluster.get(getContext().getSystem()).subscribe(getSelf(), ClusterEvent.initialStateAsEvents(),
          ClusterEvent.MemberEvent.class);
    }

    @Override
    public void postStop() {
      Cluster.get(getContext().getSystem()).unsubscribe(getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().match(ClusterEvent.MemberEvent.class, e -> check(e.member())).build();
    }

    private void check(Member m) {
      if (m.status() == MemberStatus.down() || m.status() == MemberStatus.removed() || downed.contains(m.address())) {
        return;
      }
      Address a = m.address();
      String why = misfit(a.getHost().orElse("?"), (Integer) a.getPort().orElse(0), m.getRoles(), nodeAt);
      if (why == null) return;
      downed.add(m.address());
      LOG.warn("membership {}: downing {} (roles {}): not a configured node at its address: {}", self, m.address(),
          m.getRoles(), why);
      Cluster.get(getContext().getSystem()).down(m.address());
    }
  }

  /** For code that wants the guard running now rather than when Pekko loads the extensions. */
  public static MembershipGuard get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }
}
