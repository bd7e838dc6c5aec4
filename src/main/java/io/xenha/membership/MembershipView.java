package io.xenha.membership;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * The membership as the cluster events a subscriber received describe it. Reading {@code Cluster.state()} instead
 * races with them: it is updated by another subscriber, so an event may arrive before the state shows it, and
 * a quorum computed then would be stale until the next event, which may never come.
 */
public final class MembershipView {

  private final Map<UniqueAddress, Member> members = new HashMap<>();
  private final Set<UniqueAddress> unreachable = new HashSet<>();

  /** Applies a membership or reachability event (anything else is ignored). */
  public void apply(Object event) {
    if (event instanceof ClusterEvent.CurrentClusterState s) {
      members.clear();
      unreachable.clear();
      s.getMembers().forEach(m -> members.put(m.uniqueAddress(), m));
      s.getUnreachable().forEach(m -> unreachable.add(m.uniqueAddress()));
    } else if (event instanceof ClusterEvent.MemberRemoved r) {
      members.remove(r.member().uniqueAddress());
      unreachable.remove(r.member().uniqueAddress());
    } else if (event instanceof ClusterEvent.MemberEvent e) {
      members.put(e.member().uniqueAddress(), e.member());
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      members.putIfAbsent(u.member().uniqueAddress(), u.member());
      unreachable.add(u.member().uniqueAddress());
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      unreachable.remove(r.member().uniqueAddress());
    }
  }

  /** The configured nodes present and reachable. */
  public Set<String> presentNodes(Quorum.Votes votes) {
    Set<String> out = new TreeSet<>();
    for (Member m : members.values()) {
      if (Members.present(m) && !unreachable.contains(m.uniqueAddress()) && Members.isConfigured(votes, m)) {
        out.add(Members.nodeOf(m));
      }
    }
    return out;
  }

  public Quorum quorum(Quorum.Votes votes) {
    return votes.quorum(presentNodes(votes));
  }

  /** The members currently unreachable. */
  public Set<Member> unreachableMembers() {
    Set<Member> out = new HashSet<>();
    for (UniqueAddress ua : unreachable) {
      Member m = members.get(ua);
      if (m != null) {
        out.add(m);
      }
    }
    return out;
  }

  /** Every member known, whatever its status. */
  public Set<Member> members() {
    return Set.copyOf(members.values());
  }
}
