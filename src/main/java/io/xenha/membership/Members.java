package io.xenha.membership;

import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/** Reads configured nodes out of Pekko's membership: each member carries its node name as a role. */
public final class Members {

  /** Every member's roles include this prefix plus its node name. */
  public static final String ROLE_PREFIX = "xenha-node:";

  private Members() {}

  /** The node a member names in its role, or null. */
  public static String nodeOf(Member m) {
    for (String role : m.getRoles()) {
      if (role.startsWith(ROLE_PREFIX)) {
        return role.substring(ROLE_PREFIX.length());
      }
    }
    return null;
  }

  /**
   * Whether the member is the configured node it names: a configured name, and (when the configuration gives a
   * port; in-JVM tests use port 0) at that node's configured host:port.
   */
  public static boolean isConfigured(Quorum.Votes votes, Member m) {
    String node = nodeOf(m);
    return node != null && votes.at(node, m.address().getHost().orElse("") + ":" + m.address().getPort().orElse(-1));
  }

  /** Whether a member takes part in a partition: in the membership (joining to leaving) and not removed or down. */
  static boolean present(Member m) {
    MemberStatus s = m.status();
    return s == MemberStatus.joining() || s == MemberStatus.weaklyUp() || s == MemberStatus.up()
        || s == MemberStatus.leaving();
  }

  /** The configured nodes present and reachable in this member's view of the cluster. */
  public static Set<String> presentNodes(Quorum.Votes votes, ClusterEvent.CurrentClusterState state) {
    Set<String> out = new TreeSet<>();
    Set<Member> unreachable = state.getUnreachable();
    for (Member m : state.getMembers()) {
      if (present(m) && !unreachable.contains(m) && isConfigured(votes, m)) {
        out.add(nodeOf(m));
      }
    }
    return out;
  }

  /** This member's view of its partition's quorum. */
  public static Quorum quorum(Quorum.Votes votes, ClusterEvent.CurrentClusterState state) {
    return votes.quorum(presentNodes(votes, state));
  }
}
