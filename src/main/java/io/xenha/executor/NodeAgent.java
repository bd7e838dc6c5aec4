package io.xenha.executor;

import io.xenha.CborSerializable;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.fencing.FenceAgent;
import io.xenha.fencing.FenceAgents;
import io.xenha.fencing.FenceDevice;
import io.xenha.fencing.FenceResult;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import io.xenha.hypervisor.LibvirtHypervisor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * This dom0's executor (Pacemaker's execd/LRM): supervises one DomainActor per domU placed here, answers probes
 * with what libvirt reports, runs fence requests for other nodes, and reports every change of its resources to
 * the Controller.
 */
public final class NodeAgent extends AbstractBehavior<NodeAgent.Command> {

  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "xenha-node-agent");

  /** Every member's roles include this prefix plus its node name. */
  public static final String NODE_ROLE_PREFIX = io.xenha.membership.Members.ROLE_PREFIX;

  /** Messages a NodeAgent accepts. */
  public sealed interface Command extends CborSerializable
      permits Probe, StartResource, StopResource, FenceNode, FenceHistory, History, StopAll, Drain, ReachabilityChanged, MemberChanged, AttributeChanged, ProbeDone, DomainReport, HypervisorEvent,
          DirectStopDone, EndedWhileStopping, FenceDone, CleanupDone, ClearFailures, OverridesSeen, ApplyOverrides, CapacityRead,
          MigrateResource, AcceptMigration, AcceptMigrationDone, IncomingMigration, Recovered, JournalFlushed, ReloadConfig, ActivateConfig, ReloadRead,
          StateProblemsChanged {}

  /** This node's durable-state problems changed (a journal write failed, or works again): the next report says so. */
  private record StateProblemsChanged() implements Command {}

  /**
   * Re-reads this agent's configuration file (xenha reload): the answer says whether it is valid, and its checksum;
   * a valid one is kept, not used, until {@link ActivateConfig} names its checksum.
   */
  public record ReloadConfig(ActorRef<ConfigLoaded> replyTo) implements Command {}

  /** Runs with the configuration re-read last, if its checksum is {@code checksum}; answers what it runs with then. */
  public record ActivateConfig(String checksum, ActorRef<ConfigLoaded> replyTo) implements Command {}

  /** ok: the file is valid (problems may hold warnings); checksum: of the file read (or, for an activation, in use). */
  public record ConfigLoaded(String node, boolean ok, String checksum, List<String> problems) implements CborSerializable {}

  private record ReloadRead(io.xenha.config.LoadResult result, Throwable failure, ActorRef<ConfigLoaded> replyTo)
      implements Command {}

  /**
   * The runtime overrides as the Controller just wrote them: applied at once (not at the next replication tick),
   * then acknowledged, so that an admin command answers only when the agents act on it.
   */
  public record ApplyOverrides(Map<String, String> entries, ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** Forgets the failures of a resource here (xenha resource cleanup): a failed one counts as stopped again. */
  public record ClearFailures(String resourceId) implements Command {}

  /** The runtime overrides as replicated: which resources this node leaves alone (maintenance, unmanaged). */
  private record OverridesSeen(Map<String, String> entries) implements Command {}

  /** Asks what runs here: libvirt is asked, running domUs are adopted, and the report comes back. */
  public record Probe(ActorRef<NodeReport> replyTo) implements Command {}

  public record StartResource(String resourceId, ActorRef<OpResult> replyTo) implements Command {}

  public record StopResource(String resourceId, ActorRef<OpResult> replyTo) implements Command {}

  /**
   * Live-migrates a domU running here to targetNode (Pacemaker's migrate_to); the reply's report shows it stopped
   * here on success. On failure it may run here, there or on both: this agent reports what libvirt says here.
   * targetAgent: the target node's agent, which receives the domU when libvirt's test driver emulates the migration.
   */
  public record MigrateResource(String resourceId, String targetNode, ActorRef<Command> targetAgent,
      ActorRef<OpResult> replyTo) implements Command {}

  /**
   * Define and start the domain from the source's XML: the receiving end of an emulated migration between
   * test-driver agents in different processes (the demo). Real hypervisors migrate by themselves.
   */
  public record AcceptMigration(String domainName, String xml, ActorRef<OpResult> replyTo) implements Command {}

  private record AcceptMigrationDone(String resourceId, Throwable failure, ActorRef<OpResult> replyTo) implements Command {}

  /**
   * A domU is about to arrive here by live migration from {@code source}: its start event is adopted, not taken for
   * a rogue start, and its arrival is recorded as a migrate_from.
   */
  public record IncomingMigration(String resourceId, String source) implements Command {
    public IncomingMigration(String resourceId) {
      this(resourceId, null);
    }
  }

  /**
   * Fences {@code target} with {@code deviceId} from this node (never the target itself). {@code memberUid}: the
   * incarnation (cluster member uid) the fence was decided against, 0 when none is known (startup fencing, a node
   * never seen): when this node sees the target run another incarnation, the fence is not carried out.
   */
  public record FenceNode(String target, String deviceId, String action, long memberUid, ActorRef<FenceResult> replyTo)
      implements Command {
    /** A fence of whatever runs on target now. */
    public FenceNode(String target, String deviceId, String action, ActorRef<FenceResult> replyTo) {
      this(target, deviceId, action, 0L, replyTo);
    }
  }

  /** The fence attempts this node executed (a new Controller gathers them so the history survives it). */
  public record FenceHistory(ActorRef<FenceHistoryReply> replyTo) implements Command {}

  public record FenceHistoryReply(List<FenceResult> history) implements CborSerializable {}

  /** This node's operation and fencing history as its journal keeps it, unsorted (`xenha history`; the Controller merges). */
  public record History(ActorRef<HistoryReply> replyTo) implements Command {}

  public record HistoryReply(String node, List<io.xenha.status.HistoryRecord> records) implements CborSerializable {}

  /**
   * Stops every domU here before the agent leaves (graceful shutdown, or the losing side of a partition with
   * no-quorum-policy=stop); from now on starts are refused. Replies when nothing runs here any more.
   */
  public record StopAll(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /**
   * Moves every resource away before the agent leaves (a graceful stop, Pacemaker's node shutdown): from now on this
   * node reports itself shutting down, which the Controller plans as standby (live migration where allowed, ordered
   * stop and start elsewhere otherwise), and starts here are refused. Replies true once nothing managed is active
   * here; the caller bounds the wait (shutdown-timeout) and then stops what is left ({@link StopAll}).
   */
  public record Drain(ActorRef<Boolean> replyTo) implements Command {}

  private record ReachabilityChanged(org.apache.pekko.cluster.ClusterEvent.ReachabilityEvent event) implements Command {}

  private record AttributeChanged(io.xenha.attributes.NodeAttributes.Command change) implements Command {}

  private record MemberChanged(org.apache.pekko.cluster.ClusterEvent.MemberEvent event) implements Command {}

  private record ProbeDone(List<String> active, Throwable failure, ActorRef<NodeReport> replyTo) implements Command {}

  private record DomainReport(DomainActor.Report report) implements Command {}

  private record HypervisorEvent(Hypervisor.DomainEvent event) implements Command {}

  private record DirectStopDone(String resourceId, Throwable failure) implements Command {}

  /** A child ended while it was being stopped: looked at again once the messages already queued are handled. */
  private record EndedWhileStopping(String resourceId, String kind) implements Command {}

  private record FenceDone(FenceResult result, ActorRef<FenceResult> replyTo) implements Command {}

  private record CleanupDone(String resourceId, Throwable failure) implements Command {}

  /** then: a probe that waits for the capacity, so that its answer carries it (null: none). */
  private record CapacityRead(Hypervisor.Capacity capacity, Throwable failure, Probe then) implements Command {}

  /** The journal's answer at start: what this node remembers (empty and {@code failure} set when it did not answer). */
  private record Recovered(NodeJournal.State state, Throwable failure) implements Command {}

  private record JournalFlushed(List<ActorRef<org.apache.pekko.Done>> waiters) implements Command {}

  /** Tuning for supervision of the resource actors. */
  /**
   * activated: told the configuration this agent runs with after a reload, so that a Controller started on this
   * node later starts with it too.
   */
  public record Settings(
      Duration minBackoff, Duration maxBackoff, io.xenha.agents.PingAgent.Pinger pinger,
      ActorRef<io.xenha.attributes.NodeAttributes.Command> attributes,
      java.util.function.Consumer<XenhaConfig> activated) {
    public static final Settings DEFAULT = new Settings(Duration.ofMillis(500), Duration.ofSeconds(10));

    public Settings(Duration minBackoff, Duration maxBackoff) {
      this(minBackoff, maxBackoff, io.xenha.agents.PingAgent.SYSTEM, null, c -> { });
    }

    /** The same settings writing node attributes through {@code attributes}. */
    public Settings withAttributes(ActorRef<io.xenha.attributes.NodeAttributes.Command> attributes) {
      return new Settings(minBackoff, maxBackoff, pinger, attributes, activated);
    }

    /** The same settings pinging through {@code pinger} (tests inject a cut cable). */
    public Settings withPinger(io.xenha.agents.PingAgent.Pinger pinger) {
      return new Settings(minBackoff, maxBackoff, pinger, attributes, activated);
    }

    /** The same settings telling {@code activated} about a reloaded configuration. */
    public Settings withActivated(java.util.function.Consumer<XenhaConfig> activated) {
      return new Settings(minBackoff, maxBackoff, pinger, attributes, activated);
    }
  }


  private XenhaConfig config;
  /** A valid configuration re-read by xenha reload, waiting for every node to have the same (ActivateConfig). */
  private XenhaConfig reloaded;
  private final String node;
  private final String address;
  private final Hypervisor hypervisor;
  private final Executor blocking;
  private final ActorRef<NodeReport> reportTo;
  private final Settings settings;
  private final Clock clock;
  private final long incarnation;
  private long seq;
  private int childCounter;
  private boolean shuttingDown;
  /** Stopping everything here: a graceful stop ({@link StopAll}) or a loss of quorum with no-quorum-policy=stop. */
  private boolean stoppingAll;
  private final List<ActorRef<org.apache.pekko.Done>> stopAllWaiters = new ArrayList<>();
  private final List<ActorRef<Boolean>> drainWaiters = new ArrayList<>();
  /** This partition's quorum as this node sees it (always quorate without a cluster: unit tests). */
  private io.xenha.membership.Quorum quorum;
  private final io.xenha.membership.Quorum.Votes votes;
  private final io.xenha.membership.MembershipView view = new io.xenha.membership.MembershipView();
  private final java.util.Set<String> refusedSenders = new java.util.HashSet<>();
  private final boolean clustered;
  private boolean everQuorate;
  private final ArrayDeque<FenceResult> fenceHistory = new ArrayDeque<>();
  private final Map<String, String> membership = new HashMap<>();
  private final Map<String, String> attributes = new java.util.TreeMap<>();
  private ActorRef<io.xenha.attributes.NodeAttributes.Command> attributeAdapter;
  private io.xenha.config.Overrides overrides = io.xenha.config.Overrides.NONE;
  /** Domains xenha stopped watching because they became unmanaged here. */
  private final java.util.Set<String> detached = new java.util.HashSet<>();

  private final Map<String, String> domainToResource = new HashMap<>();
  private final Map<String, ActorRef<DomainActor.Command>> children = new HashMap<>();
  private final Map<String, ActorRef<FenceDevice.Command>> devices = new HashMap<>();
  private final Map<String, ActorRef<CloneInstance.Command>> instances = new HashMap<>();
  private final Map<ActorRef<Void>, String> childIds = new HashMap<>();
  private final Map<String, String> states = new LinkedHashMap<>();
  private final Map<String, String> lastOps = new HashMap<>();
  private final Map<String, Deque<Instant>> failures = new HashMap<>();
  /** When an operation of a resource last failed here, for failure-timeout (the Controller's recheck). */
  private final Map<String, Instant> lastFailure = new HashMap<>();
  /** This node's capacity from libvirt's node info (empty until it answered). */
  private Map<String, Long> capacity = Map.of();
  private final Map<String, Boolean> startFailedFatal = new HashMap<>();
  /** Members seen Leaving or Exiting (a graceful leave announced), until they are removed. */
  private final java.util.Set<org.apache.pekko.cluster.UniqueAddress> leavingMembers = new java.util.HashSet<>();
  private final Map<String, List<ActorRef<OpResult>>> startWaiters = new HashMap<>();
  private final Map<String, List<ActorRef<OpResult>>> stopWaiters = new HashMap<>();
  private final Map<String, List<ActorRef<OpResult>>> migrateWaiters = new HashMap<>();
  /** Migrations on their way: expected here (incoming, then arriving once its start adopts it), or leaving. */
  private record Migration(String peer, Instant since) {}
  private final Map<String, Migration> incoming = new HashMap<>();
  private final Map<String, Migration> arriving = new HashMap<>();
  private final Map<String, Migration> leaving = new HashMap<>();
  private final ActorRef<DomainActor.Report> reportAdapter;
  /** null when the actor system has no journal configured (unit tests): then nothing survives a restart. */
  private final ActorRef<NodeJournal.Command> journal;
  private final ArrayDeque<NodeJournal.OperationRecorded> operations = new ArrayDeque<>();
  /** Per resource, the last operation that failed here and why (cleared by cleanup). */
  private final Map<String, String> failedOps = new HashMap<>();

  /**
   * The agent first recovers its journal (fail counts, history) and only then registers, probes and manages:
   * messages that arrive meanwhile wait in a stash. Without a journal answer in time it manages without history.
   */
  public static Behavior<Command> create(
      XenhaConfig config,
      String node,
      String address,
      Hypervisor hypervisor,
      Executor blocking,
      ActorRef<NodeReport> reportTo,
      Settings settings,
      Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> {
      String plugin = ctx.getSystem().settings().config().getString("pekko.persistence.journal.plugin");
      if (plugin.isEmpty()) {
        return new NodeAgent(ctx, config, node, address, hypervisor, blocking, reportTo, settings, clock, null,
            NodeJournal.State.EMPTY);
      }
      XenhaConfig.PersistenceSettings p = config.persistence();
      ActorRef<NodeJournal.Command> journal =
          ctx.spawn(NodeJournal.create(node, p.snapshotEvery(), p.historySize()), "journal");
      ctx.ask(NodeJournal.State.class, journal, p.recoveryTimeout(), NodeJournal.Recall::new, Recovered::new);
      return Behaviors.receive(Command.class)
          .onMessage(Recovered.class, r -> {
            if (r.failure() != null) {
              ctx.getLog().error("journal of {} did not recover within {} ({}): managing without its fail counts and history",
                  node, p.recoveryTimeout(), r.failure().toString());
            }
            NodeJournal.State state = r.state() != null ? r.state() : NodeJournal.State.EMPTY;
            return stash.unstashAll(
                new NodeAgent(ctx, config, node, address, hypervisor, blocking, reportTo, settings, clock, journal, state));
          })
          .onAnyMessage(m -> {
            stash.stash(m);
            return Behaviors.same();
          })
          .build();
    }));
  }

  private NodeAgent(
      ActorContext<Command> ctx,
      XenhaConfig config,
      String node,
      String address,
      Hypervisor hypervisor,
      Executor blocking,
      ActorRef<NodeReport> reportTo,
      Settings settings,
      Clock clock,
      ActorRef<NodeJournal.Command> journal,
      NodeJournal.State recovered) {
    super(ctx);
    this.journal = journal;
    this.config = config;
    this.node = node;
    this.address = address;
    this.hypervisor = hypervisor;
    this.blocking = blocking;
    this.reportTo = reportTo;
    this.settings = settings;
    this.clock = clock;
    this.incarnation = clock.millis();
    this.votes = io.xenha.membership.Quorum.Votes.of(config);
    this.clustered = ctx.getSystem().settings().config().getString("pekko.actor.provider").equals("cluster");
    this.quorum = votes.quorum(clustered ? java.util.Set.of() : config.nodes().keySet());
    for (ResourceSpec r : config.resources().values()) {
      if (r.isDomain()) {
        domainToResource.put(r.domainName(), r.id());
      }
      states.put(r.id(), "stopped");
    }
    recover(recovered);
    reportAdapter = ctx.messageAdapter(DomainActor.Report.class, DomainReport::new);
    ActorRef<Hypervisor.DomainEvent> eventRef = ctx.messageAdapter(Hypervisor.DomainEvent.class, HypervisorEvent::new);
    Consumer<Hypervisor.DomainEvent> listener = eventRef::tell;
    hypervisor.subscribe(listener);
    ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
    readCapacity(null);
    ActorRef<Command> self = ctx.getSelf();
    io.xenha.agent.StateProblems.get(ctx.getSystem()).onChange(() -> self.tell(new StateProblemsChanged()));
    if (ctx.getSystem().settings().config().getString("pekko.actor.provider").equals("cluster")) {
      org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).subscriptions().tell(
          org.apache.pekko.cluster.typed.Subscribe.create(
              ctx.messageAdapter(org.apache.pekko.cluster.ClusterEvent.MemberEvent.class, MemberChanged::new),
              org.apache.pekko.cluster.ClusterEvent.MemberEvent.class));
      org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).subscriptions().tell(
          org.apache.pekko.cluster.typed.Subscribe.create(
              ctx.messageAdapter(org.apache.pekko.cluster.ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
              org.apache.pekko.cluster.ClusterEvent.ReachabilityEvent.class));
      // maintenance and unmanage must hold without a Controller (e.g. while xenha itself is being upgraded)
      subscribeOverrides(ctx);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Probe.class, m -> stranger("a probe", m.replyTo()) ? this : onProbe(m))
        .onMessage(ProbeDone.class, this::onProbeDone)
        .onMessage(StartResource.class, m -> stranger("start " + m.resourceId(), m.replyTo()) ? this : onStart(m))
        .onMessage(StopResource.class, m -> stranger("stop " + m.resourceId(), m.replyTo()) ? this : onStop(m))
        .onMessage(DirectStopDone.class, this::onDirectStopDone)
        .onMessage(EndedWhileStopping.class, this::onEndedWhileStopping)
        .onMessage(DomainReport.class, this::onDomainReport)
        .onMessage(HypervisorEvent.class, this::onHypervisorEvent)
        .onMessage(FenceNode.class, m -> stranger("fence " + m.target(), m.replyTo()) ? this : onFence(m))
        .onMessage(StopAll.class, this::onStopAll)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(ReachabilityChanged.class, m -> {
          view.apply(m.event());
          return checkQuorum();
        })
        .onMessage(MemberChanged.class, this::onMemberChanged)
        .onMessage(AttributeChanged.class, this::onAttributeChanged)
        .onMessage(StateProblemsChanged.class, m -> {
          report();
          return this;
        })
        .onMessage(FenceHistory.class, m -> {
          m.replyTo().tell(new FenceHistoryReply(List.copyOf(fenceHistory)));
          return this;
        })
        .onMessage(History.class, this::onHistory)
        .onMessage(JournalFlushed.class, m -> {
          m.waiters().forEach(w -> w.tell(org.apache.pekko.Done.getInstance()));
          return this;
        })
        .onMessage(FenceDone.class, this::onFenceDone)
        .onMessage(CleanupDone.class, this::onCleanupDone)
        .onMessage(ClearFailures.class, this::onClearFailures)
        .onMessage(OverridesSeen.class, this::onOverridesSeen)
        .onMessage(ApplyOverrides.class, m -> {
          if (stranger("runtime overrides", m.replyTo())) {
            return this;
          }
          onOverridesSeen(new OverridesSeen(m.entries()));
          m.replyTo().tell(org.apache.pekko.Done.getInstance());
          return this;
        })
        .onMessage(ReloadConfig.class, this::onReloadConfig)
        .onMessage(ReloadRead.class, this::onReloadRead)
        .onMessage(ActivateConfig.class, m -> stranger("a configuration activation", m.replyTo()) ? this
            : onActivateConfig(m))
        .onMessage(CapacityRead.class, this::onCapacityRead)
        .onMessage(MigrateResource.class, m -> stranger("migrate " + m.resourceId(), m.replyTo()) ? this : onMigrate(m))
        .onMessage(AcceptMigration.class, m -> stranger("a migration of " + m.domainName(), m.replyTo()) ? this
            : onAcceptMigration(m))
        .onMessage(AcceptMigrationDone.class, m -> {
          m.replyTo().tell(result(m.resourceId(), "migrate_from", m.failure() == null,
              m.failure() == null ? "arrived" : rootMessage(m.failure())));
          return this;
        })
        .onMessage(IncomingMigration.class, m -> {
          incoming.put(m.resourceId(), new Migration(m.source(), clock.instant()));
          return this;
        })
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  /** Fail counts and history as the journal remembers them; what runs is learnt from the next probe. */
  private void recover(NodeJournal.State state) {
    state.failCounts().forEach((id, fc) -> {
      if (!fc.failures().isEmpty()) {
        failures.put(id, new ArrayDeque<>(fc.failures()));
      }
      if (fc.startFailed()) {
        startFailedFatal.put(id, true);
      }
    });
    operations.addAll(state.operations());
    state.operations().forEach(this::noteFailedOperation);
    fenceHistory.addAll(state.fencing());
    if (!state.failCounts().isEmpty() || !state.operations().isEmpty()) {
      getContext().getLog().info("journal of {} recovered: fail counts {}, {} operations, {} fences", node,
          state.failCounts().keySet(), state.operations().size(), state.fencing().size());
    }
  }

  private void record(NodeJournal.Event event) {
    if (journal != null) {
      journal.tell(new NodeJournal.Record(event));
    }
  }

  /** An operation's result, kept for `xenha history`. */
  private void recordOperation(String id, String operation, boolean ok, String reason) {
    NodeJournal.OperationRecorded op = new NodeJournal.OperationRecorded(id, operation, ok, reason, clock.instant());
    noteFailedOperation(op);
    operations.addLast(op);
    while (operations.size() > config.persistence().historySize()) {
      operations.removeFirst();
    }
    record(op);
  }

  /** The operation that failed last, as status's Failed Resource Actions names it ("monitor: domain vm1 is SHUTOFF"). */
  private void noteFailedOperation(NodeJournal.OperationRecorded op) {
    if (!op.ok()) {
      failedOps.put(op.resource(), op.reason() == null ? op.operation() : op.operation() + ": " + op.reason());
    }
  }

  /** "to n2 in 1.24 s: migrated": where a migration went (or came from) and how long it took, then what happened. */
  private String migrationReason(Migration m, String direction, String outcome) {
    if (m == null) {
      return outcome;
    }
    long ms = Duration.between(m.since(), clock.instant()).toMillis();
    return (m.peer() == null ? "" : direction + " " + m.peer() + " ") + "in " + String.format(java.util.Locale.ROOT,
        "%.2f s", ms / 1000.0) + ": " + outcome;
  }

  /** The fail count of {@code id} changed (a failure, a fatal start failure, or cleared by a new start). */
  private void recordFailCount(String id) {
    Deque<Instant> q = failures.get(id);
    record(new NodeJournal.FailCountChanged(id, q == null ? List.of() : List.copyOf(q), startFailedFatal.containsKey(id)));
  }

  /** A new start here forgets earlier failures (as before persistence); the journal learns it too. */
  private void clearFailures(String id) {
    boolean had = startFailedFatal.remove(id) != null;
    had |= failures.remove(id) != null;
    if (had) {
      recordFailCount(id);
    }
  }

  private Behavior<Command> onHistory(History msg) {
    List<io.xenha.status.HistoryRecord> records = new ArrayList<>();
    operations.forEach(op -> records.add(NodeJournal.toHistory(node, op)));
    fenceHistory.forEach(f -> records.add(NodeJournal.toHistory(f)));
    msg.replyTo().tell(new HistoryReply(node, records));
    return this;
  }

  private Duration askTimeout() {
    return config.cluster().askTimeout();
  }

  private Behavior<Command> onProbe(Probe msg) {
    if (capacity.isEmpty()) {
      // not read yet (or libvirt was not reachable at the agent's start): the Controller's first plan needs it
      readCapacity(msg);
      return this;
    }
    return probeDomains(msg);
  }

  private Behavior<Command> probeDomains(Probe msg) {
    getContext().pipeToSelf(
        hypervisor.activeDomains(askTimeout()), (active, err) -> new ProbeDone(active, err, msg.replyTo()));
    return this;
  }

  /** Asks libvirt's node info for this node's memory and cpus (on the blocking executor, like every libvirt call). */
  private void readCapacity(Probe then) {
    getContext().pipeToSelf(hypervisor.capacity(askTimeout()), (c, err) -> new CapacityRead(c, err, then));
  }

  private Behavior<Command> onCapacityRead(CapacityRead msg) {
    if (msg.failure() != null) {
      getContext().getLog().warn("cannot read the capacity of {}: {}", hypervisor.uri(), rootMessage(msg.failure()));
    } else if (capacity.isEmpty()) {
      // the units of resource utilization: memory in MiB, vcpus
      capacity = Map.of("memory", msg.capacity().memoryMiB(), "vcpus", (long) msg.capacity().cpus());
      getContext().getLog().info("{}: libvirt reports {} MiB memory, {} cpus", node, msg.capacity().memoryMiB(), msg.capacity().cpus());
      report();
    }
    return msg.then() == null ? this : probeDomains(msg.then());
  }

  private Behavior<Command> onProbeDone(ProbeDone msg) {
    if (msg.failure() != null) {
      // Without libvirt's answer we know nothing: say so by not answering; the Controller retries.
      getContext().getLog().error("probe of {} failed: {}", hypervisor.uri(), msg.failure().toString());
      return this;
    }
    for (String domain : msg.active()) {
      String id = domainToResource.get(domain);
      if (id == null) {
        continue; // not ours: libvirt may run domains xenha does not manage
      }
      if (!children.containsKey(id)) {
        states.put(id, "started");
        if (unmanagedHere(id)) {
          detached.add(id);
          getContext().getLog().info("probe: {} ({}) is active here, unmanaged: leaving it alone", id, domain);
        } else {
          getContext().getLog().info("probe: {} ({}) is active here, adopting it", id, domain);
          spawnDomain(id, true);
        }
      }
    }
    for (Map.Entry<String, String> e : domainToResource.entrySet()) {
      String id = e.getValue();
      if (!msg.active().contains(e.getKey()) && !children.containsKey(id) && !states.get(id).equals("failed")
          && !states.get(id).equals("stop-failed")) {
        states.put(id, "stopped");
      }
    }
    if (msg.replyTo().equals(reportTo)) {
      report(); // a probe of our own (a resource managed again): a new report, so the Controller takes it
    } else {
      msg.replyTo().tell(snapshot());
    }
    return this;
  }

  private Behavior<Command> onStart(StartResource msg) {
    ResourceSpec spec = config.resources().get(baseId(msg.resourceId()));
    if (spec == null) {
      msg.replyTo().tell(result(msg.resourceId(), "start", false, "unknown resource"));
      return this;
    }
    if (spec.isStonith()) {
      return startDevice(spec, msg.replyTo());
    }
    if (!spec.isDomain()) {
      return startInstance(spec, msg.replyTo());
    }
    String state = states.get(msg.resourceId());
    if (shuttingDown || !mayStart()) {
      msg.replyTo().tell(result(msg.resourceId(), "start", false, refusal()));
      return this;
    }
    if (children.containsKey(msg.resourceId()) && state.equals("started")) {
      msg.replyTo().tell(result(msg.resourceId(), "start", true, "already started"));
      return this;
    }
    if (state.equals("stop-failed")) {
      msg.replyTo().tell(result(msg.resourceId(), "start", false, "stop failed here earlier: state unknown"));
      return this;
    }
    startWaiters.computeIfAbsent(msg.resourceId(), k -> new ArrayList<>()).add(msg.replyTo());
    // a migration's target start adopts the domU (the DomainActor probes first)
    Migration arrived = incoming.remove(msg.resourceId());
    if (arrived != null) {
      arriving.put(msg.resourceId(), arrived);
    }
    if (!children.containsKey(msg.resourceId())) {
      clearFailures(msg.resourceId());
      setState(msg.resourceId(), "starting", "start");
      spawnDomain(msg.resourceId(), false);
    }
    return this;
  }

  private Behavior<Command> startDevice(ResourceSpec spec, ActorRef<OpResult> replyTo) {
    return startChild(spec, replyTo, devices, "device-", threshold -> FenceDevice.supervised(
        spec, config, node, FenceAgents.forDevice(spec, config), blocking, reportAdapter,
        threshold, config.failureTimeout(spec), settings.minBackoff(), settings.maxBackoff()));
  }

  private Behavior<Command> startInstance(ResourceSpec spec, ActorRef<OpResult> replyTo) {
    return startChild(spec, replyTo, instances, "instance-", threshold -> CloneInstance.supervised(
        spec, config, node, blocking, reportAdapter, attributes(), settings.pinger(),
        threshold, config.failureTimeout(spec), settings.minBackoff(), settings.maxBackoff()));
  }

  /** Starts a fence device or an OCF/built-in instance here: one supervised actor per resource. */
  private <C> Behavior<Command> startChild(ResourceSpec spec, ActorRef<OpResult> replyTo, Map<String, ActorRef<C>> actors,
      String prefix, java.util.function.IntFunction<Behavior<C>> behavior) {
    String id = spec.id();
    if (shuttingDown || !mayStart()) {
      replyTo.tell(result(id, "start", false, refusal()));
      return this;
    }
    if (actors.containsKey(id) && states.get(id).equals("started")) {
      replyTo.tell(result(id, "start", true, "already started"));
      return this;
    }
    if (states.get(id).equals("stop-failed")) {
      replyTo.tell(result(id, "start", false, "stop failed here earlier: state unknown"));
      return this;
    }
    startWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(replyTo);
    // an actor whose start failed is stopping by itself: a new start gets a new actor
    if (!actors.containsKey(id) || startFailedFatal.containsKey(id)) {
      clearFailures(id);
      setState(id, "starting", "start");
      int threshold = config.migrationThreshold(spec);
      ActorRef<C> child = getContext().spawn(behavior.apply(threshold), prefix + id + "-" + (++childCounter));
      getContext().watch(child);
      actors.put(id, child);
      childIds.put(child.unsafeUpcast(), id);
    }
    return this;
  }

  /** "pingd:1" -> "pingd": a clone instance is tracked under its clone's id (one instance per node). */
  private String baseId(String id) {
    int colon = id.lastIndexOf(':');
    if (colon > 0 && !config.resources().containsKey(id) && config.resources().containsKey(id.substring(0, colon))) {
      return id.substring(0, colon);
    }
    return id;
  }

  /**
   * Agents set node attributes through the NodeAgent: it keeps them in its reports (so a start's result already
   * carries the pingd value it set) and passes them on to Distributed Data.
   */
  private ActorRef<io.xenha.attributes.NodeAttributes.Command> attributes() {
    if (attributeAdapter == null) {
      attributeAdapter = getContext().messageAdapter(io.xenha.attributes.NodeAttributes.Command.class, AttributeChanged::new);
    }
    return attributeAdapter;
  }

  private Behavior<Command> onAttributeChanged(AttributeChanged msg) {
    boolean changed;
    if (msg.change() instanceof io.xenha.attributes.NodeAttributes.Set set) {
      changed = !set.value().equals(attributes.put(set.name(), set.value()));
    } else if (msg.change() instanceof io.xenha.attributes.NodeAttributes.Delete delete) {
      changed = attributes.remove(delete.name()) != null;
    } else {
      return this;
    }
    if (settings.attributes() != null) {
      settings.attributes().tell(msg.change());
    }
    if (changed) {
      report();
    }
    return this;
  }

  /** adoptOnly: it was seen running here: adopt it if it still runs, never start it (a start event may be stale). */
  private void spawnDomain(String id, boolean adoptOnly) {
    ResourceSpec spec = config.resources().get(id);
    Behavior<DomainActor.Command> behavior = DomainActor.supervised(
        spec, hypervisor, reportAdapter, config.migrationThreshold(spec), config.failureTimeout(spec),
        settings.minBackoff(), settings.maxBackoff(), adoptOnly);
    ActorRef<DomainActor.Command> child = getContext().spawn(behavior, "domain-" + id + "-" + (++childCounter));
    getContext().watch(child);
    children.put(id, child);
    childIds.put(child.unsafeUpcast(), id);
  }

  private Behavior<Command> onStop(StopResource msg) {
    String id = baseId(msg.resourceId());
    ResourceSpec spec = config.resources().get(id);
    if (spec == null) {
      msg.replyTo().tell(result(id, "stop", false, "unknown resource"));
      return this;
    }
    stopWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(msg.replyTo());
    if (stopWaiters.get(id).size() > 1) {
      return this; // a stop is already under way
    }
    setState(id, "stopping", "stop");
    ActorRef<DomainActor.Command> child = children.get(id);
    if (spec.isStonith()) {
      ActorRef<FenceDevice.Command> device = devices.get(id);
      if (device != null) {
        device.tell(new FenceDevice.Stop(reportAdapter));
      } else {
        setState(id, "stopped", "stop");
        replyStop(id, true, "not running here");
      }
    } else if (!spec.isDomain()) {
      ActorRef<CloneInstance.Command> instance = instances.get(id);
      if (instance != null) {
        instance.tell(new CloneInstance.Stop(reportAdapter));
      } else {
        setState(id, "stopped", "stop");
        replyStop(id, true, "not running here");
      }
    } else if (child != null) {
      child.tell(new DomainActor.Stop(reportAdapter));
    } else {
      // no actor (failed here, or never adopted): stop it in libvirt directly
      getContext().pipeToSelf(
          hypervisor.stop(spec.domainName(), spec.ops().stopTimeout()), (ok, err) -> new DirectStopDone(id, err));
    }
    return this;
  }

  private Behavior<Command> onMigrate(MigrateResource msg) {
    String id = msg.resourceId();
    ResourceSpec spec = config.resources().get(id);
    XenhaConfig.NodeSpec target = config.nodes().get(msg.targetNode());
    ActorRef<DomainActor.Command> child = children.get(id);
    if (spec == null || !spec.isDomain() || target == null) {
      msg.replyTo().tell(result(id, "migrate_to", false, "unknown domain or node"));
      return this;
    }
    if (child == null || !states.get(id).equals("started") && !states.get(id).equals("migrating")) {
      msg.replyTo().tell(result(id, "migrate_to", false, "not running here (" + states.get(id) + ")"));
      return this;
    }
    migrateWaiters.computeIfAbsent(id, k -> new ArrayList<>()).add(msg.replyTo());
    if (migrateWaiters.get(id).size() == 1) {
      leaving.put(id, new Migration(msg.targetNode(), clock.instant()));
      setState(id, "migrating", "migrate_to");
      String targetUri = Hypervisors.migrationUri(target.hypervisor(), target.host());
      if (msg.targetAgent() != null) {
        testMigrationPeer(targetUri, msg.targetAgent());
      }
      child.tell(new DomainActor.Migrate(targetUri, reportAdapter));
    }
    return this;
  }

  /** Lets an emulated test-driver migration reach a target served by another process through its agent. */
  private void testMigrationPeer(String targetUri, ActorRef<Command> targetAgent) {
    if (hypervisor instanceof LibvirtHypervisor libvirt && libvirt.needsTestMigrationPeer(targetUri)) {
      Scheduler scheduler = getContext().getSystem().scheduler();
      LibvirtHypervisor.testMigrationPeer(targetUri, (name, xml, timeout) ->
          AskPattern.<Command, OpResult>ask(targetAgent, replyTo -> new AcceptMigration(name, xml, replyTo), timeout, scheduler)
              .thenCompose(r -> r.ok()
                  ? CompletableFuture.<Void>completedFuture(null)
                  : CompletableFuture.<Void>failedFuture(new IllegalStateException(r.reason()))));
    }
  }

  private Behavior<Command> onAcceptMigration(AcceptMigration msg) {
    String id = domainToResource.get(msg.domainName());
    ResourceSpec spec = id == null ? null : config.resources().get(id);
    if (!(hypervisor instanceof LibvirtHypervisor libvirt && libvirt.isTestDriver())) {
      // a real hypervisor migrates by itself: never define a domain here on a peer's word
      msg.replyTo().tell(result(id, "migrate_from", false, "only libvirt's test driver has its migrations emulated"));
      return this;
    }
    if (spec == null || shuttingDown || !mayStart()) {
      msg.replyTo().tell(result(id, "migrate_from", false,
          spec == null ? "no domain " + msg.domainName() + " here" : refusal()));
      return this;
    }
    incoming.putIfAbsent(id, new Migration(null, clock.instant())); // its start event is the migration's, adopted
    getContext().pipeToSelf(hypervisor.start(msg.domainName(), msg.xml(), spec.ops().startTimeout()),
        (ok, err) -> new AcceptMigrationDone(id, err, msg.replyTo()));
    return this;
  }

  private void replyMigrate(String id, boolean ok, String reason) {
    List<ActorRef<OpResult>> waiters = migrateWaiters.remove(id);
    if (waiters != null) {
      OpResult r = result(id, "migrate_to", ok, reason);
      waiters.forEach(w -> w.tell(r));
    }
  }

  private Behavior<Command> onDirectStopDone(DirectStopDone msg) {
    if (msg.failure() == null) {
      recordOperation(msg.resourceId(), "stop", true, "stopped");
      setState(msg.resourceId(), "stopped", "stop");
      replyStop(msg.resourceId(), true, "stopped");
    } else {
      recordOperation(msg.resourceId(), "stop", false, msg.failure().toString());
      setState(msg.resourceId(), "stop-failed", "stop");
      replyStop(msg.resourceId(), false, msg.failure().toString());
    }
    return this;
  }

  private Behavior<Command> onDomainReport(DomainReport msg) {
    DomainActor.Report r = msg.report();
    String id = r.resourceId();
    if (r instanceof DomainActor.Started s) {
      Migration arrived = arriving.remove(id);
      if (s.adopted() && arrived != null) {
        recordOperation(id, "migrate_from", true, migrationReason(arrived, "from", "arrived"));
      } else {
        recordOperation(id, s.adopted() ? "probe" : "start", true, s.adopted() ? "already running" : "started");
      }
      setState(id, "started", s.adopted() ? "probe" : "start");
      replyStart(id, true, s.adopted() ? "already running" : "started");
    } else if (r instanceof DomainActor.StartFailed f) {
      // Pacemaker's start-failure-is-fatal: no retry here, the Controller bans the node and moves the resource
      // A start that failed or timed out may have left the domU half up: destroy it before calling it failed,
      // so that the Controller never starts it elsewhere while it might still run here.
      startFailedFatal.put(id, true);
      lastFailure.put(id, clock.instant());
      recordFailCount(id);
      recordOperation(id, "start", false, f.reason());
      getContext().getLog().warn("{}: start failed on {}: {}", id, node, f.reason());
      if (!config.resources().get(id).isDomain()) {
        setState(id, "failed", "start"); // the agent's own start failed: (a later stop is the agent's business)
      } else {
        cleanup(id, "start");
      }
      replyStart(id, false, f.reason());
    } else if (r instanceof DomainActor.MonitorFailed f) {
      Deque<Instant> q = failures.computeIfAbsent(id, k -> new ArrayDeque<>());
      q.addLast(clock.instant());
      lastFailure.put(id, clock.instant());
      recordFailCount(id);
      recordOperation(id, "monitor", false, f.reason());
      getContext().getLog().warn("{}: monitor failed on {} (failure {}): {}; recovering in place", id, node, q.size(), f.reason());
      setState(id, "starting", "monitor");
    } else if (r instanceof DomainActor.Gone g) {
      // seen running, gone by the time its actor looked: nothing ran here that needs stopping or reporting as a failure
      arriving.remove(id);
      setState(id, "stopped", "probe");
      replyStop(id, true, "not running here");
    } else if (r instanceof DomainActor.Stopped) {
      recordOperation(id, "stop", true, "stopped");
      setState(id, "stopped", "stop");
      replyStop(id, true, "stopped");
    } else if (r instanceof DomainActor.Migrated) {
      // the domU is the target's now: forgotten here without a stop (a stop asked meanwhile has nothing left to do)
      recordOperation(id, "migrate_to", true, migrationReason(leaving.remove(id), "to", "migrated"));
      setState(id, "stopped", "migrate_to");
      replyMigrate(id, true, "migrated");
      replyStop(id, true, "migrated away");
    } else if (r instanceof DomainActor.MigrateFailed f) {
      // Pacemaker: a failed migrate_to is a failure of the resource on the source
      failures.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(clock.instant());
      lastFailure.put(id, clock.instant());
      recordOperation(id, "migrate_to", false, migrationReason(leaving.remove(id), "to", f.reason()
          + (f.stillHere() ? " (still running here)" : " (no longer here)")));
      getContext().getLog().warn("{}: migration from {} failed ({}): {}", id, node,
          f.stillHere() ? "still running here" : "no longer here", f.reason());
      setState(id, f.stillHere() ? "started" : "stopped", "migrate_to");
      replyMigrate(id, false, f.reason());
      if (!f.stillHere()) {
        replyStop(id, true, "no longer here");
      }
    } else if (r instanceof DomainActor.StopFailed f) {
      recordOperation(id, "stop", false, f.reason());
      setState(id, "stop-failed", "stop");
      getContext().getLog().error("{}: stop failed on {}: {}", id, node, f.reason());
      replyStop(id, false, f.reason());
    }
    return this;
  }

  /** Members carry their node name as a role ("xenha-node:NAME"); see XenhaNode. */
  private Behavior<Command> onMemberChanged(MemberChanged msg) {
    view.apply(msg.event());
    checkQuorum();
    org.apache.pekko.cluster.Member m = msg.event().member();
    String name = null;
    for (String role : m.getRoles()) {
      if (role.startsWith(NODE_ROLE_PREFIX)) {
        name = role.substring(NODE_ROLE_PREFIX.length());
      }
    }
    if (name == null || name.equals(node)) {
      return this;
    }
    String before = membership.get(name);
    String now = before;
    if (msg.event() instanceof org.apache.pekko.cluster.ClusterEvent.MemberLeft
        || msg.event() instanceof org.apache.pekko.cluster.ClusterEvent.MemberExited) {
      leavingMembers.add(m.uniqueAddress());
    } else if (msg.event() instanceof org.apache.pekko.cluster.ClusterEvent.MemberUp) {
      now = "member";
    } else if (msg.event() instanceof org.apache.pekko.cluster.ClusterEvent.MemberRemoved r) {
      // An agent leaves only once nothing it manages runs (it drains first): a member seen leaving is a clean leave
      // even when it is removed as Down (it shut down before the removal reached everyone, and became unreachable).
      // Taken for "lost", a new Controller once fenced a node that had just restarted cleanly.
      boolean announced = leavingMembers.remove(m.uniqueAddress());
      now = announced || r.previousStatus() == org.apache.pekko.cluster.MemberStatus.exiting()
          || r.previousStatus() == org.apache.pekko.cluster.MemberStatus.leaving() ? "left" : "lost";
    }
    if (now != null && !now.equals(before)) {
      membership.put(name, now);
      report();
    }
    return this;
  }

  private Behavior<Command> onStopAll(StopAll msg) {
    if (!shuttingDown) {
      shuttingDown = true;
      getContext().getLog().info("{} shutting down: stopping every domU here", node);
      report();
    }
    stopAllWaiters.add(msg.replyTo());
    stopEverything();
    return this;
  }

  /** Stops every domU here, then (as orders stop in reverse) the clone instances they may depend on. */
  private void stopEverything() {
    stoppingAll = true;
    for (String id : new ArrayList<>(children.keySet())) {
      if (!stopWaiters.containsKey(id)) {
        stopWaiters.put(id, new ArrayList<>());
        setState(id, "stopping", "stop");
        children.get(id).tell(new DomainActor.Stop(reportAdapter));
      }
    }
    checkStopAll();
  }

  private void checkStopAll() {
    if (stoppingAll && children.isEmpty() && !instances.isEmpty()) {
      // the domUs are down: now what they depend on (configpool, evms, pingd), as orders stop in reverse
      for (String id : new ArrayList<>(instances.keySet())) {
        if (!stopWaiters.containsKey(id)) {
          stopWaiters.put(id, new ArrayList<>());
          setState(id, "stopping", "stop");
          instances.get(id).tell(new CloneInstance.Stop(reportAdapter));
        }
      }
      return;
    }
    if (shuttingDown && children.isEmpty() && !stopAllWaiters.isEmpty()) {
      List<ActorRef<org.apache.pekko.Done>> waiters = List.copyOf(stopAllWaiters);
      stopAllWaiters.clear();
      if (journal == null) {
        waiters.forEach(w -> w.tell(org.apache.pekko.Done.getInstance()));
        return;
      }
      // the journal answers after every earlier write is done: the stops are on record before the agent goes
      getContext().ask(NodeJournal.State.class, journal, askTimeout(), NodeJournal.Recall::new,
          (state, err) -> new JournalFlushed(waiters));
    }
  }

  private Behavior<Command> onDrain(Drain msg) {
    if (!shuttingDown) {
      shuttingDown = true;
      getContext().getLog().info("{} is leaving: moving every resource away before it stops (standby)", node);
      report();
    }
    drainWaiters.add(msg.replyTo());
    checkDrained();
    return this;
  }

  /** Answers the drain once nothing xenha manages is active here (unmanaged domUs stay, as at any stop). */
  private void checkDrained() {
    if (drainWaiters.isEmpty()) {
      return;
    }
    for (Map.Entry<String, String> e : states.entrySet()) {
      if (!e.getValue().equals("stopped") && !e.getValue().equals("failed") && !unmanagedHere(e.getKey())) {
        return;
      }
    }
    getContext().getLog().info("{} is drained: nothing xenha manages runs here any more", node);
    drainWaiters.forEach(w -> w.tell(true));
    drainWaiters.clear();
  }

  /**
   * Whether a command must be dropped because it does not come from this cluster: its replyTo lives neither in this
   * process nor on a member (a bare Pekko system that looked the agent up). Logged once per sender.
   */
  private boolean stranger(String what, ActorRef<?> replyTo) {
    org.apache.pekko.actor.Address a = replyTo.path().address();
    if (!a.hasGlobalScope() || !clustered) {
      return false;
    }
    for (org.apache.pekko.cluster.Member m : view.members()) {
      if (m.address().equals(a) && m.status() != org.apache.pekko.cluster.MemberStatus.removed()) {
        return false;
      }
    }
    for (org.apache.pekko.cluster.Member m
        : org.apache.pekko.cluster.typed.Cluster.get(getContext().getSystem()).state().getMembers()) {
      if (m.address().equals(a)) {
        return false;
      }
    }
    if (refusedSenders.add(a.toString())) {
      getContext().getLog().warn("{}: refused {} from {}: not a member of this cluster (logged once per sender)", node,
          what, a);
    }
    return true;
  }

  /** Whether starts are allowed here: never without quorum unless no-quorum-policy=ignore. */
  private boolean mayStart() {
    return io.xenha.membership.PartitionPolicy.mayStartHere(quorum, config.properties().noQuorumPolicy());
  }

  private String refusal() {
    return shuttingDown ? node + " is shutting down"
        : node + "'s partition has no quorum (" + quorum.describe() + "): no-quorum-policy="
            + config.properties().noQuorumPolicy();
  }

  /**
   * This node's view of its partition's quorum, after every membership or reachability change. Losing it, the
   * node applies no-quorum-policy to what runs here at once (stop: everything is stopped, freeze: left running;
   * starts are refused either way); the partition with quorum, if any, fences this node and recovers its resources.
   */
  private Behavior<Command> checkQuorum() {
    io.xenha.membership.Quorum now = view.quorum(votes);
    boolean was = quorum.quorate();
    quorum = now;
    if (now.quorate() && !was) {
      everQuorate = true;
      if (stoppingAll && !shuttingDown) {
        stoppingAll = false;
      }
      getContext().getLog().info("{}: partition with quorum ({})", node, now.describe());
    } else if (!now.quorate() && was && shuttingDown) {
      getContext().getLog().info("{} is leaving the cluster ({} left)", node, now.describe());
    } else if (!now.quorate() && was && everQuorate) {
      String policy = config.properties().noQuorumPolicy();
      switch (io.xenha.membership.PartitionPolicy.onQuorumLoss(policy)) {
        case STOP_ALL -> {
          getContext().getLog().error("{}: partition WITHOUT quorum ({}, {} needed): stopping every resource here "
              + "(no-quorum-policy=stop)", node, now.describe(), now.needed());
          stopEverything();
        }
        case FREEZE -> getContext().getLog().error("{}: partition WITHOUT quorum ({}, {} needed): leaving what runs "
            + "here alone and starting nothing (no-quorum-policy=freeze)", node, now.describe(), now.needed());
        case CARRY_ON -> getContext().getLog().warn("{}: partition WITHOUT quorum ({}); no-quorum-policy=ignore: "
            + "carrying on", node, now.describe());
      }
    }
    return this;
  }

  private Behavior<Command> onTerminated(Terminated t) {
    String id = childIds.remove(t.getRef());
    if (id == null) {
      return this;
    }
    String kind;
    if (t.getRef().equals(instances.get(id))) {
      instances.remove(id);
      kind = "instance";
    } else if (t.getRef().equals(devices.get(id))) {
      devices.remove(id);
      kind = "device";
    } else if (t.getRef().equals(children.get(id))) {
      children.remove(id);
      kind = "domain";
    } else {
      return this; // an earlier actor of a resource that has a new one by now
    }
    checkStopAll();
    if ("stopping".equals(states.get(id))) {
      // A child asked to stop reports, then ends; its end (a system message) overtakes that report, which is
      // already queued here. Look again behind it: only a stop that is still unanswered then is a child that gave
      // up (this once logged "restarts exhausted ... reporting it failed" for domUs stopped on purpose).
      getContext().getSelf().tell(new EndedWhileStopping(id, kind));
      return this;
    }
    return ended(id, kind);
  }

  private Behavior<Command> onEndedWhileStopping(EndedWhileStopping msg) {
    String id = msg.resourceId();
    boolean successor = switch (msg.kind()) {
      case "instance" -> instances.containsKey(id);
      case "device" -> devices.containsKey(id);
      default -> children.containsKey(id);
    };
    if (successor || !"stopping".equals(states.get(id))) {
      return this; // its report arrived (or a new actor took over): a deliberate stop, nothing failed
    }
    return ended(id, msg.kind());
  }

  /** A child has ended without its stop being reported: supervision gave up on it. */
  private Behavior<Command> ended(String id, String kind) {
    String state = states.get(id);
    if (kind.equals("instance") || kind.equals("device")) {
      boolean device = kind.equals("device");
      if (!state.equals("stopped") && !(!device && state.equals("stop-failed")) && !startFailedFatal.containsKey(id)) {
        // the monitor kept failing: it is failed here, the Controller moves it
        getContext().getLog().error(device ? "fence device {}: restarts exhausted on {}, reporting it failed"
            : "{}: restarts exhausted on {}, reporting it failed", id, node);
        recordOperation(id, "monitor", false, "restarts exhausted (migration-threshold reached)");
        setState(id, "failed", "monitor");
        replyStart(id, false, "restarts exhausted");
      } else if (startFailedFatal.containsKey(id)) {
        setState(id, "failed", "start");
      }
      return this;
    }
    if (state.equals("stopped") || state.equals("stop-failed") || startFailedFatal.containsKey(id)) {
      return this;
    }
    // Supervision gave up: migration-threshold failures within failure-timeout. Make sure it is down here,
    // then report it failed so the Controller bans this node for it and moves it.
    getContext().getLog().error("{}: restarts exhausted on {} ({} failures), reporting it failed", id, node, failCount(id));
    recordOperation(id, "monitor", false, "restarts exhausted after " + failCount(id) + " failures (migration-threshold)");
    cleanup(id, "monitor");
    replyStart(id, false, "restarts exhausted");
    return this;
  }

  @SuppressWarnings("unchecked")
  private static void subscribeOverrides(ActorContext<Command> ctx) {
    Class<Replicator.SubscribeResponse<LWWMap<String, String>>> type =
        (Class<Replicator.SubscribeResponse<LWWMap<String, String>>>) (Class<?>) Replicator.SubscribeResponse.class;
    ActorRef<Replicator.SubscribeResponse<LWWMap<String, String>>> adapter = ctx.messageAdapter(type,
        rsp -> rsp instanceof Replicator.Changed<LWWMap<String, String>> changed
            ? new OverridesSeen(changed.get(io.xenha.controller.Controller.OVERRIDES).getEntries())
            : new OverridesSeen(null));
    DistributedData.get(ctx.getSystem()).replicator().tell(
        new Replicator.Subscribe<>(io.xenha.controller.Controller.OVERRIDES, adapter));
  }

  private Behavior<Command> onReloadConfig(ReloadConfig msg) {
    if (config.source() == null) {
      msg.replyTo().tell(new ConfigLoaded(node, false, null, List.of(node + " runs without a configuration file")));
      return this;
    }
    // reading and checking the file (domain XMLs, OCF agents) is file I/O: not on this actor's dispatcher
    getContext().pipeToSelf(
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> io.xenha.config.ConfigLoader.load(config.source(), java.util.Optional.of(node)), blocking),
        (result, err) -> new ReloadRead(result, err, msg.replyTo()));
    return this;
  }

  private Behavior<Command> onReloadRead(ReloadRead msg) {
    if (msg.failure() != null) {
      msg.replyTo().tell(new ConfigLoaded(node, false, null, List.of(node + ": " + msg.failure())));
      return this;
    }
    List<String> problems = msg.result().problems().stream().map(io.xenha.config.Problem::format).toList();
    if (!msg.result().ok() || msg.result().config().isEmpty()) {
      reloaded = null;
      msg.replyTo().tell(new ConfigLoaded(node, false, null, problems));
      return this;
    }
    reloaded = msg.result().config().get();
    msg.replyTo().tell(new ConfigLoaded(node, true, reloaded.checksum(), problems));
    return this;
  }

  /**
   * Runs with the re-read configuration. Resources keep running: new ones count as stopped until they are started,
   * changed ones take their new settings at their next start, removed ones were stopped (the Controller refuses to
   * remove a running resource).
   */
  private Behavior<Command> onActivateConfig(ActivateConfig msg) {
    if (reloaded != null && reloaded.checksum().equals(msg.checksum()) && !reloaded.checksum().equals(config.checksum())) {
      XenhaConfig next = reloaded;
      reloaded = null;
      getContext().getLog().info("{}: running with the reloaded configuration ({})", node, next.checksum().substring(0, 12));
      config = next;
      domainToResource.values().removeIf(id -> !next.resources().containsKey(id));
      for (ResourceSpec r : next.resources().values()) {
        if (r.isDomain()) {
          domainToResource.put(r.domainName(), r.id());
        }
        states.putIfAbsent(r.id(), "stopped");
      }
      states.keySet().removeIf(id -> !next.resources().containsKey(id) && !children.containsKey(id));
      settings.activated().accept(next);
      report();
    }
    msg.replyTo().tell(new ConfigLoaded(node, true, config.checksum(), List.of()));
    return this;
  }

  private Behavior<Command> onClearFailures(ClearFailures msg) {
    String id = msg.resourceId();
    if (!states.containsKey(id)) {
      return this;
    }
    getContext().getLog().info("{}: failures cleared on {} (cleanup)", id, node);
    clearFailures(id);
    lastFailure.remove(id);
    failedOps.remove(id);
    recordOperation(id, "cleanup", true, "xenha resource cleanup");
    if (states.get(id).equals("failed")) {
      setState(id, "stopped", "cleanup"); // a failed domU was destroyed when it was given up on
    } else {
      report();
    }
    return this;
  }

  /**
   * Whether xenha leaves {@code id} alone on this node: cluster-wide maintenance-mode, this node in maintenance,
   * or the resource unmanaged. Such a domU is neither monitored nor recovered, and not stopped when the agent
   * shuts down: it keeps running while xenha is upgraded.
   */
  private boolean unmanagedHere(String id) {
    ResourceSpec spec = config.resources().get(id);
    if (spec == null) {
      return false;
    }
    Boolean managed = overrides.managed(id);
    Boolean maintenance = overrides.maintenanceMode();
    return !(managed != null ? managed : spec.managed())
        || (maintenance != null ? maintenance : config.properties().maintenanceMode())
        || overrides.nodeMaintenance(node);
  }

  private Behavior<Command> onOverridesSeen(OverridesSeen msg) {
    if (msg.entries() == null) {
      return this;
    }
    io.xenha.config.Overrides seen = io.xenha.config.Overrides.decode(msg.entries());
    if (seen.equals(overrides) || seen.revision() < overrides.revision()) {
      // the same, or a late notification of an older set (the Controller's ApplyOverrides came first): going back
      // to it could manage again a domU put in maintenance, which a stop of this agent would then stop
      return this;
    }
    overrides = seen;
    boolean probe = false;
    for (String id : domainToResource.values()) {
      ActorRef<DomainActor.Command> child = children.get(id);
      if (child != null && unmanagedHere(id) && !stopWaiters.containsKey(id)) {
        // forget the actor, not the domU: removed first, so its Terminated is not taken for a failure; the probe
        // then records what libvirt says (a recovery in progress leaves no stale "starting")
        getContext().getLog().info("{} is unmanaged on {} now: no longer monitoring it", id, node);
        children.remove(id);
        getContext().stop(child);
        replyStart(id, false, "unmanaged");
        detached.add(id);
        probe = true;
      } else if (child == null && !unmanagedHere(id) && detached.remove(id)) {
        probe = true; // managed again: the probe adopts it if it still runs
      }
    }
    if (probe) {
      getContext().getSelf().tell(new Probe(reportTo));
    }
    return this;
  }

  /** Destroys a domU given up on here; it counts as possibly active ("stopping") until libvirt confirms. */
  private void cleanup(String id, String operation) {
    setState(id, "stopping", operation);
    ResourceSpec spec = config.resources().get(id);
    getContext().pipeToSelf(
        hypervisor.destroy(spec.domainName(), spec.ops().stopTimeout()), (ok, err) -> new CleanupDone(id, err));
  }

  private Behavior<Command> onCleanupDone(CleanupDone msg) {
    if (msg.failure() != null) {
      getContext().getLog().error("{}: could not destroy failed domain: {}", msg.resourceId(), msg.failure().toString());
      recordOperation(msg.resourceId(), "stop", false, "could not destroy it after its failure: " + msg.failure());
      setState(msg.resourceId(), "stop-failed", "stop");
    } else {
      recordOperation(msg.resourceId(), "stop", true, "destroyed after its failure");
      setState(msg.resourceId(), "failed", lastOps.get(msg.resourceId()));
    }
    // a stop asked while its actor was giving up (restarts exhausted) went to an actor that is gone: answer it here
    replyStop(msg.resourceId(), msg.failure() == null, msg.failure() == null ? "destroyed" : msg.failure().toString());
    return this;
  }

  private Behavior<Command> onHypervisorEvent(HypervisorEvent msg) {
    String id = domainToResource.get(msg.event().domain());
    ActorRef<DomainActor.Command> child = id == null ? null : children.get(id);
    if (child != null) {
      child.tell(new DomainActor.LifecycleEvent(msg.event()));
    } else if (id != null && msg.event().type().equals("STARTED") && !stopWaiters.containsKey(id)) {
      // Started behind xenha's back (virsh start, xm create): it runs here now, so monitor it and report it;
      // if it also runs elsewhere the Controller stops all but one.
      Migration arrived = incoming.remove(id);
      boolean migrated = arrived != null;
      states.put(id, "started");
      if (unmanagedHere(id)) {
        getContext().getLog().info("{} ({}) was started outside xenha on {}: unmanaged, leaving it alone", id, msg.event().domain(), node);
        detached.add(id);
      } else {
        if (migrated) {
          getContext().getLog().info("{} ({}) arrived here by live migration: adopting it", id, msg.event().domain());
          recordOperation(id, "migrate_from", true, migrationReason(arrived, "from", "arrived"));
        } else {
          getContext().getLog().warn("{} ({}) was started outside xenha on {}: adopting it", id, msg.event().domain(), node);
        }
        spawnDomain(id, true);
      }
      setState(id, "started", "probe");
    }
    return this;
  }

  private Behavior<Command> onFence(FenceNode msg) {
    String at = Instant.now(clock).toString();
    if (msg.target().equals(node)) {
      msg.replyTo().tell(new FenceResult(msg.target(), msg.deviceId(), node, msg.action(), false, "a node never fences itself", at));
      return this;
    }
    ResourceSpec device = config.resources().get(msg.deviceId());
    XenhaConfig.NodeSpec target = config.nodes().get(msg.target());
    if (device == null || !device.isStonith() || target == null) {
      msg.replyTo().tell(new FenceResult(msg.target(), msg.deviceId(), node, msg.action(), false, "unknown device or node", at));
      return this;
    }
    String superseded = supersededBy(msg.target(), msg.memberUid());
    if (superseded != null) {
      getContext().getSelf().tell(new FenceDone(new FenceResult(msg.target(), msg.deviceId(), node, msg.action(), false,
          "not carried out: " + superseded, at, true), msg.replyTo()));
      return this;
    }
    ActorRef<FenceDevice.Command> hosted = devices.get(msg.deviceId());
    if (hosted != null) {
      // an ask per fence, so that each answer goes to its own requester. (It was a message adapter, which is one per
      // message class: a second fence in flight replaced the first's, and the first target's result answered the
      // second request, as if that node had been fenced: found by the fault-injection lab, two nodes lost at once.)
      Duration timeout = FenceAgents.fenceTimeout(device, config).plus(askTimeout());
      getContext().ask(FenceResult.class, hosted, timeout,
          replyTo -> new FenceDevice.Fence(msg.target(), msg.action(), replyTo),
          (r, err) -> new FenceDone(err == null ? r : new FenceResult(msg.target(), msg.deviceId(), node, msg.action(),
              false, "no answer from device " + msg.deviceId() + " within " + timeout.toSeconds() + " s",
              Instant.now(clock).toString()), msg.replyTo()));
      return this;
    }
    // not hosted here: any node but the target may use a device (Pacemaker does the same)
    FenceAgent agent = FenceAgents.forDevice(device, config);
    Duration timeout = FenceAgents.fenceTimeout(device, config);
    CompletableFuture<FenceAgent.Outcome> outcome = CompletableFuture.supplyAsync(() -> {
      try {
        return agent.execute(msg.action(), msg.target(), timeout);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, blocking);
    getContext().pipeToSelf(outcome, (o, err) -> new FenceDone(
        new FenceResult(msg.target(), msg.deviceId(), node, msg.action(), err == null && o.ok(),
            err == null ? o.summary() : rootMessage(err), Instant.now(clock).toString()),
        msg.replyTo()));
    return this;
  }

  /**
   * Why a fence decided against incarnation {@code uid} of {@code target} must not be carried out: this node sees the
   * target run a newer incarnation (its agent restarted; the one the fence was for is gone, and a node's address and
   * certificate are its own, so the new one is not a second process beside the old). Null: go on.
   */
  private String supersededBy(String target, long uid) {
    if (uid == 0 || !clustered) {
      return null;
    }
    for (org.apache.pekko.cluster.Member m
        : org.apache.pekko.cluster.typed.Cluster.get(getContext().getSystem()).state().getMembers()) {
      boolean running = m.status() == org.apache.pekko.cluster.MemberStatus.joining()
          || m.status() == org.apache.pekko.cluster.MemberStatus.weaklyUp()
          || m.status() == org.apache.pekko.cluster.MemberStatus.up();
      if (running && m.uniqueAddress().longUid() != uid && m.getRoles().contains(NODE_ROLE_PREFIX + target)) {
        return target + " runs a new incarnation (" + m.address() + ", " + m.status() + "); the one this fence was "
            + "decided against is gone";
      }
    }
    return null;
  }

  private Behavior<Command> onFenceDone(FenceDone msg) {
    FenceResult r = msg.result();
    fenceHistory.addLast(r);
    while (fenceHistory.size() > config.persistence().historySize()) {
      fenceHistory.removeFirst();
    }
    record(new NodeJournal.FenceRecorded(r));
    if (r.ok()) {
      getContext().getLog().warn("fenced {} with {}: {}", r.target(), r.device(), r.reason());
    } else if (r.superseded()) {
      getContext().getLog().warn("fence of {} with {} {}", r.target(), r.device(), r.reason());
    } else {
      getContext().getLog().error("FENCING OF {} WITH {} FAILED: {}", r.target(), r.device(), r.reason());
    }
    msg.replyTo().tell(r);
    return this;
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  private int failCount(String id) {
    if (startFailedFatal.containsKey(id)) {
      return io.xenha.config.Score.INFINITY;
    }
    Deque<Instant> q = failures.get(id);
    if (q == null) {
      return 0;
    }
    ResourceSpec spec = config.resourceOf(id);
    Duration window = spec == null ? config.properties().failureTimeout() : config.failureTimeout(spec);
    if (!window.isZero()) {
      Instant cutoff = clock.instant().minus(window);
      while (!q.isEmpty() && q.peekFirst().isBefore(cutoff)) {
        q.removeFirst();
      }
    }
    return q.size();
  }

  private void setState(String id, String state, String operation) {
    states.put(id, state);
    lastOps.put(id, operation);
    report();
  }

  /** Tells the Controller this node's whole state, as a new report. */
  private void report() {
    seq++;
    reportTo.tell(snapshot());
    checkDrained();
  }

  private NodeReport snapshot() {
    Map<String, NodeReport.LocalResource> resources = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : states.entrySet()) {
      Instant failed = lastFailure.get(e.getKey());
      int fails = failCount(e.getKey());
      resources.put(e.getKey(), new NodeReport.LocalResource(e.getValue(), fails, lastOps.get(e.getKey()),
          failed == null ? 0 : failed.getEpochSecond(), fails > 0 ? failedOps.get(e.getKey()) : null));
    }
    return new NodeReport(node, address, getContext().getSelf(), incarnation, seq, shuttingDown, resources, Map.copyOf(membership),
        Map.copyOf(attributes), capacity, config.checksum(), io.xenha.agent.StateProblems.get(getContext().getSystem()).list());
  }

  private OpResult result(String id, String op, boolean ok, String reason) {
    return new OpResult(node, id, op, ok, reason, snapshot());
  }

  private void replyStart(String id, boolean ok, String reason) {
    List<ActorRef<OpResult>> waiters = startWaiters.remove(id);
    if (waiters != null) {
      OpResult r = result(id, "start", ok, reason);
      waiters.forEach(w -> w.tell(r));
    }
  }

  private void replyStop(String id, boolean ok, String reason) {
    List<ActorRef<OpResult>> waiters = stopWaiters.remove(id);
    if (waiters != null) {
      OpResult r = result(id, "stop", ok, reason);
      waiters.forEach(w -> w.tell(r));
    }
  }
}
