package io.xenha.membership;

import io.xenha.CborSerializable;
import io.xenha.config.XenhaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * Gets this agent into the cluster (in place of Pekko's seed-node process, whose first seed forms a cluster of its
 * own when it hears nobody): every {@code interval} it asks the Bootstrap of each other configured node whether it
 * is a member, and acts on {@link BootstrapDecision}: join a running cluster, form one with a quorum, or wait and say
 * why (in the log and in {@link #waiting()} for the status). It answers the others' questions all the time. Runs as
 * a system actor at {@link #PATH} on every node whose address has a port (in-JVM tests on port 0 join by hand).
 */
public final class Bootstrap extends AbstractBehavior<Bootstrap.Command> {

  /** Where every node's Bootstrap listens. */
  public static final String NAME = "xenha-bootstrap";
  public static final String PATH = "/system/" + NAME;

  public sealed interface Command permits Hello, Tick, Answered {}

  /** A peer asks: are you in a cluster? */
  public record Hello(String node, ActorRef<Info> replyTo) implements Command, CborSerializable {}

  /**
   * The answer: member of a running cluster (members: its reachable Up members' addresses), or looking for one,
   * with the nodes it sees looking too and the one it would let form the cluster.
   */
  public record Info(String node, String address, boolean member, List<String> members, List<String> seeking,
      String choice) implements CborSerializable {}

  private record Tick() implements Command {}

  private record Answered(Info info) implements Command {}

  /** What the status shows while this node is not a member: why it waits (null once it is a member). */
  public static final class Progress {
    private final AtomicReference<String> waiting = new AtomicReference<>("starting: asking the configured nodes");

    public String waiting() {
      return waiting.get();
    }
  }

  private final String self;
  private final String selfAddress;
  private final Quorum.Votes votes;
  private final Map<String, String> addressOf = new LinkedHashMap<>();
  private final Duration interval;
  private final Progress progress;
  private final Cluster cluster;
  private final Map<String, Info> answers = new HashMap<>();
  private final Map<String, Long> answeredAt = new HashMap<>();
  private final ActorRef<Info> answerAdapter;
  private final Set<String> refused = new java.util.HashSet<>();
  private String lastWhy;
  private long lastWhyLoggedNanos;
  private List<String> lastSeeds = List.of();
  private long lastJoinNanos;
  private boolean formed;
  /** Whom this node named last to form the cluster (sticky: see BootstrapDecision). */
  private String committed;
  /** The members of the running cluster this node heard of last, and when (nanos): it keeps joining that one. */
  private List<String> seenSeeds = List.of();
  private long seenSeedsNanos;
  /** How long a running cluster heard of keeps this node from forming another one when no member answers. */
  static final Duration JOIN_GRACE = Duration.ofSeconds(30);

  public static Behavior<Command> create(XenhaConfig config, String self, Duration interval, Progress progress) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Bootstrap(ctx, timers, config, self, interval, progress)));
  }

  private Bootstrap(ActorContext<Command> ctx, TimerScheduler<Command> timers, XenhaConfig config, String self,
      Duration interval, Progress progress) {
    super(ctx);
    ctx.setLoggerName(Bootstrap.class);
    this.self = self;
    this.votes = Quorum.Votes.of(config);
    this.interval = interval;
    this.progress = progress;
    this.cluster = Cluster.get(ctx.getSystem());
    for (XenhaConfig.NodeSpec n : config.nodes().values()) {
      addressOf.put(n.name(), "pekko://" + config.clusterName() + "@" + n.host() + ":" + n.port());
    }
    this.selfAddress = addressOf.get(self);
    this.answerAdapter = ctx.messageAdapter(Info.class, Answered::new);
    timers.startTimerWithFixedDelay(new Tick(), Duration.ZERO, interval);
  }

  public Progress progress() {
    return progress;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Hello.class, this::onHello)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Tick.class, this::onTick)
        .build();
  }

  private boolean isMember() {
    MemberStatus s = cluster.selfMember().status();
    return s == MemberStatus.joining() || s == MemberStatus.weaklyUp() || s == MemberStatus.up();
  }

  private boolean gone() {
    MemberStatus s = cluster.selfMember().status();
    return s == MemberStatus.leaving() || s == MemberStatus.exiting() || s == MemberStatus.down()
        || (s == MemberStatus.removed() && cluster.isTerminated());
  }

  private Behavior<Command> onHello(Hello msg) {
    String expected = addressOf.get(msg.node());
    String from = msg.replyTo().path().address().toString();
    if (expected == null || !expected.equals(from)) {
      if (refused.add(msg.node() + "@" + from)) {
        getContext().getLog().warn("bootstrap: ignoring a request from {} claiming to be node '{}' (configured at {})",
            from, msg.node(), expected == null ? "nowhere: not a configured node" : expected);
      }
      return this;
    }
    // once it decided to form, it answers as a member: nobody may count its vote for another node meanwhile
    boolean member = isMember() || formed;
    List<String> members = new ArrayList<>();
    if (formed && !isMember()) {
      members.add(selfAddress);
    } else if (member) {
      var state = cluster.state();
      Set<Member> unreachable = state.getUnreachable();
      for (Member m : state.getMembers()) {
        if ((m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) && !unreachable.contains(m)
            && addressOf.containsValue(m.address().toString())) {
          members.add(m.address().toString());
        }
      }
    }
    Map<String, BootstrapDecision.PeerView> fresh = fresh();
    Set<String> seeking = BootstrapDecision.seekers(self, fresh);
    msg.replyTo().tell(new Info(self, selfAddress, member, members, member ? List.of() : List.copyOf(seeking),
        member ? null : BootstrapDecision.choice(self, votes, fresh, committed)));
    return this;
  }

  private Behavior<Command> onAnswered(Answered msg) {
    Info i = msg.info();
    if (addressOf.containsKey(i.node()) && !i.node().equals(self) && addressOf.get(i.node()).equals(i.address())) {
      answers.put(i.node(), i);
      answeredAt.put(i.node(), System.nanoTime());
    }
    return this;
  }

  /** The answers younger than two rounds, as the decision reads them. */
  private Map<String, BootstrapDecision.PeerView> fresh() {
    Map<String, BootstrapDecision.PeerView> out = new HashMap<>();
    long oldest = System.nanoTime() - interval.multipliedBy(2).toNanos();
    answers.forEach((n, i) -> {
      if (answeredAt.get(n) >= oldest) {
        List<String> seeds = i.members().stream().filter(addressOf::containsValue).toList();
        out.put(n, new BootstrapDecision.PeerView(i.member() && !seeds.isEmpty(), seeds, i.choice()));
      }
    });
    return out;
  }

  private Behavior<Command> onTick(Tick t) {
    if (isMember()) {
      if (progress.waiting.getAndSet(null) != null) {
        getContext().getLog().info("bootstrap: {} is a cluster member", self);
      }
      return this;
    }
    if (gone()) {
      return this;
    }
    for (Map.Entry<String, String> e : addressOf.entrySet()) {
      if (!e.getKey().equals(self)) {
        getContext().getSystem().classicSystem().actorSelection(e.getValue() + PATH)
            .tell(new Hello(self, answerAdapter), org.apache.pekko.actor.ActorRef.noSender());
      }
    }
    Map<String, BootstrapDecision.PeerView> fresh = fresh();
    String choice = BootstrapDecision.choice(self, votes, fresh, committed);
    long now0 = System.nanoTime();
    List<String> recent = now0 - seenSeedsNanos <= JOIN_GRACE.toNanos() ? seenSeeds : List.of();
    BootstrapDecision d = BootstrapDecision.decide(self, votes, fresh, committed, recent);
    committed = self.equals(choice) ? null : choice;
    if (d instanceof BootstrapDecision.Join join && fresh.values().stream().anyMatch(BootstrapDecision.PeerView::member)) {
      seenSeeds = join.seeds();
      seenSeedsNanos = now0;
    }
    if (d instanceof BootstrapDecision.Join join) {
      long now = System.nanoTime();
      if (!join.seeds().equals(lastSeeds) || now - lastJoinNanos > Duration.ofSeconds(10).toNanos()) {
        getContext().getLog().info("bootstrap: joining the running cluster through {}", join.seeds());
        List<Address> seeds = join.seeds().stream().map(AddressFromURIString::parse).toList();
        cluster.manager().tell(new JoinSeedNodes(seeds));
        lastSeeds = join.seeds();
        lastJoinNanos = now;
      }
      waiting("joining the running cluster through " + join.seeds());
    } else if (d instanceof BootstrapDecision.Form form) {
      if (!formed) {
        formed = true;
        getContext().getLog().info("bootstrap: forming the cluster with {} ({})", form.with(), form.quorum().describe());
        cluster.manager().tell(Join.create(AddressFromURIString.parse(selfAddress)));
      }
      waiting("forming the cluster with " + form.with());
    } else if (d instanceof BootstrapDecision.Wait w) {
      waiting(w.why());
    }
    return this;
  }

  /** Records why this node is not a member; logged when it changes, and every 30 s while it lasts. */
  private void waiting(String why) {
    progress.waiting.set(why);
    long now = System.nanoTime();
    if (!why.equals(lastWhy)) {
      getContext().getLog().info("bootstrap: not a cluster member yet, {}", why);
      lastWhy = why;
      lastWhyLoggedNanos = now;
    } else if (now - lastWhyLoggedNanos > Duration.ofSeconds(30).toNanos()) {
      getContext().getLog().warn("bootstrap: still not a cluster member, {}", why);
      lastWhyLoggedNanos = now;
    }
  }
}
