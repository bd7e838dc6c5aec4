package io.xenha.agent;

import java.time.Duration;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.DowningProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * xenha's {@code split-brain-resolver = two-node}: Pacemaker's two_node mode. When the other node has been
 * unreachable for stable-after, each node downs it and carries on alone. After a crash the survivor keeps
 * running; after a cut link both sides do, and <b>fencing decides</b>: each side's Controller fences the other
 * before recovering anything, priority-fencing-delay makes the node with the important resources shoot first,
 * and the node that is fenced is powered off. Only safe with fencing, which the configuration enforces.
 */
public final class TwoNodeDowningProvider extends DowningProvider {

  private final ActorSystem system;

  public TwoNodeDowningProvider(ActorSystem system) {
    this.system = system;
  }

  private Duration stableAfter() {
    return system.settings().config().getDuration("pekko.cluster.split-brain-resolver.stable-after");
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    return FiniteDuration.Zero();
  }

  @Override
  public Option<Props> downingActorProps() {
    return Option.apply(Props.create(Downer.class, () -> new Downer(stableAfter())));
  }

  /** Downs a member that stayed unreachable for stable-after; every node runs one. */
  static final class Downer extends AbstractActor {
    private final Duration stableAfter;
    private final Cluster cluster = Cluster.get(getContext().getSystem());
    private final java.util.Map<Address, Cancellable> pending = new java.util.HashMap<>();

    Downer(Duration stableAfter) {
      this.stableAfter = stableAfter;
    }

    private record Decide(Address address) {}

    @Override
    public void preStart() {
      cluster.subscribe(getSelf(), ClusterEvent.initialStateAsEvents(), ClusterEvent.ReachabilityEvent.class,
          ClusterEvent.MemberRemoved.class);
    }

    @Override
    public void postStop() {
      cluster.unsubscribe(getSelf());
      pending.values().forEach(Cancellable::cancel);
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(ClusterEvent.UnreachableMember.class, u -> {
            Address a = u.member().address();
            pending.computeIfAbsent(a, k -> getContext().getSystem().scheduler().scheduleOnce(
                stableAfter, getSelf(), new Decide(k), getContext().getDispatcher(), getSelf()));
          })
          .match(ClusterEvent.ReachableMember.class, r -> cancel(r.member().address()))
          .match(ClusterEvent.MemberRemoved.class, r -> cancel(r.member().address()))
          .match(Decide.class, d -> {
            pending.remove(d.address());
            boolean stillUnreachable = cluster.state().getUnreachable().stream().anyMatch(m -> m.address().equals(d.address()));
            if (stillUnreachable) {
              getContext().getSystem().log().warning(
                  "two-node mode: {} unreachable for {} s, downing it; fencing decides who keeps the resources",
                  d.address(), stableAfter.toSeconds());
              cluster.down(d.address());
            }
          })
          .matchAny(m -> { })
          .build();
    }

    private void cancel(Address a) {
      Cancellable c = pending.remove(a);
      if (c != null) {
        c.cancel();
      }
    }
  }
}
