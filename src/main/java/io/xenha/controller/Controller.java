package io.xenha.controller;

import io.xenha.CborSerializable;
import io.xenha.config.Overrides;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.NodeReport;
import io.xenha.fencing.FenceResult;
import io.xenha.scheduler.Action;
import io.xenha.scheduler.ClusterSnapshot;
import io.xenha.scheduler.NodeState;
import io.xenha.scheduler.ResourceState;
import io.xenha.scheduler.Scheduler;
import io.xenha.scheduler.Transition;
import io.xenha.status.ClusterStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The cluster's one decision maker (Pacemaker's DC), run as a cluster singleton. On takeover it learns which
 * nodes it must fence (Distributed Data remembers who was a member), waits for the cluster to settle, probes
 * every NodeAgent, and only then plans: on every change it builds a {@link ClusterSnapshot}, asks the
 * {@link Scheduler} for a transition and hands it to a {@link TransitionRunner}.
 */
public final class Controller extends AbstractBehavior<Controller.Command> {

  /** Messages the Controller accepts. */
  public sealed interface Command
      permits NodeReported, GetStatus, Stop, FenceRequest, AgentsListed, MembershipChanged, LifecycleRead,
          LifecycleWritten, Probed, ProbeTimeout, Settle, ActionDone, RunnerFinished, Replan, ManualFenceDone,
          SelfFenceDeadline, PendingDeadline, HistoryGathered, AttributesChanged, AdminCommand, OverridesRead, MajorityRead, OverridesWritten, AgentApplied, GetOverrides,
          GetHistory, Reload, OwnConfigRead, ReloadAnswer, ActivationAnswer {}

  /** A NodeAgent's report (sent through the singleton proxy by every node). */
  public record NodeReported(NodeReport report) implements Command, CborSerializable {}

  public record GetStatus(ActorRef<ClusterStatus> replyTo) implements Command, CborSerializable {}

  /**
   * Manual fencing (`xenha fence NODE`): the reply is the deciding attempt; refusals come back as a failed record
   * whose reason says why (device "-").
   */
  public record FenceRequest(String node, ActorRef<FenceResult> replyTo) implements Command, CborSerializable {}

  /**
   * Operation and fencing history (`xenha history`) from the journals of every node running an agent, newest
   * first; only of {@code resource} / {@code node} when not null.
   */
  public record GetHistory(String resource, String node, ActorRef<io.xenha.status.History> replyTo)
      implements Command, CborSerializable {}

  /** Hand-over: the singleton manager sends this before moving the Controller. */
  public record Stop() implements Command, CborSerializable {}

  /** An admin command (xenha node / resource / maintenance): refused or done, as {@link Admin} decides. */
  public record AdminCommand(Admin.Request request, ActorRef<Admin.Reply> replyTo) implements Command, CborSerializable {}

  /**
   * xenha reload: every live agent re-reads its file; when all are valid and the same (and ReloadCheck allows the
   * change) every agent and the Controller run with it; otherwise nothing changes and the answer says why.
   */
  public record Reload(ActorRef<Admin.Reply> replyTo) implements Command, CborSerializable {}

  private record OwnConfigRead(io.xenha.config.LoadResult result, Throwable failure) implements Command {}

  private record ReloadAnswer(String node, NodeAgent.ConfigLoaded loaded) implements Command {}

  private record ActivationAnswer(String node, NodeAgent.ConfigLoaded loaded) implements Command {}

  /** A reload under way: who still has to answer, what they said. */
  private static final class ReloadRound {
    final ActorRef<Admin.Reply> replyTo;
    final Set<String> waiting = new HashSet<>();
    final Map<String, NodeAgent.ConfigLoaded> answers = new TreeMap<>();
    io.xenha.config.LoadResult own;
    Throwable ownFailure;
    boolean ownRead;
    XenhaConfig next;
    String summary;

    ReloadRound(ActorRef<Admin.Reply> replyTo) {
      this.replyTo = replyTo;
    }
  }

  /** The runtime overrides in force (for `xenha export`); read is false while the Controller has not read them yet. */
  public record GetOverrides(ActorRef<OverridesReply> replyTo) implements Command, CborSerializable {}

  public record OverridesReply(Map<String, String> entries, boolean read) implements CborSerializable {}

  /** The runtime overrides as read or replicated; null when no majority answered a read in time. */
  private record OverridesRead(Map<String, String> entries) implements Command {}

  private record OverridesWritten(Admin.Edit edit, boolean ok, String failure, ActorRef<Admin.Reply> replyTo) implements Command {}

  private record AgentApplied(long request, String node, boolean ok) implements Command {}

  private record AgentsListed(Receptionist.Listing listing) implements Command {}

  private record MembershipChanged(Object event) implements Command {}

  private record LifecycleRead(Map<String, String> lifecycle) implements Command {}

  /**
   * The node history and the runtime overrides as a majority of a quorate membership has them, read again once this
   * partition has quorum (null: no majority answered in time; asked again).
   */
  private record MajorityRead(String key, Map<String, String> entries) implements Command {}

  private record LifecycleWritten(String node, String value, boolean ok) implements Command {}

  private record Probed(NodeReport report) implements Command {}

  private record ProbeTimeout(String address) implements Command {}

  private record Settle() implements Command {}

  private record ActionDone(TransitionRunner.ActionFinished finished) implements Command {}

  private record RunnerFinished(TransitionRunner.Finished finished) implements Command {}

  private record Replan() implements Command {}

  private record ManualFenceDone(String node, TransitionRunner.ActionFinished finished, ActorRef<FenceResult> replyTo)
      implements Command {}

  private record SelfFenceDeadline(String node) implements Command {}

  private record PendingDeadline(String node) implements Command {}

  private record HistoryGathered(List<FenceResult> history) implements Command {}

  private record AttributesChanged(Map<String, Map<String, String>> attributes) implements Command {}

  /** What the cluster knows of each node's last departure: member, left, fenced (durable only in memory). */
  public static final LWWMapKey<String, String> LIFECYCLE = new LWWMapKey<>("xenha-node-lifecycle");

  /** The runtime overrides ({@link Overrides}): durable on every node (pekko.cluster.distributed-data.durable.keys). */
  public static final LWWMapKey<String, String> OVERRIDES = new LWWMapKey<>("xenha-overrides");

  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private enum Phase { STARTING, ACTIVE }

  private XenhaConfig config;
  private ReloadRound reload;
  private final String selfNode;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator;
  private final SelfUniqueAddress selfUniqueAddress;
  private final Instant startedAt;

  private Phase phase = Phase.STARTING;
  /** The configured votes, and this partition's quorum as the Controller's node sees it. */
  private final io.xenha.membership.Quorum.Votes votes;
  private io.xenha.membership.Quorum quorum;
  /** Since when this partition has had quorum (null while it has none): startup-fencing counts dc-deadtime from it. */
  private Instant quorateSince;
  /** The incarnations (unique addresses) fenced: their removal from the membership is not a new loss. */
  private final Set<UniqueAddress> fencedMembers = new HashSet<>();
  private final io.xenha.membership.MembershipView view = new io.xenha.membership.MembershipView();
  /** Senders already logged as refused (once each: an impostor must not flood the log). */
  private final Set<String> refusedSenders = new HashSet<>();
  private Map<String, String> lifecycle = null; // null until read
  private final Set<ActorRef<NodeAgent.Command>> listedAgents = new HashSet<>();
  private final Map<String, NodeReport> reports = new TreeMap<>();
  private final Map<String, String> addressToNode = new HashMap<>();
  /** address -> the incarnation (unique address) that is Up there: a restart reuses the address, not the uid. */
  private final Map<String, UniqueAddress> upAddresses = new HashMap<>();
  private final Set<String> unreachableAddresses = new HashSet<>();
  private final Set<String> unclean = new LinkedHashSet<>();
  private final Set<String> offline = new HashSet<>();
  private final Map<String, Long> fencedIncarnation = new HashMap<>();
  /** Unclean node -> the member uid of the incarnation its fence is decided against (0: none known). */
  private final Map<String, Long> uncleanUid = new HashMap<>();
  /** stonith-enabled=false: lost nodes whose self-fence deadline has not passed yet. */
  private final Map<String, Instant> selfFencing = new HashMap<>();
  /** Nodes waiting for their self-fence deadline that were lost before this Controller started (incarnation unknown). */
  private final Set<String> lostBeforeThisController = new HashSet<>();
  /**
   * Nodes whose last report says something may run there but which cannot be counted online (joining, a restarted
   * agent not probed yet, its agent gone while the node stays a member), since when: nothing is decided meanwhile.
   */
  private final Map<String, Instant> pendingSince = new HashMap<>();
  /** Node attributes (pingd, ...) as Distributed Data last told us. */
  private Map<String, Map<String, String>> attributes = Map.of();
  /** clone id -> node -> instance numbers it was started as (from the transitions that started them). */
  private final Map<String, Map<String, List<Integer>>> instanceNumbers = new HashMap<>();
  private final Set<String> probed = new HashSet<>();
  private final Set<String> writtenUp = new HashSet<>();
  private final List<ClusterStatus.FencingRecord> fencing = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private ActorRef<TransitionRunner.Command> runner;
  private int fenceFailures;
  private Transition lastTransition;
  /** Members seen Leaving or Exiting (an agent leaves only once it has drained its node), until removed. */
  private final Set<UniqueAddress> leavingMembers = new HashSet<>();
  private Overrides overrides = Overrides.NONE;
  /** The revision this Controller last wrote (writes can be issued before the previous one is read back). */
  private long overridesRevision;
  private boolean overridesRead;
  /**
   * Whether the node history and the overrides were read from a majority of a quorate membership. The reads at start
   * may have been answered by this node alone (a cluster of one, waiting for quorum: its "majority" is itself), and
   * its replica may be stale (it was down when a change was made) or damaged: nothing is decided before this.
   */
  private boolean lifecycleReadWithQuorum;
  private boolean overridesReadWithQuorum;
  private boolean majorityReadAsked;
  /** Admin answers waiting for the agents to apply the change: request number -> (nodes still to answer, answer). */
  private final Map<Long, Map.Entry<Set<String>, Map.Entry<Admin.Reply, ActorRef<Admin.Reply>>>> awaitingAgents = new HashMap<>();
  private long adminRequests;

  public static Behavior<Command> create(XenhaConfig config, String selfNode, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        DistributedData.withReplicatorMessageAdapter(
            (ReplicatorMessageAdapter<Command, LWWMap<String, String>> repl) ->
                new Controller(ctx, timers, repl, config, selfNode, clock))));
  }

  private Controller(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator,
      XenhaConfig config,
      String selfNode,
      Clock clock) {
    super(ctx);
    this.config = config;
    this.selfNode = selfNode;
    this.clock = clock;
    this.timers = timers;
    this.replicator = replicator;
    this.selfUniqueAddress = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    this.startedAt = clock.instant();
    this.votes = io.xenha.membership.Quorum.Votes.of(config);
    this.quorum = votes.quorum(Set.of());
    ctx.getLog().info("Controller starting on {}: reading node history, then probing every node", selfNode);

    ctx.getSystem().receptionist().tell(Receptionist.subscribe(
        NodeAgent.KEY, ctx.messageAdapter(Receptionist.Listing.class, AgentsListed::new)));
    // one adapter per event class: an adapter for Object would also swallow the receptionist's listings
    Cluster cluster = Cluster.get(ctx.getSystem());
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, MembershipChanged::new), ClusterEvent.ReachabilityEvent.class));

    replicator.askGet(
        replyTo -> new Replicator.Get<>(LIFECYCLE, new Replicator.ReadMajority(Duration.ofSeconds(3)), replyTo),
        Controller::lifecycleRead);
    replicator.askGet(
        replyTo -> new Replicator.Get<>(OVERRIDES, new Replicator.ReadMajority(WRITE_TIMEOUT), replyTo),
        Controller::overridesRead);
    // one function for every subscription: the adapter keeps a single function per response class
    replicator.subscribe(OVERRIDES, Controller::subscribed);
    replicator.subscribe(io.xenha.attributes.NodeAttributes.KEY, Controller::subscribed);
    timers.startTimerWithFixedDelay("settle", new Settle(), Duration.ofMillis(500));
    timers.startTimerWithFixedDelay("replan", new Replan(), Duration.ofSeconds(10));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(NodeReported.class, m -> refused(m.report()) ? this : onReport(m.report(), false))
        .onMessage(Probed.class, m -> refused(m.report()) ? this : onReport(m.report(), true))
        .onMessage(ProbeTimeout.class, this::onProbeTimeout)
        .onMessage(GetStatus.class, m -> refused("a status request", m.replyTo()) ? this : onGetStatus(m))
        .onMessage(AgentsListed.class, this::onAgentsListed)
        .onMessage(MembershipChanged.class, this::onMembership)
        .onMessage(LifecycleRead.class, this::onLifecycleRead)
        .onMessage(MajorityRead.class, this::onMajorityRead)
        .onMessage(LifecycleWritten.class, m -> this)
        .onMessage(Settle.class, this::onSettle)
        .onMessage(ActionDone.class, this::onActionDone)
        .onMessage(RunnerFinished.class, this::onRunnerFinished)
        .onMessage(Replan.class, m -> replan())
        .onMessage(FenceRequest.class, m -> refused("a fence request for " + m.node(), m.replyTo()) ? this : onFenceRequest(m))
        .onMessage(ManualFenceDone.class, this::onManualFenceDone)
        .onMessage(SelfFenceDeadline.class, this::onSelfFenceDeadline)
        .onMessage(PendingDeadline.class, this::onPendingDeadline)
        .onMessage(HistoryGathered.class, this::onHistoryGathered)
        .onMessage(GetHistory.class, m -> refused("a history request", m.replyTo()) ? this : onGetHistory(m))
        .onMessage(AttributesChanged.class, m -> {
          if (!m.attributes().equals(attributes)) {
            getContext().getLog().info("node attributes: {}", m.attributes());
            attributes = m.attributes();
            return replan();
          }
          return this;
        })
        .onMessage(OverridesRead.class, this::onOverridesRead)
        .onMessage(AdminCommand.class, m -> refused("an admin command (" + m.request().op() + ")", m.replyTo()) ? this : onAdmin(m))
        .onMessage(OverridesWritten.class, this::onOverridesWritten)
        .onMessage(AgentApplied.class, this::onAgentApplied)
        .onMessage(Reload.class, m -> refused("a reload", m.replyTo()) ? this : onReload(m))
        .onMessage(OwnConfigRead.class, m -> {
          if (reload != null) {
            reload.own = m.result();
            reload.ownFailure = m.failure();
            reload.ownRead = true;
            return decideReload();
          }
          return this;
        })
        .onMessage(ReloadAnswer.class, m -> {
          if (reload != null && reload.waiting.remove(m.node())) {
            reload.answers.put(m.node(), m.loaded());
            return decideReload();
          }
          return this;
        })
        .onMessage(ActivationAnswer.class, this::onActivationAnswer)
        .onMessage(GetOverrides.class, m -> {
          if (refused("an overrides request", m.replyTo())) {
            return this;
          }
          m.replyTo().tell(new OverridesReply(overrides.entries(), overridesRead));
          return this;
        })
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .build();
  }

  // ---- who may talk to the Controller --------------------------------------------------------------------

  /**
   * A report or probe answer is acted on only when its agent is the configured node it names, at that node's
   * configured address, and a member: an impostor with a copy of the configuration (another port) once had its
   * "restarted agent" taken for node2's and node2's domUs started a second time elsewhere.
   */
  private boolean refused(NodeReport r) {
    String why = stranger(r.node(), r.agent());
    if (why == null && !r.address().equals(r.agent().path().address().toString())
        && r.agent().path().address().hasGlobalScope()) {
      why = "its report says it is at " + r.address() + ", its agent is at " + r.agent().path().address();
    }
    return refuse("a report of " + r.node(), r.agent(), why);
  }

  /** A request is answered only when it comes from a member of this cluster (its replyTo lives there). */
  private boolean refused(String what, ActorRef<?> replyTo) {
    return refuse(what, replyTo, stranger(null, replyTo));
  }

  private boolean refuse(String what, ActorRef<?> from, String why) {
    if (why == null) {
      return false;
    }
    if (refusedSenders.add(what + " " + from.path().address())) {
      getContext().getLog().warn("refused {} from {}: {} (logged once per sender)", what, from.path().address(), why);
    }
    return true;
  }

  /**
   * Why an actor at ref's address cannot speak for {@code node} (any member when null), or null when it can: a
   * local ref is this node; a remote one must be at the node's configured address (when the configuration gives a
   * port) and a member of this cluster.
   */
  private String stranger(String node, ActorRef<?> ref) {
    org.apache.pekko.actor.Address a = ref.path().address();
    if (!a.hasGlobalScope()) {
      return node == null || node.equals(selfNode) ? null : "a local message claims to come from " + node;
    }
    String hostPort = a.getHost().orElse("?") + ":" + a.getPort().orElse(-1);
    if (node != null && !votes.at(node, hostPort)) {
      return votes.byNode().containsKey(node)
          ? node + " is configured at " + votes.addresses().get(node) + ", not at " + hostPort
          : node + " is not a configured node";
    }
    if (node == null && votes.addresses().containsValue(hostPort)) {
      return null; // a configured node's address: the transport (mutual TLS) vouches for who is there
    }
    Set<Member> members = new HashSet<>(view.members());
    Cluster.get(getContext().getSystem()).state().getMembers().forEach(members::add);
    for (Member m : members) {
      if (m.address().equals(a) && m.status() != MemberStatus.down() && m.status() != MemberStatus.removed()
          && (node == null || node.equals(io.xenha.membership.Members.nodeOf(m)))) {
        return null;
      }
    }
    return hostPort + " is not a member of this cluster";
  }

  // ---- learning the facts ------------------------------------------------------------------------------

  private Behavior<Command> onLifecycleRead(LifecycleRead msg) {
    if (msg.lifecycle() == null && localDataDamaged()) {
      // this node's own replica was damaged: it is no truth to fall back on; ask the majority again
      getContext().getLog().warn("node history: no majority answered in time and this node's own copy was damaged: "
          + "asking the majority again");
      replicator.askGet(
          replyTo -> new Replicator.Get<>(LIFECYCLE, new Replicator.ReadMajority(Duration.ofSeconds(3)), replyTo),
          Controller::lifecycleRead);
      return this;
    }
    if (msg.lifecycle() == null) {
      // no majority answered in time: our own replica is the best we have
      replicator.askGet(
          replyTo -> new Replicator.Get<>(LIFECYCLE, Replicator.readLocal(), replyTo),
          rsp -> {
            LifecycleRead local = lifecycleRead(rsp);
            return local.lifecycle() == null ? new LifecycleRead(new HashMap<>()) : local;
          });
      return this;
    }
    lifecycle = msg.lifecycle();
    getContext().getLog().info("node history: {}", lifecycle);
    return this;
  }

  private void readMajority(LWWMapKey<String, String> key, Duration timeout) {
    replicator.askGet(
        replyTo -> new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), replyTo),
        rsp -> rsp instanceof Replicator.GetSuccess<LWWMap<String, String>> ok
            ? new MajorityRead(key.id(), new HashMap<>(ok.get(key).getEntries()))
            : rsp instanceof Replicator.NotFound ? new MajorityRead(key.id(), new HashMap<>())
            : new MajorityRead(key.id(), null));
  }

  /** A majority read made with quorum: what it says is the truth to start from (see lifecycleReadWithQuorum). */
  private Behavior<Command> onMajorityRead(MajorityRead msg) {
    if (msg.key().equals("replicas")) {
      if (msg.entries() == null) {
        majorityReadAsked = false; // the replicator does not know the quorum's nodes yet: ask again at the next settle
      } else {
        readMajority(LIFECYCLE, Duration.ofSeconds(3));
        readMajority(OVERRIDES, WRITE_TIMEOUT);
      }
      return this;
    }
    if (msg.entries() == null) {
      getContext().getLog().warn("{}: no majority answered in time; asking again", msg.key());
      majorityReadAsked = false; // the next settle asks both again
      return this;
    }
    if (msg.key().equals(LIFECYCLE.id())) {
      lifecycleReadWithQuorum = true;
      if (!msg.entries().equals(lifecycle)) {
        getContext().getLog().info("node history (a majority's): {}", msg.entries());
      }
      lifecycle = new HashMap<>(msg.entries());
      return this;
    }
    overridesReadWithQuorum = true;
    return onOverridesRead(new OverridesRead(msg.entries()));
  }

  /** Whether this node's durable Distributed Data was found damaged at start (see FileDurableStore). */
  private boolean localDataDamaged() {
    return io.xenha.agent.StateProblems.get(getContext().getSystem()).durableDataDamaged();
  }

  /** The node history from a Get answer; null when no majority answered (then our own replica is asked). */
  private static LifecycleRead lifecycleRead(Replicator.GetResponse<LWWMap<String, String>> rsp) {
    if (rsp instanceof Replicator.GetSuccess<LWWMap<String, String>> ok) {
      return new LifecycleRead(new HashMap<>(ok.get(LIFECYCLE).getEntries()));
    }
    if (rsp instanceof Replicator.NotFound) {
      return new LifecycleRead(new HashMap<>()); // a new cluster: nobody recorded yet
    }
    return new LifecycleRead(null);
  }

  private void recordLifecycle(String node, String value) {
    if (lifecycle != null) {
      lifecycle.put(node, value);
    }
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(LIFECYCLE, LWWMap.empty(), new Replicator.WriteMajority(Duration.ofSeconds(3)), replyTo,
            map -> map.put(selfUniqueAddress, node, value)),
        rsp -> new LifecycleWritten(node, value, rsp instanceof Replicator.UpdateSuccess));
  }

  private Behavior<Command> onAgentsListed(AgentsListed msg) {
    Set<ActorRef<NodeAgent.Command>> now = msg.listing().getServiceInstances(NodeAgent.KEY);
    for (ActorRef<NodeAgent.Command> agent : now) {
      if (listedAgents.add(agent)) {
        probe(agent);
      }
    }
    // an agent gone while its node stays a member: what it reported may still run there (replan holds)
    return listedAgents.retainAll(now) ? replan() : this;
  }

  private void probe(ActorRef<NodeAgent.Command> agent) {
    getContext().getLog().debug("probing {}", agent);
    String address = agent.path().address().toString();
    getContext().ask(
        NodeReport.class, agent, config.cluster().askTimeout(), NodeAgent.Probe::new,
        (report, err) -> err == null ? new Probed(report) : new ProbeTimeout(address));
    getContext().ask(
        NodeAgent.FenceHistoryReply.class, agent, config.cluster().askTimeout(), NodeAgent.FenceHistory::new,
        (h, err) -> new HistoryGathered(err == null ? h.history() : List.of()));
  }

  private Behavior<Command> onProbeTimeout(ProbeTimeout msg) {
    getContext().getLog().warn("no probe answer from {} within {}", msg.address(), config.cluster().askTimeout());
    // probe again: the agent may still be opening its hypervisor
    for (ActorRef<NodeAgent.Command> agent : listedAgents) {
      String node = nodeOfAgent(agent);
      if (node == null || !probed.contains(node)) {
        probe(agent);
      }
    }
    return this;
  }

  private String nodeOfAgent(ActorRef<NodeAgent.Command> agent) {
    for (NodeReport r : reports.values()) {
      if (r.agent().equals(agent)) {
        return r.node();
      }
    }
    return null;
  }

  private Behavior<Command> onReport(NodeReport r, boolean fromProbe) {
    getContext().getLog().debug("report from {} (probe: {}): {}", r.node(), fromProbe, r);
    NodeReport old = reports.get(r.node());
    if (!r.newerThan(old)) {
      // an older report arriving late: the newer one stands (a probe answer still counts as probed)
      if (fromProbe && old != null && old.incarnation() == r.incarnation() && probed.add(r.node())) {
        return replan();
      }
      return this;
    }
    if (!fromProbe && old != null && r.incarnation() > old.incarnation()) {
      // A restarted agent reports (membership, capacity) before it is probed, with nothing adopted yet: only its
      // probe says what runs on that host, and until then what the lost incarnation ran stands. Whatever the order
      // in which its old incarnation's removal and this report arrive, the node is not online until that probe.
      if (probed.remove(r.node())) {
        getContext().getLog().info("{} restarted its agent: what it ran stands until its probe answers", r.node());
      }
      return replan();
    }
    if (old != null && r.incarnation() > old.incarnation() && unclean.contains(r.node())) {
      // A new incarnation answered: its probe is the truth about that host, and nothing of it was started
      // elsewhere while it was unclean (every start waits for the fence).
      getContext().getLog().warn("{} came back before it was fenced; its probe replaces what it ran", r.node());
      unclean.remove(r.node());
      uncleanUid.remove(r.node());
      if (runner != null) {
        // a fence of the lost incarnation may be under way: no further attempt (its executor checks the one it has)
        runner.tell(new TransitionRunner.Recall(r.node(), r.node() + " runs a new incarnation"));
      }
    }
    boolean backAfterUnknownLoss = fromProbe && lostBeforeThisController.contains(r.node())
        && currentMembers().contains(r.node());
    if ((old != null && r.incarnation() > old.incarnation() || backAfterUnknownLoss)
        && selfFencing.remove(r.node()) != null) {
      lostBeforeThisController.remove(r.node());
      // Its agent restarted (the domUs outlived it): what runs there is what it reports now, so its domUs must
      // not be taken as stopped when the deadline set for the lost incarnation passes. A node lost before this
      // Controller started (no report of the lost incarnation here) is back when a current member of that name
      // answers a probe: the lost incarnation was removed, and a removed member's messages no longer arrive. (Its
      // new agent may report before its probe answer, so "no report before" would miss it: AgentRestartIT on CI,
      // where the deadline then downed the healthy new incarnation.)
      getContext().getLog().warn("{} came back before its self-fence deadline; its probe replaces what it ran", r.node());
      timers.cancel("self-fence-" + r.node());
    }
    reports.put(r.node(), r);
    addressToNode.put(r.address(), r.node());
    escalateStopFailures(r);
    if (fromProbe) {
      probed.add(r.node());
    }
    if (offline.remove(r.node()) || !"member".equals(lifecycleOf(r.node()))) {
      recordLifecycle(r.node(), "member");
    }
    recordUpMember(r.node());
    releaseHolds(r);
    return replan();
  }

  /**
   * Writes "member" again once the node is Up: a write made while it was still joining reached only the
   * majority without it, and only gossip (seconds later) would bring it there. Its own replica must know
   * before it can take over as Controller.
   */
  private void recordUpMember(String node) {
    NodeReport r = reports.get(node);
    if (r != null && upAddresses.containsKey(r.address()) && writtenUp.add(node + "@" + r.incarnation())) {
      recordLifecycle(node, "member");
    }
  }

  /** Node names of the current cluster members (each carries its name as a role), downed ones excluded. */
  private Set<String> currentMembers() {
    Set<String> names = new HashSet<>();
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.down() || m.status() == MemberStatus.removed()) {
        continue;
      }
      for (String role : m.getRoles()) {
        if (role.startsWith(NodeAgent.NODE_ROLE_PREFIX)) {
          names.add(role.substring(NodeAgent.NODE_ROLE_PREFIX.length()));
        }
      }
    }
    return names;
  }

  /**
   * What the probed agents saw of node: "member" or "lost" when any saw it in the cluster and none saw it
   * leave cleanly, "left" when one saw it leave, null when none saw it at all. Local to each agent, so it needs no
   * replication (the node history in Distributed Data may lag behind a node that just joined).
   */
  private String seenByAgents(String node) {
    String seen = null;
    for (NodeReport r : reports.values()) {
      String s = r.membership() == null ? null : r.membership().get(node);
      if ("left".equals(s)) {
        return "left";
      }
      if (s != null) {
        seen = s;
      }
    }
    return seen;
  }

  private String lifecycleOf(String node) {
    return lifecycle == null ? null : lifecycle.get(node);
  }

  private Behavior<Command> onMembership(MembershipChanged msg) {
    Object e = msg.event();
    view.apply(e);
    if (e instanceof ClusterEvent.MemberUp up) {
      upAddresses.put(up.member().address().toString(), up.member().uniqueAddress());
      String node = addressToNode.get(up.member().address().toString());
      if (node != null) {
        recordUpMember(node);
      }
    } else if (e instanceof ClusterEvent.UnreachableMember u) {
      unreachableAddresses.add(u.member().address().toString());
      getContext().getLog().warn("{} is unreachable", nodeOfAddress(u.member().address().toString()));
    } else if (e instanceof ClusterEvent.ReachableMember r) {
      unreachableAddresses.remove(r.member().address().toString());
    } else if (e instanceof ClusterEvent.MemberLeft || e instanceof ClusterEvent.MemberExited) {
      leavingMembers.add(((ClusterEvent.MemberEvent) e).member().uniqueAddress());
    } else if (e instanceof ClusterEvent.MemberRemoved removed) {
      // a member seen leaving that is removed as Down shut down before its removal reached everyone: still clean
      boolean announced = leavingMembers.remove(removed.member().uniqueAddress());
      onRemoved(removed.member(), announced ? MemberStatus.exiting() : removed.previousStatus());
    } else if (e instanceof ClusterEvent.MemberEvent me && me.member().status() == MemberStatus.up()) {
      upAddresses.put(me.member().address().toString(), me.member().uniqueAddress());
    }
    updateQuorum();
    return replan();
  }

  /** This partition's quorum from the membership as it is now (corosync's votes over the configured nodes). */
  private void updateQuorum() {
    io.xenha.membership.Quorum now = view.quorum(votes);
    if (now.quorate() != quorum.quorate() || now.present() != quorum.present()) {
      if (now.quorate()) {
        getContext().getLog().info("{}: {}", now.partition(), now.presentNodes());
      } else if (!quorum.quorate()) {
        getContext().getLog().info("waiting for quorum: {}: {} present, {} needed", now.partition(), now.presentNodes(),
            now.needed());
      } else {
        getContext().getLog().error("{}: {} present, {} needed: fencing, starting and moving nothing "
            + "(no-quorum-policy={})", now.partition(), now.presentNodes(), now.needed(),
            config.properties().noQuorumPolicy());
      }
    }
    if (now.quorate() && quorateSince == null) {
      quorateSince = clock.instant();
    } else if (!now.quorate()) {
      quorateSince = null;
    }
    quorum = now;
  }

  /** Whether this partition may fence, start, move or recover anything now. */
  private boolean mayAct() {
    return io.xenha.membership.PartitionPolicy.mayAct(quorum, config.properties().noQuorumPolicy());
  }

  /**
   * A node the failure detector has lost is dealt with at once, as Pacemaker does on membership loss: with quorum
   * and fencing it is UNCLEAN now and fenced, its resources start elsewhere once the fence is confirmed; with quorum
   * and no fencing its resources wait for the self-fence deadline; without quorum nothing happens here. Only the
   * incarnation the Controller knows counts (a restarted agent's old one is Pekko's to remove).
   */
  private void handleLostNodes() {
    for (String address : unreachableAddresses) {
      String node = addressToNode.get(address);
      NodeReport last = node == null ? null : reports.get(node);
      if (last == null || !last.address().equals(address) || unclean.contains(node) || selfFencing.containsKey(node)) {
        continue;
      }
      switch (io.xenha.membership.PartitionPolicy.onLost(quorum, config.properties().noQuorumPolicy(),
          config.properties().stonithEnabled())) {
        case FENCE -> {
          getContext().getLog().error("{} is lost (unreachable; {}): it is UNCLEAN, fencing it now", node,
              quorum.partition());
          markUnclean(node, uidAt(address, node));
        }
        case AWAIT_SELF_FENCE -> awaitSelfFence(node, "unreachable");
        case HOLD -> { }
      }
    }
  }

  /**
   * No fencing: the lost node stops its own domUs (no-quorum-policy) within self-fence-deadline of losing quorum;
   * recovering them before that deadline could run a domU twice. The deadline counts from the first sign of loss.
   */
  private void awaitSelfFence(String node, String how) {
    if (selfFencing.containsKey(node)) {
      return;
    }
    Duration deadline = config.properties().selfFenceDeadline();
    getContext().getLog().warn("{} was lost ({}) and stonith is disabled: waiting {} s (self-fence-deadline) for it to "
        + "stop its domUs before recovering them", node, how, deadline.toSeconds());
    selfFencing.put(node, clock.instant().plus(deadline));
    timers.startSingleTimer("self-fence-" + node, new SelfFenceDeadline(node), deadline);
  }

  /** Removes a fenced (or self-fenced) member from the membership, so that the cluster converges without it. */
  private void downMember(String node, String address) {
    UniqueAddress ua = upAddresses.get(address);
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.address().toString().equals(address)) {
        ua = m.uniqueAddress();
        fencedMembers.add(ua);
        getContext().getLog().info("{} ({}) is down: removing it from the membership", node, address);
        Cluster.get(getContext().getSystem()).manager().tell(
            new org.apache.pekko.cluster.typed.Down(m.address()));
      }
    }
    if (ua != null) {
      fencedMembers.add(ua);
    }
  }

  private String nodeOfAddress(String address) {
    return addressToNode.getOrDefault(address, address);
  }

  private void onRemoved(Member member, MemberStatus previous) {
    String address = member.address().toString();
    if (fencedMembers.remove(member.uniqueAddress())) {
      // its fence (or self-fence deadline) is what removed it: not a new loss
      upAddresses.remove(address, member.uniqueAddress());
      unreachableAddresses.remove(address);
      return;
    }
    UniqueAddress upNow = upAddresses.get(address);
    boolean newerUp = upNow != null && !upNow.equals(member.uniqueAddress());
    upAddresses.remove(address, member.uniqueAddress()); // not a new incarnation already Up on that address
    unreachableAddresses.remove(address);
    // a node this Controller never heard from that left cleanly (it left while the Controller moved off it) is known
    // by its role: its clean leave is recorded, so that no later Controller takes it for lost
    boolean clean = previous == MemberStatus.exiting() || previous == MemberStatus.leaving();
    String node = addressToNode.getOrDefault(address, clean && io.xenha.membership.Members.isConfigured(votes, member)
        ? io.xenha.membership.Members.nodeOf(member) : null);
    if (node == null) {
      return;
    }
    NodeReport last = reports.get(node);
    if (last != null && (newerUp || !last.address().equals(address))) {
      // An old incarnation of a node whose agent already runs again (Up on that address, or reporting from another
      // one): the host is not lost. What its last report says stands until the new agent's probe (replan holds).
      getContext().getLog().info("an old incarnation of {} ({}) was removed; its agent runs again at {}", node, address,
          last.address());
      return;
    }
    if (previous == MemberStatus.exiting() || previous == MemberStatus.leaving()) {
      getContext().getLog().info("{} left the cluster cleanly", node);
      holdWhatStillRuns(last);
      markOffline(node, "left");
    } else if (last != null && fencedIncarnation.get(node) != null && fencedIncarnation.get(node) == last.incarnation()) {
      markOffline(node, "fenced");
    } else if (unclean.contains(node)) {
      // already UNCLEAN (lost while reachable to nobody): its fence is on the way
    } else if (config.properties().stonithEnabled()) {
      getContext().getLog().error("{} was lost (removed while {}): it is UNCLEAN until fenced", node, previous);
      markUnclean(node, member.uniqueAddress().longUid());
    } else {
      awaitSelfFence(node, "removed while " + previous);
    }
  }

  private Behavior<Command> onSelfFenceDeadline(SelfFenceDeadline msg) {
    lostBeforeThisController.remove(msg.node());
    if (selfFencing.remove(msg.node()) != null) {
      getContext().getLog().warn("{}: self-fence deadline passed, its domUs are taken as stopped", msg.node());
      NodeReport last = reports.get(msg.node());
      if (last != null) {
        downMember(msg.node(), last.address());
      }
      markOffline(msg.node(), "left");
    }
    return replan();
  }

  /**
   * Pacemaker starts nothing until every node that may run it has been probed. A node whose last report says
   * something may run there but which is not online (a member not Up yet, a restarted agent not probed yet, an agent
   * gone while its node stays a member) would look like a clean offline node to the scheduler, whose resources count
   * as stopped: starting them elsewhere could run a domU twice. So nothing is decided while such a node exists. After
   * dc-deadtime it is fenced (stonith enabled), as a member whose controller does not answer is in Pacemaker;
   * without stonith the hold lasts until the node is online or removed.
   */
  private boolean holdForPendingNodes() {
    Set<String> pending = new TreeSet<>();
    for (String node : reports.keySet()) {
      if (pending(node)) {
        pending.add(node);
      }
    }
    for (String gone : new ArrayList<>(pendingSince.keySet())) {
      if (!pending.contains(gone)) {
        pendingSince.remove(gone);
        timers.cancel("pending-" + gone);
        getContext().getLog().info("{} is online or gone now: deciding again", gone);
      }
    }
    for (String node : pending) {
      if (pendingSince.putIfAbsent(node, clock.instant()) == null) {
        getContext().getLog().warn("{} reported {} possibly running but is not online yet (joining, restarted and not "
            + "probed, or its agent gone): holding decisions until it is", node, possiblyActiveOn(node));
        timers.startSingleTimer("pending-" + node, new PendingDeadline(node), config.properties().dcDeadtime());
      }
    }
    return !pending.isEmpty();
  }

  /** Reported with something possibly active, neither online nor unclean: its state there is not known now. */
  private boolean pending(String node) {
    return !unclean.contains(node) && nodeState(node) == NodeState.OFFLINE && !possiblyActiveOn(node).isEmpty();
  }

  private List<String> possiblyActiveOn(String node) {
    NodeReport r = reports.get(node);
    return r == null ? List.of() : r.resources().entrySet().stream()
        .filter(e -> e.getValue().possiblyActive()).map(Map.Entry::getKey).toList();
  }

  private Behavior<Command> onPendingDeadline(PendingDeadline msg) {
    if (!pendingSince.containsKey(msg.node()) || !pending(msg.node())) {
      return replan();
    }
    if (config.properties().stonithEnabled()) {
      getContext().getLog().error("{} stayed a member without an agent that answers for {}: it is UNCLEAN, fencing it",
          msg.node(), config.properties().dcDeadtime());
      pendingSince.remove(msg.node());
      markUnclean(msg.node(), memberUidOf(msg.node()));
    } else {
      getContext().getLog().error("{} is still not online after {} and stonith is disabled: decisions stay held until "
          + "it is online or removed from the cluster", msg.node(), config.properties().dcDeadtime());
    }
    return replan();
  }

  /** node is UNCLEAN: fenced before anything of it starts elsewhere; uid is the incarnation the fence is for. */
  private void markUnclean(String node, long uid) {
    unclean.add(node);
    uncleanUid.put(node, uid);
    if (runner != null) {
      // a start or stop in flight there gets no answer: the transition with its fence need not wait for the timeout
      runner.tell(new TransitionRunner.Lost(node, "unclean"));
    }
  }

  /** The uid of the incarnation at address when it is up, else that of node's incarnation now ({@link #memberUidOf}). */
  private long uidAt(String address, String node) {
    UniqueAddress up = upAddresses.get(address);
    return up != null ? up.longUid() : memberUidOf(node);
  }

  /**
   * The member uid of node's incarnation in the cluster now (one not down first), 0 when it is no member: a fence
   * decided against it is not carried out once the node runs another one.
   */
  private long memberUidOf(String node) {
    long uid = 0;
    for (Member m : Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.status() != MemberStatus.removed() && m.getRoles().contains(NodeAgent.NODE_ROLE_PREFIX + node)) {
        uid = m.uniqueAddress().longUid();
        if (m.status() != MemberStatus.down()) {
          return uid;
        }
      }
    }
    return uid;
  }

  private void markOffline(String node, String why) {
    unclean.remove(node);
    uncleanUid.remove(node);
    offline.add(node);
    reports.remove(node);
    probed.remove(node);
    recordLifecycle(node, why);
  }

  // ---- settling after takeover -----------------------------------------------------------------------

  private Behavior<Command> onSettle(Settle msg) {
    if (phase == Phase.ACTIVE || lifecycle == null || !overridesRead) {
      return this;
    }
    updateQuorum();
    if (!mayAct()) {
      return this; // a partition without quorum decides nothing: it waits for quorum (or is fenced by the one with it)
    }
    if (!lifecycleReadWithQuorum || !overridesReadWithQuorum) {
      if (!majorityReadAsked) {
        majorityReadAsked = true;
        // a majority as the replicator counts it is of the nodes it knows: a node that joined a moment ago may not
        // be one yet, and a "majority" of this node alone is its own copy. Read from a majority once the replicator
        // knows at least the nodes that make this partition's quorum (an unreachable one does not block it).
        int needed = quorum.presentNodes().size();
        replicator.askReplicaCount(Replicator.GetReplicaCount::new, count -> count.n() >= needed
            ? new MajorityRead("replicas", Map.of()) : new MajorityRead("replicas", null));
      }
      return this;
    }
    // dc-deadtime counts from when this partition got quorum: a node that joins before then is waited for
    Duration quorateFor = quorateSince == null ? null : Duration.between(quorateSince, clock.instant());
    boolean deadlinePassed = quorateFor != null && quorateFor.compareTo(config.properties().dcDeadtime()) >= 0;
    boolean mayStartupFence = io.xenha.membership.PartitionPolicy.mayStartupFence(quorum, quorateFor,
        config.properties().dcDeadtime(), config.properties().stonithEnabled(), config.properties().startupFencing());
    List<String> waiting = new ArrayList<>();
    Set<String> members = currentMembers();
    for (String node : config.nodes().keySet()) {
      if (unclean.contains(node) || offline.contains(node)) {
        continue;
      }
      if (probed.contains(node) && nodeState(node) == NodeState.ONLINE) {
        continue;
      }
      if (members.contains(node)) {
        // probed while still joining, or not probed yet: placing now would put everything on the others
        if (!deadlinePassed || !config.properties().stonithEnabled()) {
          waiting.add(node); // in the cluster now: its probe answer (or its Up) is on the way
        } else if (probed.contains(node)) {
          continue; // it answers but is not Up yet after dc-deadtime: go on without it
        } else {
          // a member whose agent does not answer for dc-deadtime: what it runs is unknown
          getContext().getLog().error("{} is a member but its agent did not answer probes within dc-deadtime: fencing it", node);
          markUnclean(node, memberUidOf(node));
        }
        continue;
      }
      String history = lifecycleOf(node);
      String seen = seenByAgents(node);
      if (history == null || seen != null) {
        // what the agents saw last wins: a node that left while the old Controller ran on it could not record it
        history = seen != null ? ("lost".equals(seen) ? "member" : seen) : history;
      }
      if ("member".equals(history)) {
        // It was in the cluster and is not now: lost while nobody was Controller, or with the old Controller.
        if (config.properties().stonithEnabled()) {
          getContext().getLog().error("{} was a member and is gone: UNCLEAN until fenced", node);
          markUnclean(node, 0);
        } else {
          // Without fencing only its own deadline makes it safe: the lost node (frozen, or cut off and stopping its
          // domUs under no-quorum-policy) may still run them. Taken as offline at once, a Controller that took over
          // from it started them elsewhere while they still ran there (AgentRestartIT on CI: vm2 on n2 and n3).
          awaitSelfFence(node, "a member gone while no Controller ran, or with the old Controller");
          lostBeforeThisController.add(node);
        }
      } else if ("left".equals(history) || "fenced".equals(history)) {
        offline.add(node);
      } else if (deadlinePassed) {
        if (mayStartupFence) {
          getContext().getLog().warn("{} did not join within dc-deadtime: fencing it before starting anything (startup-fencing)", node);
          markUnclean(node, 0);
        } else {
          offline.add(node);
        }
      } else {
        waiting.add(node);
      }
    }
    if (!waiting.isEmpty()) {
      return this;
    }
    phase = Phase.ACTIVE;
    timers.cancel("settle");
    getContext().getLog().info("Controller on {} active: online {}, unclean {}, offline {}", selfNode, probed, unclean, offline);
    return replan();
  }

  // ---- planning --------------------------------------------------------------------------------------

  private Behavior<Command> replan() {
    if (phase != Phase.ACTIVE) {
      return this;
    }
    if (runner != null) {
      return this; // the runner's end plans again, from the facts as they are then
    }
    if (!mayAct()) {
      return this; // without quorum nothing is fenced, started or moved: no-quorum-policy applies on every node
    }
    handleLostNodes();
    if (unreachableUndecided()) {
      return this; // an unreachable member whose node is not known (never reported): its removal comes first
    }
    if (!selfFencing.isEmpty()) {
      return this; // a lost node may still be stopping its domUs (stonith disabled): nothing moves until its deadline
    }
    if (holdForPendingNodes()) {
      return this;
    }
    ClusterSnapshot snapshot = snapshot();
    finishRestarts(snapshot);
    long now = clock.instant().getEpochSecond();
    long expiry = overrides.nextExpiry(now);
    if (expiry > 0) {
      timers.startSingleTimer("override-expiry", new Replan(), Duration.ofSeconds(expiry - now));
    }
    scheduleRecheck(snapshot);
    Transition t = Scheduler.plan(snapshot);
    lastTransition = t;
    for (String w : t.warnings()) {
      if (!warnings.contains(w)) {
        getContext().getLog().error(w);
        warnings.add(w);
      }
    }
    if (t.isEmpty()) {
      return this;
    }
    getContext().getLog().info("new transition:\n{}", String.join("\n", t.summary()));
    rememberInstanceNumbers(t);
    runner = getContext().spawnAnonymous(TransitionRunner.create(
        snapshot.config(), t, agents(),
        getContext().messageAdapter(TransitionRunner.ActionFinished.class, ActionDone::new),
        getContext().messageAdapter(TransitionRunner.Finished.class, RunnerFinished::new)));
    return this;
  }

  /** Unreachable members that are not a lost node being dealt with (unclean or awaiting its self-fence deadline). */
  private boolean unreachableUndecided() {
    for (String address : unreachableAddresses) {
      String node = addressToNode.get(address);
      NodeReport last = node == null ? null : reports.get(node);
      boolean decided = node != null && (unclean.contains(node) || selfFencing.containsKey(node)
          || last == null || !last.address().equals(address) && upAddresses.containsKey(last.address()));
      if (!decided) {
        return true;
      }
    }
    return false;
  }

  private void rememberInstanceNumbers(Transition t) {
    for (Map.Entry<String, String> e : t.placement().entrySet()) {
      int colon = e.getKey().lastIndexOf(':');
      if (colon > 0 && config.resources().containsKey(e.getKey().substring(0, colon))) {
        String clone = e.getKey().substring(0, colon);
        int number;
        try {
          number = Integer.parseInt(e.getKey().substring(colon + 1));
        } catch (NumberFormatException notAnInstance) {
          continue;
        }
        Map<String, List<Integer>> byNode = instanceNumbers.computeIfAbsent(clone, k -> new HashMap<>());
        byNode.values().forEach(l -> l.remove(Integer.valueOf(number)));
        byNode.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(number);
      }
    }
  }

  private TransitionRunner.Agents agents() {
    Map<String, ActorRef<NodeAgent.Command>> online = new LinkedHashMap<>();
    for (String node : config.nodes().keySet()) {
      NodeReport r = reports.get(node);
      if (r != null && probed.contains(node) && !unclean.contains(node) && listedAgents.contains(r.agent())) {
        online.put(node, r.agent());
      }
    }
    Map<String, Long> incarnations = new HashMap<>();
    for (String node : config.nodes().keySet()) {
      incarnations.put(node, unclean.contains(node) ? uncleanUid.getOrDefault(node, 0L) : memberUidOf(node));
    }
    return new TransitionRunner.Agents() {
      @Override
      public ActorRef<NodeAgent.Command> agent(String node) {
        return online.get(node);
      }

      @Override
      public long incarnationToFence(String target) {
        return incarnations.getOrDefault(target, 0L);
      }

      @Override
      public List<String> onlineNodes() {
        List<String> nodes = new ArrayList<>(online.keySet());
        // prefer fencing from the Controller's own node: it knows the result first
        if (nodes.remove(selfNode)) {
          nodes.add(0, selfNode);
        }
        return nodes;
      }

      @Override
      public List<List<TransitionRunner.FenceDeviceChoice>> fenceLevels(String target) {
        return Controller.this.fenceLevels(target, onlineNodes());
      }

      @Override
      public Duration fenceDelay(String target) {
        return Controller.this.fenceDelay(target);
      }
    };
  }

  /**
   * The fencing levels of target: fencing-topology when it names the node, else one level per device able to
   * fence it, in configuration order. Each device is run from the node hosting it first (it is monitored there),
   * then from any other online node; never from the target.
   */
  List<List<TransitionRunner.FenceDeviceChoice>> fenceLevels(String target, List<String> online) {
    List<List<String>> levels = new ArrayList<>();
    List<List<String>> topology = config.fencingTopology().get(target);
    if (topology != null && !topology.isEmpty()) {
      levels.addAll(topology);
    } else {
      for (ResourceSpec r : config.resources().values()) {
        if (r.isStonith() && (r.hosts().isEmpty() || r.hosts().contains(target))) {
          levels.add(List.of(r.id()));
        }
      }
    }
    List<List<TransitionRunner.FenceDeviceChoice>> out = new ArrayList<>();
    for (List<String> level : levels) {
      List<TransitionRunner.FenceDeviceChoice> choices = new ArrayList<>();
      for (String device : level) {
        List<String> executors = new ArrayList<>();
        String host = hostOf(device);
        if (host != null && online.contains(host) && !host.equals(target)) {
          executors.add(host);
        }
        for (String n : online) {
          if (!n.equals(target) && !executors.contains(n)) {
            executors.add(n);
          }
        }
        choices.add(new TransitionRunner.FenceDeviceChoice(device, executors));
      }
      out.add(choices);
    }
    return out;
  }

  /** The node whose agent reports the device started, if any. */
  private String hostOf(String device) {
    for (NodeReport r : reports.values()) {
      NodeReport.LocalResource lr = r.resources().get(device);
      if (lr != null && lr.state().equals("started")) {
        return r.node();
      }
    }
    return null;
  }

  /**
   * Pacemaker's priority-fencing-delay: fencing of the node whose resources have the highest total priority is
   * delayed, so that in a fence race (two nodes each fencing the other) that node shoots first and survives.
   */
  Duration fenceDelay(String target) {
    Duration delay = config.properties().priorityFencingDelay();
    if (delay.isZero()) {
      return Duration.ZERO;
    }
    Map<String, Integer> totals = new HashMap<>();
    for (NodeReport r : reports.values()) {
      int sum = 0;
      for (Map.Entry<String, NodeReport.LocalResource> e : r.resources().entrySet()) {
        ResourceSpec spec = config.resources().get(e.getKey());
        if (spec != null && spec.isDomain() && e.getValue().possiblyActive()) {
          sum += spec.priority();
        }
      }
      totals.put(r.node(), sum);
    }
    int mine = totals.getOrDefault(target, 0);
    boolean highest = mine > 0 && totals.entrySet().stream().noneMatch(e -> !e.getKey().equals(target) && e.getValue() >= mine);
    return highest ? delay : Duration.ZERO;
  }

  private NodeState nodeState(String node) {
    if (unclean.contains(node)) {
      return NodeState.UNCLEAN;
    }
    NodeReport r = reports.get(node);
    if (r != null && probed.contains(node) && listedAgents.contains(r.agent()) && upAddresses.containsKey(r.address())) {
      return r.shuttingDown() ? NodeState.STANDBY : NodeState.ONLINE;
    }
    return NodeState.OFFLINE;
  }

  /** The configuration with the runtime overrides applied: what is planned with and shown. */
  private XenhaConfig effective() {
    return overrides.applyTo(config, clock.instant().getEpochSecond());
  }

  ClusterSnapshot snapshot() {
    return snapshot(effective());
  }

  /** The snapshot of the facts, for {@code config} (the configuration with the overrides applied). */
  private ClusterSnapshot snapshot(XenhaConfig config) {
    Map<String, NodeState> nodes = new LinkedHashMap<>();
    for (String node : config.nodes().keySet()) {
      nodes.put(node, nodeState(node));
    }
    Map<String, ResourceState> resources = new LinkedHashMap<>();
    for (ResourceSpec spec : config.resources().values()) {
      Set<String> active = new LinkedHashSet<>();
      Set<String> failed = new LinkedHashSet<>();
      Map<String, Integer> failCounts = new TreeMap<>();
      Map<String, Long> lastFailure = new TreeMap<>();
      int threshold = config.migrationThreshold(spec);
      for (NodeReport r : reports.values()) {
        NodeReport.LocalResource lr = r.resources().get(spec.id());
        if (lr == null) {
          continue;
        }
        if (lr.possiblyActive()) {
          active.add(r.node());
        }
        if (lr.failCount() > 0) {
          failCounts.put(r.node(), lr.failCount());
        }
        if (lr.lastFailure() > 0) {
          lastFailure.put(r.node(), lr.lastFailure());
        }
        if (lr.state().equals("failed") || lr.failCount() >= threshold || lr.migrationFailed()) {
          failed.add(r.node());
        }
      }
      Map<String, List<Integer>> numbers = new TreeMap<>();
      if (spec.cloneSet() != null) {
        // keep instance numbers stable: a running instance keeps the number it was started as
        instanceNumbers.getOrDefault(spec.id(), Map.of()).forEach((n, nums) -> {
          if (active.contains(n)) {
            numbers.put(n, nums);
          }
        });
      }
      resources.put(spec.id(), new ResourceState(spec.id(), active, failed, failCounts, numbers, lastFailure));
    }
    // rules see every node attribute, plus #is_dc (#uname is the node's name itself)
    Map<String, Map<String, String>> attrs = new LinkedHashMap<>();
    for (String node : config.nodes().keySet()) {
      Map<String, String> a = new TreeMap<>(attributesOf(node));
      a.put("#is_dc", Boolean.toString(node.equals(selfNode)));
      attrs.put(node, a);
    }
    return new ClusterSnapshot(config, nodes, resources, attrs, clock.instant().getEpochSecond(), reportedCapacity());
  }

  /** Each node's capacity as its agent read it from libvirt (nodes whose agent has not reported are absent). */
  private Map<String, Map<String, Long>> reportedCapacity() {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    for (NodeReport r : reports.values()) {
      if (!r.utilization().isEmpty()) {
        out.put(r.node(), r.utilization());
      }
    }
    return out;
  }

  /** A node's capacity as the scheduler takes it: configured values win over libvirt's, key by key. */
  private Map<String, Long> capacityOf(String node) {
    Map<String, Long> out = new TreeMap<>(reportedCapacity().getOrDefault(node, Map.of()));
    out.putAll(config.nodes().get(node).utilization());
    return out;
  }

  /**
   * Pacemaker's cluster-recheck for failure-timeout: plans again just after the earliest failure that has not expired
   * yet expires (the scheduler forgets it once the snapshot's time is past it), since no event would.
   */
  private void scheduleRecheck(ClusterSnapshot snapshot) {
    long earliest = Long.MAX_VALUE;
    for (ResourceState rs : snapshot.resources().values()) {
      ResourceSpec spec = config.resources().get(rs.id());
      Duration timeout = config.failureTimeout(spec);
      if (timeout == null || timeout.isZero()) {
        continue;
      }
      for (long last : rs.lastFailure().values()) {
        long expires = last + timeout.toSeconds() + 1; // the scheduler forgets a failure once now > last + timeout
        if (expires > snapshot.now()) {
          earliest = Math.min(earliest, expires);
        }
      }
    }
    if (earliest == Long.MAX_VALUE) {
      timers.cancel("recheck");
    } else {
      long delay = Math.max(0, earliest * 1000 - clock.millis());
      timers.startSingleTimer("recheck", new Replan(), Duration.ofMillis(delay));
    }
  }

  private Behavior<Command> onActionDone(ActionDone msg) {
    TransitionRunner.ActionFinished f = msg.finished();
    if (f.op() != null) {
      onReportQuiet(f.op().report());
    }
    for (FenceResult r : f.fences()) {
      fencing.add(new ClusterStatus.FencingRecord(r.target(), r.device(), r.executor(), r.action(), r.result(), r.at()));
      if (fencing.size() > 100) {
        fencing.remove(0);
      }
    }
    if (f.action().kind() == Action.Kind.MIGRATE && !f.ok()) {
      probeAfterFailedMigration(f.action());
    }
    if (f.action().kind() == Action.Kind.FENCE) {
      String node = f.action().node();
      if (f.ok()) {
        fenceFailures = 0;
        NodeReport last = reports.get(node);
        if (last != null) {
          fencedIncarnation.put(node, last.incarnation());
          downMember(node, last.address());
        }
        getContext().getLog().warn("{} fenced: its resources may now be recovered elsewhere", node);
        markOffline(node, "fenced");
        warnings.removeIf(w -> w.startsWith("FENCING OF " + node));
      } else if (f.superseded()) {
        // not fenced and no device failed: the node runs a new incarnation, whose report decides (if it has not
        // arrived yet, the next attempt waits the retry backoff)
        getContext().getLog().warn("{} was not fenced: {}", node, f.reason());
        if (unclean.contains(node)) {
          fenceFailures++;
        }
      } else {
        fenceFailures++;
        String w = "FENCING OF " + node + " FAILED (" + f.reason() + "): its resources stay down until a fence succeeds";
        getContext().getLog().error(w);
        warnings.removeIf(x -> x.startsWith("FENCING OF " + node));
        warnings.add(w);
      }
    }
    return this;
  }

  /**
   * After a failed migration the domU may run on the source, the target or both: both agents are probed (the
   * target adopts what arrived) and the plan after that starts from what libvirt says on each.
   */
  private void probeAfterFailedMigration(Action migrate) {
    getContext().getLog().warn("migration of {} from {} to {} failed: probing both", migrate.resource(), migrate.node(),
        migrate.target());
    for (String node : List.of(migrate.node(), migrate.target())) {
      NodeReport r = reports.get(node);
      if (r != null && listedAgents.contains(r.agent())) {
        probe(r.agent());
      }
    }
  }

  /** Applies a report carried by an operation result without planning again (the runner is still going). */
  private void onReportQuiet(NodeReport r) {
    NodeReport old = reports.get(r.node());
    if (r.newerThan(old) && !unclean.contains(r.node()) && !offline.contains(r.node())) {
      reports.put(r.node(), r);
      escalateStopFailures(r);
    }
  }

  /**
   * A stop that failed or timed out leaves the domU's state unknown: the node is fenced before anything else
   * touches it (the escalation ladder's last step). Without stonith it stays blocked for the operator.
   */
  private void escalateStopFailures(NodeReport r) {
    if (!config.properties().stonithEnabled() || unclean.contains(r.node())) {
      return;
    }
    for (Map.Entry<String, NodeReport.LocalResource> e : r.resources().entrySet()) {
      if (e.getValue().state().equals("stop-failed")) {
        getContext().getLog().error("{}: stop failed on {}: its state is unknown, fencing {}", e.getKey(), r.node(), r.node());
        markUnclean(r.node(), uidAt(r.address(), r.node()));
        warnings.add("stop of " + e.getKey() + " failed on " + r.node() + ": fencing " + r.node());
        return;
      }
    }
  }

  private Behavior<Command> onRunnerFinished(RunnerFinished msg) {
    runner = null;
    if (!msg.finished().complete() && fenceFailures > 0) {
      // every device failed: retry with backoff, loudly (never recover without a confirmed fence)
      long delay = Math.min(config.properties().fenceRetryMaxBackoff().toMillis(), 1000L << Math.min(10, fenceFailures - 1));
      timers.startSingleTimer("fence-retry", new Replan(), Duration.ofMillis(delay));
      return this;
    }
    return replan();
  }

  // ---- runtime overrides and admin commands ---------------------------------------------------------

  /** The overrides from a Get answer; null entries when no majority answered (then our own replica is asked). */
  private static OverridesRead overridesRead(Replicator.GetResponse<LWWMap<String, String>> rsp) {
    if (rsp instanceof Replicator.GetSuccess<LWWMap<String, String>> ok) {
      return new OverridesRead(ok.get(OVERRIDES).getEntries());
    }
    if (rsp instanceof Replicator.NotFound) {
      return new OverridesRead(Map.of()); // nothing was ever overridden
    }
    return new OverridesRead(null);
  }

  /** A change of a subscribed key, as a message of ours; anything else (a deletion) changes nothing. */
  private static Command subscribed(Replicator.SubscribeResponse<LWWMap<String, String>> rsp) {
    if (rsp instanceof Replicator.Changed<LWWMap<String, String>> changed) {
      if (changed.key().equals(OVERRIDES)) {
        return new OverridesRead(changed.get(OVERRIDES).getEntries());
      }
      if (changed.key().equals(io.xenha.attributes.NodeAttributes.KEY)) {
        return new AttributesChanged(io.xenha.attributes.NodeAttributes.decode(changed.get(io.xenha.attributes.NodeAttributes.KEY)));
      }
    }
    return new Replan();
  }

  private Behavior<Command> onOverridesRead(OverridesRead msg) {
    if (msg.entries() == null && !overridesRead && localDataDamaged()) {
      getContext().getLog().warn("runtime overrides: no majority answered in time and this node's own copy was "
          + "damaged: asking the majority again");
      replicator.askGet(
          replyTo -> new Replicator.Get<>(OVERRIDES, new Replicator.ReadMajority(WRITE_TIMEOUT), replyTo),
          Controller::overridesRead);
      return this;
    }
    if (msg.entries() == null) {
      if (!overridesRead) {
        // no majority in time (a node down at a full restart): our durable replica is the best we have
        replicator.askGet(
            replyTo -> new Replicator.Get<>(OVERRIDES, Replicator.readLocal(), replyTo),
            rsp -> {
              OverridesRead local = overridesRead(rsp);
              return local.entries() == null ? new OverridesRead(Map.of()) : local;
            });
      }
      return this;
    }
    Overrides read = Overrides.decode(msg.entries());
    boolean first = !overridesRead;
    overridesRead = true;
    if (read.equals(overrides)) {
      return this;
    }
    for (String bad : read.unreadable()) {
      if (!overrides.unreadable().contains(bad)) {
        getContext().getLog().warn("ignoring a runtime override this version cannot read: {}", bad);
      }
    }
    overrides = read;
    getContext().getLog().info("runtime overrides{}: {}", first ? " read" : " changed", overrides.entries());
    return replan();
  }

  private Behavior<Command> onAdmin(AdminCommand msg) {
    if (phase != Phase.ACTIVE) {
      msg.replyTo().tell(new Admin.Reply(false, "the Controller is still starting (waiting for nodes and probes): try again shortly"));
      return this;
    }
    Admin.Edit edit = Admin.decide(msg.request(), config, overrides, snapshot(), clock.instant().getEpochSecond());
    if (edit.refusal() != null) {
      getContext().getLog().info("admin {} {} refused: {}", msg.request().op(), msg.request().target(), edit.refusal());
      msg.replyTo().tell(new Admin.Reply(false, edit.refusal()));
      return this;
    }
    if (msg.request().dryRun()) {
      // crm_simulate: what the change would make the cluster do, and nothing changes
      Transition t = edit.changes() ? planWith(edit) : null;
      StringBuilder b = new StringBuilder("dry run, nothing changed: ").append(edit.message());
      if (t != null) {
        b.append("\nTransition Summary:");
        if (t.summary().isEmpty()) b.append("\n  (nothing to do)");
        t.summary().forEach(line -> b.append('\n').append(line));
      }
      msg.replyTo().tell(new Admin.Reply(true, b.toString()));
      return this;
    }
    if (edit.changes() && msg.request().op().equals("node-standby")) {
      edit = edit.withMessage(msg.request().target() + " is in standby" + consequences(planWith(edit)));
    }
    getContext().getLog().info("admin {} {}: {}", msg.request().op(), msg.request().target(), edit.message());
    if (edit.cleanup() != null) {
      for (String node : edit.cleanupNodes()) {
        NodeReport r = reports.get(node);
        if (r != null) {
          r.agent().tell(new NodeAgent.ClearFailures(edit.cleanup()));
        }
      }
    }
    if (!edit.changes()) {
      msg.replyTo().tell(new Admin.Reply(true, edit.message()));
      return this;
    }
    writeOverrides(edit, msg.replyTo());
    return this;
  }

  /** The plan if {@code edit} were in force (the overrides it puts and removes), on the facts as they are. */
  private Transition planWith(Admin.Edit edit) {
    Map<String, String> entries = new HashMap<>(overrides.entries());
    edit.remove().forEach(entries::remove);
    entries.putAll(edit.put());
    XenhaConfig hypothetical = Overrides.decode(entries).applyTo(config, clock.instant().getEpochSecond());
    return Scheduler.plan(snapshot(hypothetical));
  }

  /**
   * What a plan does to what runs now, in words: where each resource moves, and what stops because no node may
   * run it (capacity, constraints) — said before it happens, so "its resources move" is never a promise it breaks.
   */
  private String consequences(Transition t) {
    ClusterSnapshot now = snapshot();
    List<String> moves = new ArrayList<>();
    List<String> stops = new ArrayList<>();
    for (ResourceSpec spec : config.resources().values()) {
      if (spec.cloneSet() != null) continue;
      Set<String> on = now.resource(spec.id()).activeOn();
      if (on.isEmpty()) continue;
      String to = t.placement().get(spec.id());
      if (to == null) {
        stops.add(spec.id());
      } else if (!on.contains(to)) {
        moves.add(spec.id() + " -> " + to);
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(moves.isEmpty() ? ": nothing moves" : ": " + String.join(", ", moves));
    if (!stops.isEmpty()) {
      b.append("; STOPPED, no node may run them (capacity, constraints): ").append(String.join(", ", stops));
    }
    return b.toString();
  }

  /** Writes an edit to a majority; the answer (if any) goes to replyTo once it is written. */
  private void writeOverrides(Admin.Edit unstamped, ActorRef<Admin.Reply> replyTo) {
    overridesRevision = Math.max(overridesRevision, overrides.revision()) + 1;
    Admin.Edit edit = unstamped.withPut(Overrides.REVISION, Long.toString(overridesRevision));
    replicator.askUpdate(
        replyTo2 -> new Replicator.Update<>(OVERRIDES, LWWMap.empty(), new Replicator.WriteMajority(WRITE_TIMEOUT), replyTo2,
            map -> {
              LWWMap<String, String> m = map;
              for (String k : edit.remove()) {
                m = m.remove(selfUniqueAddress, k);
              }
              for (Map.Entry<String, String> e : edit.put().entrySet()) {
                m = m.put(selfUniqueAddress, e.getKey(), e.getValue());
              }
              return m;
            }),
        rsp -> new OverridesWritten(edit, rsp instanceof Replicator.UpdateSuccess,
            rsp instanceof Replicator.UpdateSuccess ? null : rsp.getClass().getSimpleName(), replyTo));
  }

  private Behavior<Command> onOverridesWritten(OverridesWritten msg) {
    if (!msg.ok()) {
      // The local replica has it and spreads it when the others are reachable: say so, it is not undone.
      // Not a refusal: something changed (here), and may take effect.
      String why = "StoreFailure".equals(msg.failure())
          ? "written to the cluster but not to the disks of a majority of the nodes (state directories full or "
              + "read-only? see the warnings): it takes effect, and is lost if every node restarts before it is written"
          : "not confirmed by a majority of nodes within " + WRITE_TIMEOUT.toSeconds() + "s (" + msg.failure()
              + "): it is recorded on " + selfNode + " and takes effect if it replicates";
      getContext().getLog().warn("runtime override {}: {}", msg.edit().put().keySet(), why);
      if (msg.replyTo() != null) msg.replyTo().tell(Admin.Reply.unknown(why));
    }
    // apply it now rather than at the next change notification: the answer and the plan agree
    Map<String, String> entries = new HashMap<>(overrides.entries());
    msg.edit().remove().forEach(entries::remove);
    entries.putAll(msg.edit().put());
    if (msg.ok() && msg.replyTo() != null) {
      answerWhenAgentsApplied(Map.copyOf(entries), new Admin.Reply(true, msg.edit().message()), msg.replyTo());
    }
    return onOverridesRead(new OverridesRead(entries));
  }

  /**
   * The agents act on some overrides themselves (unmanaged and maintenance: stop monitoring, leave running at
   * shutdown): the answer waits until every live agent has applied them, so that an operator who puts the cluster in
   * maintenance and then stops xenha knows no agent will stop a domU. An agent that does not answer in time is named.
   */
  private void answerWhenAgentsApplied(Map<String, String> entries, Admin.Reply reply, ActorRef<Admin.Reply> replyTo) {
    long id = ++adminRequests;
    Set<String> waiting = new HashSet<>();
    for (NodeReport r : reports.values()) {
      NodeState st = nodeState(r.node());
      if (st == NodeState.ONLINE || st == NodeState.STANDBY) {
        waiting.add(r.node());
        getContext().ask(org.apache.pekko.Done.class, r.agent(), config.cluster().askTimeout(),
            ack -> new NodeAgent.ApplyOverrides(entries, ack), (done, err) -> new AgentApplied(id, r.node(), err == null));
      }
    }
    if (waiting.isEmpty()) {
      replyTo.tell(reply);
      return;
    }
    awaitingAgents.put(id, Map.entry(waiting, Map.entry(reply, replyTo)));
  }

  private Behavior<Command> onAgentApplied(AgentApplied msg) {
    var pending = awaitingAgents.get(msg.request());
    if (pending == null) {
      return this;
    }
    Admin.Reply reply = pending.getValue().getKey();
    if (!msg.ok()) {
      getContext().getLog().warn("the agent of {} did not confirm the runtime overrides in time", msg.node());
      reply = new Admin.Reply(true, reply.message() + " (" + msg.node() + "'s agent has not confirmed it yet)");
    }
    pending.getKey().remove(msg.node());
    if (pending.getKey().isEmpty()) {
      awaitingAgents.remove(msg.request());
      pending.getValue().getValue().tell(reply);
    } else {
      awaitingAgents.put(msg.request(), Map.entry(pending.getKey(), Map.entry(reply, pending.getValue().getValue())));
    }
    return this;
  }

  /**
   * An agent that stops stops every domU it manages; one still running after it left was unmanaged (maintenance)
   * and runs on without an agent. It must not start anywhere else: it is held on that node (durably, so a new
   * Controller knows) until the node's agent reports again or an operator cleans it up.
   */
  private void holdWhatStillRuns(NodeReport last) {
    if (last == null) {
      return;
    }
    Map<String, String> put = new LinkedHashMap<>();
    for (Map.Entry<String, NodeReport.LocalResource> e : last.resources().entrySet()) {
      ResourceSpec spec = config.resources().get(e.getKey());
      if (spec != null && spec.isDomain() && e.getValue().possiblyActive()) {
        put.put(Overrides.heldKey(e.getKey()), last.node());
      }
    }
    if (!put.isEmpty()) {
      getContext().getLog().warn("{} left with {} still running unmanaged: held there until its agent is back",
          last.node(), put.keySet());
      writeOverrides(Admin.Edit.change(put, Set.of(), "held"), null);
    }
  }

  /** A node's agent reports again: what was held on it is known now (the report says what runs there). */
  private void releaseHolds(NodeReport r) {
    Set<String> remove = new LinkedHashSet<>();
    overrides.held().forEach((id, node) -> {
      if (node.equals(r.node())) {
        remove.add(Overrides.heldKey(id));
      }
    });
    if (!remove.isEmpty()) {
      getContext().getLog().info("{} reports again: releasing {}", r.node(), remove);
      writeOverrides(Admin.Edit.change(Map.of(), remove, "released"), null);
    }
  }

  /**
   * A restart (resource restart) sets target-role Stopped and remembers the role to restore: once the resource
   * is stopped everywhere the role is restored, so it starts again. Kept in the overrides, so a new Controller
   * finishes a restart the old one began.
   */
  private void finishRestarts(ClusterSnapshot snapshot) {
    for (Map.Entry<String, String> e : overrides.restarts().entrySet()) {
      String id = e.getKey();
      if (!snapshot.resource(id).activeOn().isEmpty() || !"Stopped".equals(overrides.targetRole(id))) {
        continue;
      }
      Map<String, String> put = e.getValue().equals("-") ? Map.of() : Map.of(Overrides.targetRoleKey(id), e.getValue());
      Set<String> remove = e.getValue().equals("-")
          ? Set.of(Overrides.restartKey(id), Overrides.targetRoleKey(id)) : Set.of(Overrides.restartKey(id));
      getContext().getLog().info("{} stopped for its restart: starting it again", id);
      writeOverrides(Admin.Edit.change(put, remove, id + " restarted"), null);
    }
  }

  // ---- reload ----------------------------------------------------------------------------------------

  private Behavior<Command> onReload(Reload msg) {
    if (reload != null) {
      msg.replyTo().tell(new Admin.Reply(false, "a reload is already under way: try again shortly"));
      return this;
    }
    if (phase != Phase.ACTIVE) {
      msg.replyTo().tell(new Admin.Reply(false, "the Controller is still starting (waiting for nodes and probes): try again shortly"));
      return this;
    }
    if (config.source() == null) {
      msg.replyTo().tell(new Admin.Reply(false, "the Controller runs without a configuration file: nothing to reload"));
      return this;
    }
    reload = new ReloadRound(msg.replyTo());
    getContext().getLog().info("reload: every node re-reads its configuration");
    for (NodeReport r : reports.values()) {
      NodeState st = nodeState(r.node());
      if (st == NodeState.ONLINE || st == NodeState.STANDBY) {
        reload.waiting.add(r.node());
        getContext().ask(NodeAgent.ConfigLoaded.class, r.agent(), config.cluster().askTimeout().multipliedBy(2),
            NodeAgent.ReloadConfig::new, (loaded, err) -> new ReloadAnswer(r.node(), err == null ? loaded
                : new NodeAgent.ConfigLoaded(r.node(), false, null, List.of(r.node() + " did not answer: " + err.getMessage()))));
      }
    }
    // the Controller reads the file as well (its node's copy): the one it will plan with
    java.nio.file.Path source = config.source();
    java.util.concurrent.Executor blocking = getContext().getSystem().dispatchers()
        .lookup(org.apache.pekko.actor.typed.DispatcherSelector.fromConfig("xenha.blocking-dispatcher"));
    getContext().pipeToSelf(java.util.concurrent.CompletableFuture.supplyAsync(
            () -> io.xenha.config.ConfigLoader.load(source, java.util.Optional.of(selfNode)), blocking),
        OwnConfigRead::new);
    return this;
  }

  private Behavior<Command> decideReload() {
    ReloadRound r = reload;
    if (!r.ownRead || !r.waiting.isEmpty() || r.next != null) {
      return this;
    }
    String refusal = null;
    if (r.ownFailure != null) {
      refusal = "cannot read " + config.source() + ": " + r.ownFailure;
    } else if (!r.own.ok() || r.own.config().isEmpty()) {
      refusal = "the configuration is not valid, nothing changed:\n" + String.join("\n",
          r.own.problems().stream().map(io.xenha.config.Problem::format).limit(20).toList());
    }
    XenhaConfig next = refusal == null ? r.own.config().get() : null;
    if (refusal == null) {
      List<String> bad = new ArrayList<>();
      r.answers.forEach((node, loaded) -> {
        if (!loaded.ok()) {
          bad.add(node + ": its configuration is not valid:\n" + String.join("\n", loaded.problems().stream().limit(20).toList()));
        } else if (!next.checksum().equals(loaded.checksum())) {
          bad.add(node + ": its configuration differs from " + selfNode + "'s (checksum " + loaded.checksum().substring(0, 12)
              + " vs " + next.checksum().substring(0, 12) + "): every node must have the same file");
        }
      });
      if (!bad.isEmpty()) {
        refusal = "nothing changed:\n" + String.join("\n", bad);
      }
    }
    if (refusal == null && next.checksum().equals(config.checksum())) {
      reload = null;
      r.replyTo.tell(new Admin.Reply(true, "the configuration is unchanged on every node"));
      return this;
    }
    if (refusal == null) {
      List<String> refusals = ReloadCheck.refusals(config, next, snapshot());
      if (!refusals.isEmpty()) {
        refusal = "refused, nothing changed:\n" + String.join("\n", refusals);
      }
    }
    if (refusal != null) {
      getContext().getLog().warn("reload refused: {}", refusal);
      reload = null;
      r.replyTo.tell(new Admin.Reply(false, refusal));
      return this;
    }
    r.next = next;
    r.summary = ReloadCheck.summary(config, next);
    r.waiting.addAll(r.answers.keySet());
    for (String node : r.answers.keySet()) {
      NodeReport rep = reports.get(node);
      if (rep == null) {
        r.waiting.remove(node);
        continue;
      }
      getContext().ask(NodeAgent.ConfigLoaded.class, rep.agent(), config.cluster().askTimeout(),
          replyTo -> new NodeAgent.ActivateConfig(next.checksum(), replyTo), (loaded, err) -> new ActivationAnswer(node,
              err == null ? loaded : new NodeAgent.ConfigLoaded(node, false, null, List.of(String.valueOf(err.getMessage())))));
    }
    return r.waiting.isEmpty() ? activate() : this;
  }

  private Behavior<Command> onActivationAnswer(ActivationAnswer msg) {
    if (reload == null || reload.next == null || !reload.waiting.remove(msg.node())) {
      return this;
    }
    if (!msg.loaded().ok() || !reload.next.checksum().equals(msg.loaded().checksum())) {
      reload.summary += "; " + msg.node() + " has not confirmed it (see the status: a node with another configuration is reported)";
    }
    return reload.waiting.isEmpty() ? activate() : this;
  }

  private Behavior<Command> activate() {
    ReloadRound r = reload;
    reload = null;
    getContext().getLog().info("reload: running with the new configuration: {}", r.summary);
    config = r.next;
    r.replyTo.tell(new Admin.Reply(true, "reloaded: " + r.summary));
    return replan();
  }

  // ---- manual fencing -------------------------------------------------------------------------------

  private Behavior<Command> onFenceRequest(FenceRequest msg) {
    String now = clock.instant().toString();
    String action = config.properties().stonithAction();
    if (!config.nodes().containsKey(msg.node())) {
      msg.replyTo().tell(new FenceResult(msg.node(), "-", selfNode, action, false,
          "unknown node '" + msg.node() + "' (known: " + String.join(", ", config.nodes().keySet()) + ")", now));
      return this;
    }
    if (!quorum.quorate()) {
      msg.replyTo().tell(new FenceResult(msg.node(), "-", selfNode, action, false,
          "refused: this " + quorum.partition() + " fences nobody", now));
      return this;
    }
    if (phase != Phase.ACTIVE) {
      msg.replyTo().tell(new FenceResult(msg.node(), "-", selfNode, action, false,
          "the Controller is still starting (waiting for nodes and probes): try again shortly", now));
      return this;
    }
    if (fenceLevels(msg.node(), agents().onlineNodes()).isEmpty()) {
      msg.replyTo().tell(new FenceResult(msg.node(), "-", selfNode, action, false,
          "no fence device can fence " + msg.node() + " from an online node", now));
      return this;
    }
    getContext().getLog().warn("manual fencing of {} requested", msg.node());
    Action fence = new Action(0, Action.Kind.FENCE, null, msg.node(), "manual fencing", Set.of());
    Transition t = new Transition(List.of(fence), Map.of(), List.of("  * Fence (" + action + ") " + msg.node() + " 'manual fencing'"), List.of());
    ActorRef<Command> self = getContext().getSelf();
    ActorRef<TransitionRunner.ActionFinished> onAction = getContext().spawnAnonymous(
        Behaviors.receive(TransitionRunner.ActionFinished.class)
            .onMessage(TransitionRunner.ActionFinished.class, f -> {
              self.tell(new ManualFenceDone(msg.node(), f, msg.replyTo()));
              return Behaviors.stopped();
            })
            .build());
    getContext().spawnAnonymous(TransitionRunner.create(config, t, agents(), onAction,
        getContext().getSystem().ignoreRef()));
    return this;
  }

  private Behavior<Command> onManualFenceDone(ManualFenceDone msg) {
    onActionDone(new ActionDone(msg.finished()));
    List<FenceResult> attempts = msg.finished().fences();
    FenceResult decided = attempts.isEmpty()
        ? new FenceResult(msg.node(), "-", selfNode, config.properties().stonithAction(), false, msg.finished().reason(),
            clock.instant().toString())
        : attempts.get(attempts.size() - 1);
    if (msg.finished().ok() && !decided.ok()) {
      decided = new FenceResult(decided.target(), decided.device(), decided.executor(), decided.action(), true,
          msg.finished().reason(), decided.at());
    }
    msg.replyTo().tell(decided);
    if (msg.finished().ok()) {
      fenceFailures = 0;
    }
    return replan();
  }

  private Behavior<Command> onHistoryGathered(HistoryGathered msg) {
    for (FenceResult r : msg.history()) {
      ClusterStatus.FencingRecord rec = new ClusterStatus.FencingRecord(
          r.target(), r.device(), r.executor(), r.action(), r.result(), r.at());
      if (!fencing.contains(rec)) {
        fencing.add(rec);
      }
    }
    fencing.sort(java.util.Comparator.comparing(ClusterStatus.FencingRecord::at));
    while (fencing.size() > 100) {
      fencing.remove(0);
    }
    return this;
  }

  private Behavior<Command> onGetHistory(GetHistory msg) {
    Map<String, ActorRef<NodeAgent.Command>> agents = new TreeMap<>();
    Map<String, String> missing = new TreeMap<>();
    for (String node : config.nodes().keySet()) {
      NodeReport r = reports.get(node);
      if (r != null && listedAgents.contains(r.agent())) {
        agents.put(node, r.agent());
      } else if (msg.node() == null || msg.node().equals(node)) {
        missing.put(node, "no agent running, its history is missing (it stays in its journal)");
      }
    }
    getContext().spawnAnonymous(HistoryGatherer.create(
        agents, missing, msg.resource(), msg.node(), config.cluster().askTimeout(), msg.replyTo()));
    return this;
  }

  // ---- status ---------------------------------------------------------------------------------------

  private Behavior<Command> onGetStatus(GetStatus msg) {
    msg.replyTo().tell(status());
    return this;
  }

  private ClusterStatus status() {
    XenhaConfig config = effective();
    List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
    for (String node : config.nodes().keySet()) {
      String state = switch (nodeState(node)) {
        case ONLINE -> "online";
        case STANDBY -> "standby";
        case UNCLEAN -> "unclean";
        case OFFLINE -> "offline";
      };
      if (selfFencing.containsKey(node)) {
        state = "unclean"; // lost and not known to be stopped yet (stonith disabled: until its self-fence deadline)
      }
      if (state.equals("online") || state.equals("standby")) {
        // crm_mon: a node in maintenance shows as such, a standby one as standby (standby by runtime override too)
        if (overrides.nodeMaintenance(node)) {
          state = "maintenance";
        } else if (config.nodes().get(node).standby()) {
          state = "standby";
        }
      }
      Map<String, Object> attrs = new TreeMap<>();
      attributesOf(node).forEach((k, v) -> {
        try {
          attrs.put(k, Long.parseLong(v));
        } catch (NumberFormatException e) {
          attrs.put(k, v);
        }
      });
      Map<String, Long> capacity = capacityOf(node);
      nodes.add(new ClusterStatus.NodeStatus(node, state, attrs, capacity.isEmpty() ? null : capacity));
    }
    List<ClusterStatus.ResourceStatus> resources = new ArrayList<>();
    ClusterSnapshot snap = snapshot(config);
    Map<String, String> held = overrides.held();
    for (ResourceSpec spec : config.resources().values()) {
      ResourceState rs = snap.resource(spec.id());
      if (spec.cloneSet() != null) {
        resources.add(cloneStatus(spec, rs));
        continue;
      }
      String node = null;
      String state;
      String lastOp = null;
      if (!rs.activeOn().isEmpty()) {
        node = shownNode(spec.id(), rs.activeOn());
        NodeReport r = reports.get(node);
        NodeReport.LocalResource lr = r == null ? null : r.resources().get(spec.id());
        state = lr == null ? "started" : switch (lr.state()) {
          case "stop-failed" -> "blocked";
          default -> lr.state();
        };
        if (unclean.contains(node)) {
          state = "blocked";
        }
        lastOp = lr == null ? null : lr.lastOperation();
      } else if (!rs.failedOn().isEmpty() && (lastTransition == null || !lastTransition.placement().containsKey(spec.id()))) {
        state = "failed";
      } else {
        state = "stopped";
      }
      Map<String, Integer> failCounts = new TreeMap<>();
      for (String n : config.nodes().keySet()) {
        failCounts.put(n, rs.failCounts().getOrDefault(n, 0));
      }
      Map<String, String> failedOps = failedOperations(spec.id(), failCounts);
      String heldOn = held.get(spec.id());
      if (heldOn != null && rs.activeOn().isEmpty()) {
        state = "blocked"; // running on a node without an agent, as far as xenha knows
        node = heldOn;
      }
      boolean managed = managed(config, spec, node);
      if (!managed && !state.equals("failed") && !state.equals("blocked")) {
        state = "unmanaged";
      }
      resources.add(new ClusterStatus.ResourceStatus(spec.id(), spec.type(), state, node, managed, failCounts, null, null, lastOp,
          failedOps));
    }
    List<String> w = new ArrayList<>(warnings);
    for (NodeReport r : reports.values()) {
      if (r.configChecksum() != null && !r.configChecksum().equals(config.checksum())) {
        w.add("the configuration of " + r.node() + " differs from the Controller's (on " + selfNode + "): every node "
            + "must run the same file (checksum " + r.configChecksum().substring(0, 12) + " vs "
            + config.checksum().substring(0, 12) + ")");
      }
    }
    for (NodeReport r : reports.values()) {
      r.stateProblems().forEach(p -> w.add(r.node() + ": " + p));
    }
    held.forEach((id, node) -> w.add(id + " is held on " + node + ": " + node + "'s agent stopped while "
        + id + " ran there unmanaged; it starts nowhere else until " + node + "'s agent is back or `xenha resource "
        + "cleanup " + id + "` says it is stopped"));
    if (phase != Phase.ACTIVE) {
      w.add("Controller is starting: waiting for nodes and probes");
    } else if (lastTransition != null) {
      unplacedDevices(snap, w);
    }
    if (!unreachableAddresses.isEmpty()) {
      w.add("unreachable: " + unreachableAddresses.stream().map(this::nodeOfAddress).toList());
    }
    if (!quorum.quorate()) {
      w.add(quorum.partition() + ": " + quorum.presentNodes() + " present, " + quorum.needed() + " votes needed; "
          + "nothing is fenced, started or moved (no-quorum-policy=" + config.properties().noQuorumPolicy() + ")");
    }
    pendingSince.forEach((node, since) -> w.add("holding decisions: " + node + " reported " + possiblyActiveOn(node)
        + " possibly running but is not online (since " + since + ")"));
    selfFencing.forEach((node, until) -> w.add("holding decisions: " + node + " was lost and stonith is disabled; "
        + "its domUs are recovered after its self-fence deadline (" + until + ")"));
    List<ClusterStatus.FencingRecord> history = new ArrayList<>(fencing);
    java.util.Collections.reverse(history);
    return new ClusterStatus(ClusterStatus.SCHEMA, config.clusterName(), selfNode, quorum.quorate(),
        nodes, resources, history, w, new ClusterStatus.Votes(quorum.present(), quorum.expected()));
  }

  /**
   * A fence device that runs nowhere and that the plan places nowhere fences nothing from its own node: say so
   * (crm_mon shows it Stopped and no more). verify warns of the devices that can never be placed.
   */
  private void unplacedDevices(ClusterSnapshot snap, List<String> w) {
    for (ResourceSpec spec : config.resources().values()) {
      if (!spec.isStonith() || spec.cloneSet() != null || !managed(config, spec, null)
          || !snap.resource(spec.id()).activeOn().isEmpty() || lastTransition.placement().containsKey(spec.id())) {
        continue;
      }
      if ("Stopped".equals(overrides.targetRole(spec.id())) || "Stopped".equals(spec.targetRole())) {
        continue; // stopped on purpose
      }
      boolean everyNode = spec.hosts().containsAll(config.nodes().keySet());
      w.add("fence device '" + spec.id() + "' cannot be placed: " + (everyNode
          ? "a device never runs on a node it fences, and it fences every node (" + String.join(", ", spec.hosts())
              + "); give each node its own device (hosts = [NODE])"
          : "no online node may run it (it never runs on " + (spec.hosts().isEmpty() ? "the node it fences"
              : String.join(", ", spec.hosts())) + "; locations, standby and maintenance count too)"));
    }
  }

  /** Whether xenha manages {@code spec} (on {@code node}, when it runs): not in maintenance, not unmanaged. */
  private boolean managed(XenhaConfig config, ResourceSpec spec, String node) {
    return spec.managed() && !config.properties().maintenanceMode() && (node == null || !overrides.nodeMaintenance(node));
  }

  /** The node a primitive's status names: the source while it migrates (it runs on both for a moment), else the first. */
  private String shownNode(String id, Set<String> activeOn) {
    for (String n : activeOn) {
      NodeReport r = reports.get(n);
      NodeReport.LocalResource lr = r == null ? null : r.resources().get(id);
      if (lr != null && lr.state().equals("migrating")) {
        return n;
      }
    }
    return activeOn.iterator().next();
  }

  /**
   * A node's attributes: its agent's own report when we have one (the freshest: a pingd start's result carries the
   * value it set), else the replicated copy.
   */
  private Map<String, String> attributesOf(String node) {
    NodeReport r = reports.get(node);
    if (r != null && r.attributes() != null && !unclean.contains(node)) {
      return r.attributes();
    }
    return attributes.getOrDefault(node, Map.of());
  }

  /** A clone set: one instance per node it runs on, as crm_mon lists "Started: [ node1 node2 ]". */
  private ClusterStatus.ResourceStatus cloneStatus(ResourceSpec spec, ResourceState rs) {
    List<ClusterStatus.Instance> instances = new ArrayList<>();
    String lastOp = null;
    for (String n : config.nodes().keySet()) {
      NodeReport r = reports.get(n);
      NodeReport.LocalResource lr = r == null ? null : r.resources().get(spec.id());
      if (lr != null && !lr.state().equals("stopped")) {
        instances.add(new ClusterStatus.Instance(n, unclean.contains(n) ? "blocked" : lr.state()));
        lastOp = lr.lastOperation();
      }
    }
    String state = instances.stream().anyMatch(i -> i.state().equals("started")) ? "started"
        : !rs.failedOn().isEmpty() ? "failed" : "stopped";
    Map<String, Integer> failCounts = new TreeMap<>();
    for (String n : config.nodes().keySet()) {
      failCounts.put(n, rs.failCounts().getOrDefault(n, 0));
    }
    return new ClusterStatus.ResourceStatus(spec.id(), spec.type(), state, null, managed(effective(), spec, null), failCounts, true, instances, lastOp,
        failedOperations(spec.id(), failCounts));
  }

  /** Per node with failures of {@code id}, the operation that failed last there as its agent reports it; null: none. */
  private Map<String, String> failedOperations(String id, Map<String, Integer> failCounts) {
    Map<String, String> out = new TreeMap<>();
    failCounts.forEach((n, count) -> {
      NodeReport r = count > 0 ? reports.get(n) : null;
      NodeReport.LocalResource lr = r == null ? null : r.resources().get(id);
      if (lr != null && lr.failedOperation() != null) {
        out.put(n, lr.failedOperation());
      }
    });
    return out.isEmpty() ? null : out;
  }

}
