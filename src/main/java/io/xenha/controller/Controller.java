package io.xenha.controller;

import io.xenha.CborSerializable;
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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
      permits NodeReported, GetStatus, Stop, AgentsListed, MembershipChanged, LifecycleRead, LifecycleWritten,
          Probed, ProbeTimeout, Settle, ActionDone, RunnerFinished, Replan {}

  /** A NodeAgent's report (sent through the singleton proxy by every node). */
  public record NodeReported(NodeReport report) implements Command, CborSerializable {}

  public record GetStatus(ActorRef<ClusterStatus> replyTo) implements Command, CborSerializable {}

  /** Hand-over: the singleton manager sends this before moving the Controller. */
  public record Stop() implements Command, CborSerializable {}

  private record AgentsListed(Receptionist.Listing listing) implements Command {}

  private record MembershipChanged(Object event) implements Command {}

  private record LifecycleRead(Map<String, String> lifecycle) implements Command {}

  private record LifecycleWritten(String node, String value, boolean ok) implements Command {}

  private record Probed(NodeReport report) implements Command {}

  private record ProbeTimeout(String address) implements Command {}

  private record Settle() implements Command {}

  private record ActionDone(TransitionRunner.ActionFinished finished) implements Command {}

  private record RunnerFinished(TransitionRunner.Finished finished) implements Command {}

  private record Replan() implements Command {}

  static final LWWMapKey<String, String> LIFECYCLE = new LWWMapKey<>("xenha-node-lifecycle");

  private enum Phase { STARTING, ACTIVE }

  private final XenhaConfig config;
  private final String selfNode;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, String>> replicator;
  private final SelfUniqueAddress selfUniqueAddress;
  private final Instant startedAt;

  private Phase phase = Phase.STARTING;
  private Map<String, String> lifecycle = null; // null until read
  private final Set<ActorRef<NodeAgent.Command>> listedAgents = new HashSet<>();
  private final Map<String, NodeReport> reports = new TreeMap<>();
  private final Map<String, String> addressToNode = new HashMap<>();
  private final Set<String> upAddresses = new HashSet<>();
  private final Set<String> unreachableAddresses = new HashSet<>();
  private final Set<String> unclean = new LinkedHashSet<>();
  private final Set<String> offline = new HashSet<>();
  private final Map<String, Long> fencedIncarnation = new HashMap<>();
  private final Set<String> probed = new HashSet<>();
  private final List<ClusterStatus.FencingRecord> fencing = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private ActorRef<TransitionRunner.Command> runner;
  private boolean dirty;
  private int fenceFailures;
  private Transition lastTransition;

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
    timers.startTimerWithFixedDelay("settle", new Settle(), Duration.ofMillis(500));
    timers.startTimerWithFixedDelay("replan", new Replan(), Duration.ofSeconds(10));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(NodeReported.class, m -> onReport(m.report(), false))
        .onMessage(Probed.class, m -> onReport(m.report(), true))
        .onMessage(ProbeTimeout.class, this::onProbeTimeout)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(AgentsListed.class, this::onAgentsListed)
        .onMessage(MembershipChanged.class, this::onMembership)
        .onMessage(LifecycleRead.class, this::onLifecycleRead)
        .onMessage(LifecycleWritten.class, m -> this)
        .onMessage(Settle.class, this::onSettle)
        .onMessage(ActionDone.class, this::onActionDone)
        .onMessage(RunnerFinished.class, this::onRunnerFinished)
        .onMessage(Replan.class, m -> replan())
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .build();
  }

  // ---- learning the facts ------------------------------------------------------------------------------

  private Behavior<Command> onLifecycleRead(LifecycleRead msg) {
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
    listedAgents.retainAll(now);
    return this;
  }

  private void probe(ActorRef<NodeAgent.Command> agent) {
    getContext().getLog().debug("probing {}", agent);
    String address = agent.path().address().toString();
    getContext().ask(
        NodeReport.class, agent, config.cluster().askTimeout(), NodeAgent.Probe::new,
        (report, err) -> err == null ? new Probed(report) : new ProbeTimeout(address));
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
    if (old != null && r.incarnation() > old.incarnation() && unclean.contains(r.node())) {
      // A new incarnation answered: its probe is the truth about that host, and nothing of it was started
      // elsewhere while it was unclean (every start waits for the fence).
      getContext().getLog().warn("{} came back before it was fenced; its probe replaces what it ran", r.node());
      unclean.remove(r.node());
    }
    reports.put(r.node(), r);
    addressToNode.put(r.address(), r.node());
    if (fromProbe) {
      probed.add(r.node());
    }
    if (offline.remove(r.node()) || !"member".equals(lifecycleOf(r.node()))) {
      recordLifecycle(r.node(), "member");
    }
    return replan();
  }

  private String lifecycleOf(String node) {
    return lifecycle == null ? null : lifecycle.get(node);
  }

  private Behavior<Command> onMembership(MembershipChanged msg) {
    Object e = msg.event();
    if (e instanceof ClusterEvent.MemberUp up) {
      upAddresses.add(up.member().address().toString());
    } else if (e instanceof ClusterEvent.UnreachableMember u) {
      unreachableAddresses.add(u.member().address().toString());
      getContext().getLog().warn("{} is unreachable: holding decisions until the Split Brain Resolver has decided",
          nodeOfAddress(u.member().address().toString()));
    } else if (e instanceof ClusterEvent.ReachableMember r) {
      unreachableAddresses.remove(r.member().address().toString());
    } else if (e instanceof ClusterEvent.MemberRemoved removed) {
      onRemoved(removed.member(), removed.previousStatus());
    } else if (e instanceof ClusterEvent.MemberEvent me && me.member().status() == MemberStatus.up()) {
      upAddresses.add(me.member().address().toString());
    }
    return replan();
  }

  private String nodeOfAddress(String address) {
    return addressToNode.getOrDefault(address, address);
  }

  private void onRemoved(Member member, MemberStatus previous) {
    String address = member.address().toString();
    upAddresses.remove(address);
    unreachableAddresses.remove(address);
    String node = addressToNode.get(address);
    if (node == null) {
      return;
    }
    NodeReport last = reports.get(node);
    if (previous == MemberStatus.exiting() || previous == MemberStatus.leaving()) {
      getContext().getLog().info("{} left the cluster cleanly", node);
      markOffline(node, "left");
    } else if (last != null && fencedIncarnation.get(node) != null && fencedIncarnation.get(node) == last.incarnation()) {
      markOffline(node, "fenced");
    } else if (config.properties().stonithEnabled()) {
      getContext().getLog().error("{} was lost (removed while {}): it is UNCLEAN until fenced", node, previous);
      unclean.add(node);
    } else {
      getContext().getLog().warn("{} was lost and stonith is disabled: treating it as offline", node);
      markOffline(node, "left");
    }
  }

  private void markOffline(String node, String why) {
    unclean.remove(node);
    offline.add(node);
    reports.remove(node);
    probed.remove(node);
    recordLifecycle(node, why);
  }

  // ---- settling after takeover -----------------------------------------------------------------------

  private Behavior<Command> onSettle(Settle msg) {
    if (phase == Phase.ACTIVE || lifecycle == null) {
      return this;
    }
    boolean deadlinePassed = Duration.between(startedAt, clock.instant()).compareTo(config.properties().dcDeadtime()) >= 0;
    List<String> waiting = new ArrayList<>();
    for (String node : config.nodes().keySet()) {
      if (probed.contains(node) || unclean.contains(node) || offline.contains(node)) {
        continue;
      }
      String history = lifecycleOf(node);
      if ("member".equals(history)) {
        // It was in the cluster and is not now: lost while nobody was Controller, or with the old Controller.
        getContext().getLog().error("{} was a member and is gone: UNCLEAN until fenced", node);
        if (config.properties().stonithEnabled()) {
          unclean.add(node);
        } else {
          offline.add(node);
        }
      } else if ("left".equals(history) || "fenced".equals(history)) {
        offline.add(node);
      } else if (deadlinePassed) {
        if (config.properties().stonithEnabled() && config.properties().startupFencing()) {
          getContext().getLog().warn("{} did not join within dc-deadtime: fencing it before starting anything (startup-fencing)", node);
          unclean.add(node);
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
      dirty = true;
      return this;
    }
    if (!unreachableAddresses.isEmpty()) {
      return this; // membership is not settled: the Split Brain Resolver decides first
    }
    ClusterSnapshot snapshot = snapshot();
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
    dirty = false;
    runner = getContext().spawnAnonymous(TransitionRunner.create(
        config, t, agents(),
        getContext().messageAdapter(TransitionRunner.ActionFinished.class, ActionDone::new),
        getContext().messageAdapter(TransitionRunner.Finished.class, RunnerFinished::new)));
    return this;
  }

  private TransitionRunner.Agents agents() {
    Map<String, ActorRef<NodeAgent.Command>> online = new LinkedHashMap<>();
    for (String node : config.nodes().keySet()) {
      NodeReport r = reports.get(node);
      if (r != null && probed.contains(node) && !unclean.contains(node) && listedAgents.contains(r.agent())) {
        online.put(node, r.agent());
      }
    }
    return new TransitionRunner.Agents() {
      @Override
      public ActorRef<NodeAgent.Command> agent(String node) {
        return online.get(node);
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
    };
  }

  private NodeState nodeState(String node) {
    if (unclean.contains(node)) {
      return NodeState.UNCLEAN;
    }
    NodeReport r = reports.get(node);
    if (r != null && probed.contains(node) && listedAgents.contains(r.agent()) && upAddresses.contains(r.address())) {
      return r.shuttingDown() ? NodeState.STANDBY : NodeState.ONLINE;
    }
    return NodeState.OFFLINE;
  }

  ClusterSnapshot snapshot() {
    Map<String, NodeState> nodes = new LinkedHashMap<>();
    for (String node : config.nodes().keySet()) {
      nodes.put(node, nodeState(node));
    }
    Map<String, ResourceState> resources = new LinkedHashMap<>();
    for (ResourceSpec spec : config.resources().values()) {
      if (!spec.isDomain()) {
        continue;
      }
      Set<String> active = new LinkedHashSet<>();
      Set<String> failed = new LinkedHashSet<>();
      Map<String, Integer> failCounts = new TreeMap<>();
      int threshold = spec.migrationThreshold() != null ? spec.migrationThreshold() : config.properties().migrationThreshold();
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
        if (lr.state().equals("failed") || lr.failCount() >= threshold) {
          failed.add(r.node());
        }
      }
      resources.put(spec.id(), new ResourceState(spec.id(), active, failed, failCounts));
    }
    return new ClusterSnapshot(config, nodes, resources);
  }

  private Behavior<Command> onActionDone(ActionDone msg) {
    TransitionRunner.ActionFinished f = msg.finished();
    if (f.op() != null) {
      onReportQuiet(f.op().report());
    }
    for (FenceResult r : f.fences()) {
      fencing.add(new ClusterStatus.FencingRecord(r.target(), r.device(), r.executor(), r.action(), r.ok() ? "success" : "failed", r.at()));
      if (fencing.size() > 100) {
        fencing.remove(0);
      }
    }
    if (f.action().kind() == Action.Kind.FENCE) {
      String node = f.action().node();
      if (f.ok()) {
        fenceFailures = 0;
        NodeReport last = reports.get(node);
        if (last != null) {
          fencedIncarnation.put(node, last.incarnation());
        }
        getContext().getLog().warn("{} fenced: its resources may now be recovered elsewhere", node);
        markOffline(node, "fenced");
        warnings.removeIf(w -> w.startsWith("FENCING OF " + node));
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

  /** Applies a report carried by an operation result without planning again (the runner is still going). */
  private void onReportQuiet(NodeReport r) {
    NodeReport old = reports.get(r.node());
    if (r.newerThan(old) && !unclean.contains(r.node()) && !offline.contains(r.node())) {
      reports.put(r.node(), r);
    }
  }

  private Behavior<Command> onRunnerFinished(RunnerFinished msg) {
    runner = null;
    if (msg.finished().complete() && !dirty) {
      return replan(); // a complete transition should plan to nothing; planning again confirms it
    }
    if (fenceFailures > 0) {
      // every device failed: retry with backoff, loudly (never recover without a confirmed fence)
      long delay = Math.min(30_000L, 1000L << Math.min(5, fenceFailures - 1));
      timers.startSingleTimer("fence-retry", new Replan(), Duration.ofMillis(delay));
      return this;
    }
    return replan();
  }

  // ---- status ---------------------------------------------------------------------------------------

  private Behavior<Command> onGetStatus(GetStatus msg) {
    msg.replyTo().tell(status());
    return this;
  }

  private ClusterStatus status() {
    List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
    for (String node : config.nodes().keySet()) {
      String state = switch (nodeState(node)) {
        case ONLINE -> "online";
        case STANDBY -> "standby";
        case UNCLEAN -> "unclean";
        case OFFLINE -> "offline";
      };
      nodes.add(new ClusterStatus.NodeStatus(node, state, Map.of(), null));
    }
    List<ClusterStatus.ResourceStatus> resources = new ArrayList<>();
    ClusterSnapshot snap = snapshot();
    for (ResourceSpec spec : config.resources().values()) {
      if (spec.isStonith()) {
        resources.add(new ClusterStatus.ResourceStatus(spec.id(), "stonith", "started", null, true, Map.of(), null, null, null));
        continue;
      }
      ResourceState rs = snap.resource(spec.id());
      String node = null;
      String state;
      String lastOp = null;
      if (!rs.activeOn().isEmpty()) {
        node = rs.activeOn().iterator().next();
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
      resources.add(new ClusterStatus.ResourceStatus(spec.id(), spec.type(), state, node, true, failCounts, null, null, lastOp));
    }
    List<String> w = new ArrayList<>(warnings);
    if (phase != Phase.ACTIVE) {
      w.add("Controller is starting: waiting for nodes and probes");
    }
    if (!unreachableAddresses.isEmpty()) {
      w.add("unreachable: " + unreachableAddresses.stream().map(this::nodeOfAddress).toList());
    }
    List<ClusterStatus.FencingRecord> history = new ArrayList<>(fencing);
    java.util.Collections.reverse(history);
    return new ClusterStatus(ClusterStatus.SCHEMA, config.clusterName(), selfNode, unreachableAddresses.isEmpty(),
        nodes, resources, history, w);
  }

  Optional<Transition> lastTransition() {
    return Optional.ofNullable(lastTransition);
  }
}
