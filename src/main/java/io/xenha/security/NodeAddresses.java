package io.xenha.security;

import io.xenha.config.XenhaConfig;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Whether a message really comes from the node it names: the hook for the Controller's checks of reports, probe
 * answers, admin commands and fence requests. Pekko Typed messages carry no sender, so the check is on an actor
 * reference the message holds (its replyTo, or the NodeAgent ref of a report): that reference must live on the
 * node's configured address. The same rule as {@link MembershipGuard}, for one message.
 */
public final class NodeAddresses {

  private final Map<String, Set<String>> nodeAt = new TreeMap<>();
  private final String self;

  public NodeAddresses(XenhaConfig config, String self) {
    for (XenhaConfig.NodeSpec n : config.nodes().values()) {
      nodeAt.computeIfAbsent(n.host() + ":" + n.port(), k -> new TreeSet<>()).add(n.name());
    }
    this.self = self;
  }

  /** Why REF cannot be NODE's (an actor of another or an unknown address), or null when it can. */
  public String misfit(String node, ActorRef<?> ref) {
    return misfit(node, ref.path().address());
  }

  /** Why ADDRESS is not NODE's configured address, or null when it is (a local address is this node's). */
  public String misfit(String node, Address address) {
    if (!address.hasGlobalScope()) {
      return node.equals(self) ? null : "a message of this node (" + self + ") says it comes from " + node;
    }
    String host = address.getHost().orElse("?");
    int port = (Integer) address.getPort().orElse(0);
    String why = MembershipGuard.misfit(host, port, Set.of(MembershipGuard.ROLE_PREFIX + node), nodeAt);
    return why == null ? null : why.replace("it says it is", "the message says it comes from");
  }
}
