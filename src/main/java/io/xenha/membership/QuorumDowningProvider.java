package io.xenha.membership;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.DowningProvider;
import org.apache.pekko.cluster.Member;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * xenha's split brain resolver ({@code cluster.split-brain-resolver = quorum}, and two-node): membership follows the
 * configured votes, as corosync's does. Once the set of unreachable members has not changed for stable-after, a
 * partition with quorum downs the unreachable members (their fencing is the Controller's, which does not wait for
 * this), and a partition without quorum downs itself: its agents have already applied no-quorum-policy, and each
 * starts again (a new incarnation) that waits for quorum before it joins. A member that is not a configured node at
 * its configured address is downed at once by every partition with quorum.
 */
public final class QuorumDowningProvider extends DowningProvider {

  private final ActorSystem system;

  public QuorumDowningProvider(ActorSystem system) {
    this.system = system;
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    return FiniteDuration.Zero();
  }

  @Override
  public Option<Props> downingActorProps() {
    Duration stableAfter = system.settings().config().getDuration("pekko.cluster.split-brain-resolver.stable-after");
    Quorum.Votes votes = Quorum.Votes.fromPekko(system.settings().config());
    return Option.apply(Props.create(Downer.class, () -> new Downer(votes, stableAfter)));
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QuorumDowningProvider.class);

  /** Decides for this node's partition; every node runs one. */
  static final class Downer extends AbstractActor {
    private final Quorum.Votes votes;
    private final Duration stableAfter;
    private final Cluster cluster = Cluster.get(getContext().getSystem());
    private final Set<String> strangersLogged = new HashSet<>();
    private final MembershipView view = new MembershipView();
    private Cancellable pending;
    private Set<Member> unreachableSeen = Set.of();

    Downer(Quorum.Votes votes, Duration stableAfter) {
      this.votes = votes;
      this.stableAfter = stableAfter;
    }

    private record Decide(Set<Member> unreachable) {}

    @Override
    public void preStart() {
      cluster.subscribe(getSelf(), ClusterEvent.initialStateAsEvents(), ClusterEvent.ReachabilityEvent.class,
          ClusterEvent.MemberEvent.class);
    }

    @Override
    public void postStop() {
      cluster.unsubscribe(getSelf());
      if (pending != null) {
        pending.cancel();
      }
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Decide.class, this::decide)
          .matchAny(m -> {
            view.apply(m);
            changed();
          })
          .build();
    }

    /** Membership or reachability changed: strangers go at once, the rest waits for stable-after. */
    private void changed() {
      Quorum q = view.quorum(votes);
      for (Member m : view.members()) {
        if (Members.present(m) && !Members.isConfigured(votes, m) && q.quorate()) {
          if (strangersLogged.add(m.address().toString())) {
            LOG.warn("{} (node '{}') is not a configured node at its configured address: "
                + "downing it", m.address(), Members.nodeOf(m));
          }
          cluster.down(m.address());
        }
      }
      Set<Member> unreachable = view.unreachableMembers();
      if (unreachable.equals(unreachableSeen)) {
        return;
      }
      unreachableSeen = unreachable;
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
      if (!unreachable.isEmpty()) {
        pending = getContext().getSystem().scheduler().scheduleOnce(
            stableAfter, getSelf(), new Decide(unreachable), getContext().getDispatcher(), getSelf());
      }
    }

    private void decide(Decide d) {
      pending = null;
      if (!view.unreachableMembers().equals(d.unreachable())) {
        return; // changed meanwhile: its own decision is scheduled
      }
      Quorum q = view.quorum(votes);
      if (q.quorate()) {
        for (Member m : d.unreachable()) {
          LOG.warn("{} unreachable for {} ms; this partition has quorum ({}): downing it",
              m.address(), stableAfter.toMillis(), q.describe());
          cluster.down(m.address());
        }
      } else {
        LOG.warn("this partition has no quorum ({}, {} needed) after {} ms: this node "
            + "leaves the cluster and starts again to wait for quorum", q.describe(), q.needed(), stableAfter.toMillis());
        cluster.down(cluster.selfAddress());
      }
    }
  }
}
