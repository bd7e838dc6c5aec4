package io.xenha.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.NodeSpec;
import io.xenha.controller.Controller;
import io.xenha.executor.NodeAgent;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import io.xenha.jmx.ClusterConsole;
import io.xenha.membership.Bootstrap;
import io.xenha.membership.Quorum;
import io.xenha.membership.QuorumDowningProvider;
import io.xenha.status.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * One running xenha agent: the Pekko ActorSystem of one dom0 with its hypervisor connection, actor tree and
 * console. `xenha agent` runs one per process; in-JVM tests run several side by side.
 */
public final class XenhaNode implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(XenhaNode.class);

  private final XenhaConfig config;
  private java.util.concurrent.atomic.AtomicReference<XenhaConfig> current;
  private final String node;
  private final ActorSystem<Void> system;
  private final Hypervisor hypervisor;
  private final Guardian.Started started;
  /** Why this node is not a cluster member yet (null for nodes joined by hand: in-JVM tests). */
  private Bootstrap.Progress bootstrap;

  private XenhaNode(XenhaConfig config, String node, ActorSystem<Void> system, Hypervisor hypervisor, Guardian.Started started) {
    this.config = config;
    this.node = node;
    this.system = system;
    this.hypervisor = hypervisor;
    this.started = started;
  }

  /**
   * The Pekko configuration for {@code node}: the user's file (its pekko section wins), then the cluster
   * settings derived from xenha's, then every reference.conf. There are no seed nodes: {@link Bootstrap} joins a
   * running cluster or forms one with a quorum of the configured nodes (a node address with port 0 is joined by hand,
   * in-JVM tests).
   */
  public static Config pekkoConfig(XenhaConfig config, String node, Config overrides) {
    NodeSpec self = config.node(node);
    XenhaConfig.ClusterSettings c = config.cluster();
    boolean ours = c.sbrStrategy().equals("quorum") || c.sbrStrategy().equals("two-node");
    Config derived = ConfigFactory.empty()
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(self.host()))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(self.port()))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(NodeAgent.NODE_ROLE_PREFIX + node)))
        // the runtime overrides are durable here, so that they survive a full cluster restart
        .withValue("pekko.cluster.distributed-data.durable.file.dir",
            ConfigValueFactory.fromAnyRef(self.stateDir().resolve("ddata").toString()))
        .withValue("pekko.cluster.downing-provider-class", ConfigValueFactory.fromAnyRef(ours
            ? QuorumDowningProvider.class.getName() : "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
        .withValue("pekko.cluster.split-brain-resolver.active-strategy",
            ConfigValueFactory.fromAnyRef(ours ? "keep-majority" : c.sbrStrategy()))
        .withValue("pekko.cluster.split-brain-resolver.stable-after", ConfigValueFactory.fromAnyRef(millis(c.stableAfter())))
        // corosync's token timeout: a node is unreachable once no heartbeat answered for heartbeat-interval +
        // acceptable-heartbeat-pause, a fixed deadline (the phi accrual detector's grows with jitter under load)
        .withValue("pekko.cluster.failure-detector.implementation-class",
            ConfigValueFactory.fromAnyRef("org.apache.pekko.remote.DeadlineFailureDetector"))
        .withValue("pekko.cluster.failure-detector.heartbeat-interval", ConfigValueFactory.fromAnyRef(millis(c.heartbeatInterval())))
        .withValue("pekko.cluster.failure-detector.acceptable-heartbeat-pause",
            ConfigValueFactory.fromAnyRef(millis(c.acceptableHeartbeatPause())))
        // a lost node is seen as soon as the failure detector says so, not up to a second later
        .withValue("pekko.cluster.unreachable-nodes-reaper-interval",
            ConfigValueFactory.fromAnyRef(millis(c.heartbeatInterval().dividedBy(2))))
        // a drain moves every domU away before the agent leaves: the first phase waits for it
        .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
            ConfigValueFactory.fromAnyRef(millis(c.shutdownTimeout().plusSeconds(10))));
    derived = Quorum.Votes.of(config).toPekko().withFallback(derived);
    Config user = ConfigFactory.empty();
    if (config.source() != null && Files.isRegularFile(config.source())) {
      user = ConfigFactory.parseFile(config.source().toFile());
      user = user.hasPath("pekko") ? user.withOnlyPath("pekko") : ConfigFactory.empty();
    }
    return overrides.withFallback(user).withFallback(derived)
        .withFallback(io.xenha.security.Security.pekkoConfig(config, node)) // mutual TLS between the nodes
        .withFallback(Journal.pekkoConfig(config, node))
        .withFallback(ConfigFactory.parseResources("xenha-pekko.conf"))
        .withFallback(ConfigFactory.load()).resolve();
  }

  /** How often a node that is not a member asks the others (Bootstrap). */
  static final Duration BOOTSTRAP_INTERVAL = Duration.ofMillis(500);

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  /** Starts the node: ActorSystem, hypervisor connection, NodeAgent, Controller singleton manager. */
  public static XenhaNode start(XenhaConfig config, String node, Config overrides, NodeAgent.Settings settings, Clock clock)
      throws Exception {
    return start(config, node, overrides, settings, clock, hv -> hv);
  }

  /** As above; {@code wrap} may decorate the hypervisor port (tests inject faults libvirt's test driver cannot make). */
  public static XenhaNode start(XenhaConfig config, String node, Config overrides, NodeAgent.Settings settings, Clock clock,
      java.util.function.UnaryOperator<Hypervisor> wrap) throws Exception {
    Config pekko = pekkoConfig(config, node, overrides);
    String journalProblem = Journal.prepare(config, node);
    CompletableFuture<Guardian.Started> started = new CompletableFuture<>();
    Hypervisor[] hv = new Hypervisor[1];
    // what a reload activates (the Controller's configuration when it starts on this node later, export, fence)
    java.util.concurrent.atomic.AtomicReference<XenhaConfig> current = new java.util.concurrent.atomic.AtomicReference<>(config);
    ActorSystem<Void> system = ActorSystem.create(
        org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
          Executor blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("xenha.blocking-dispatcher"));
          hv[0] = wrap.apply(Hypervisors.open(config.node(node).hypervisor(), blocking));
          return Guardian.create(config, current::get, node, hv[0], blocking, settings.withActivated(current::set), clock,
              started);
        }),
        config.clusterName(),
        pekko);
    try {
      if (journalProblem != null) {
        StateProblems.get(system).add(journalProblem);
      }
      Guardian.Started s = started.get(30, TimeUnit.SECONDS);
      XenhaNode n = new XenhaNode(config, node, system, hv[0], s);
      n.current = current;
      if (config.node(node).port() != 0) {
        n.bootstrap = new Bootstrap.Progress();
        system.systemActorOf(Bootstrap.create(config, node, BOOTSTRAP_INTERVAL, n.bootstrap), Bootstrap.NAME,
            org.apache.pekko.actor.typed.Props.empty());
      }
      n.drainOnShutdown();
      n.stopDomainsOnShutdown();
      system.getWhenTerminated().thenRun(() -> hv[0].close());
      return n;
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * A graceful stop (SIGTERM, `systemctl stop`) first moves every resource away, as a Pacemaker node shutdown does:
   * the node reports itself shutting down, the Controller plans it as standby (live migration where allowed), and
   * the stop goes on once nothing runs here or after shutdown-timeout. Not when the Split Brain Resolver downed this
   * node, not in maintenance mode (its domUs stay as they are), and not for a lone node or a partition without quorum
   * (nobody could take them: they are stopped as before).
   */
  private void drainOnShutdown() {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system.classicSystem());
    cs.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "xenha-drain", () -> {
      XenhaConfig config = current.get();
      boolean downed = cs.getShutdownReason().map(r -> r.equals(CoordinatedShutdown.clusterDowningReason())).orElse(false);
      org.apache.pekko.cluster.typed.Cluster cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
      io.xenha.membership.Quorum q = io.xenha.membership.Members.quorum(Quorum.Votes.of(config), cluster.state());
      boolean others = q.presentNodes().stream().anyMatch(n -> !n.equals(node));
      if (downed || !q.quorate() || !others || config.properties().maintenanceMode()) {
        return CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
      }
      Duration timeout = config.cluster().shutdownTimeout();
      LOG.info("leaving: moving every resource off {} first (at most {} s, shutdown-timeout)", node,
          timeout.toSeconds());
      return AskPattern.<NodeAgent.Command, Boolean>ask(started.nodeAgent(), NodeAgent.Drain::new, timeout,
              system.scheduler())
          .handle((drained, err) -> {
            if (err != null) {
              LOG.warn("leaving: not every resource moved off {} within {} s: stopping what is left here",
                  node, timeout.toSeconds());
            } else {
              LOG.info("leaving: nothing managed runs on {} any more", node);
            }
            return org.apache.pekko.Done.getInstance();
          });
    });
  }

  /**
   * Before this node leaves the cluster its domUs are stopped: on a graceful stop always (the Controller starts
   * them elsewhere once they are down), when the Split Brain Resolver downed us only with
   * no-quorum-policy=stop (freeze and ignore leave them running; the winning side fences us anyway).
   */
  private void stopDomainsOnShutdown() {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system.classicSystem());
    cs.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "xenha-stop-domains", () -> {
      // the configuration as a reload may have changed it
      XenhaConfig config = current.get();
      Duration timeout = maxStopTimeout().plus(config.cluster().askTimeout());
      boolean downed = cs.getShutdownReason().map(r -> r.equals(CoordinatedShutdown.clusterDowningReason())).orElse(false);
      if (downed && !"stop".equals(config.properties().noQuorumPolicy())) {
        LOG.warn("downed by the Split Brain Resolver: no-quorum-policy={} leaves this node's domUs running",
            config.properties().noQuorumPolicy());
        return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
      }
      // Bounded: with stonith disabled the winners recover our domUs after self-fence-deadline, so whatever has
      // not stopped gracefully by then is destroyed.
      Duration bound = downed && !config.properties().stonithEnabled()
          ? config.properties().selfFenceDeadline().minusSeconds(1) : timeout;
      return AskPattern.<NodeAgent.Command, org.apache.pekko.Done>ask(
              started.nodeAgent(), NodeAgent.StopAll::new, bound, system.scheduler())
          .thenCompose(done -> downed ? CompletableFuture.completedFuture(done) : recordLeft())
          .exceptionally(err -> destroyAll());
    });
  }

  /**
   * Records in the node history, before leaving, that this node left cleanly with nothing running: a Controller that
   * starts on another node after this one (the Controller may have run here) must not take it for lost and fence it.
   * Only once every domU here has stopped; best effort (the Controller that sees the removal records it too).
   */
  private CompletionStage<org.apache.pekko.Done> recordLeft() {
    return hypervisor.activeDomains(Duration.ofSeconds(5)).thenCompose(active -> {
      boolean ours = current.get().resources().values().stream()
          .anyMatch(r -> r.isDomain() && active.contains(r.domainName()));
      if (ours) {
        // left running on purpose (maintenance, unmanaged): the Controller that sees the removal holds them
        return CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
      }
      return writeLeft();
    }).exceptionally(err -> org.apache.pekko.Done.getInstance());
  }

  private CompletionStage<org.apache.pekko.Done> writeLeft() {
    var replicator = org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData.get(system).replicator();
    var self = org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData.get(system).selfUniqueAddress();
    return AskPattern.<org.apache.pekko.cluster.ddata.typed.javadsl.Replicator.Command,
            org.apache.pekko.cluster.ddata.typed.javadsl.Replicator.UpdateResponse<
                org.apache.pekko.cluster.ddata.LWWMap<String, String>>>ask(replicator,
            replyTo -> new org.apache.pekko.cluster.ddata.typed.javadsl.Replicator.Update<>(Controller.LIFECYCLE,
                org.apache.pekko.cluster.ddata.LWWMap.empty(),
                new org.apache.pekko.cluster.ddata.typed.javadsl.Replicator.WriteMajority(Duration.ofSeconds(3)),
                replyTo, map -> map.put(self, node, "left")),
            Duration.ofSeconds(4), system.scheduler())
        .handle((r, err) -> org.apache.pekko.Done.getInstance());
  }

  /** Last resort before leaving: hard-stop every configured domU still active here. */
  private org.apache.pekko.Done destroyAll() {
    LOG.error("domUs did not stop in time before leaving the cluster: destroying them");
    for (XenhaConfig.ResourceSpec r : current.get().resources().values()) {
      if (r.isDomain()) {
        try {
          hypervisor.destroy(r.domainName(), Duration.ofSeconds(5)).toCompletableFuture().get(6, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.error("could not destroy {}: {}", r.domainName(), e.toString());
        }
      }
    }
    return org.apache.pekko.Done.getInstance();
  }

  private Duration maxStopTimeout() {
    Duration max = Duration.ofSeconds(1);
    for (XenhaConfig.ResourceSpec r : current.get().resources().values()) {
      if (r.isDomain() && r.ops().stopTimeout().compareTo(max) > 0) {
        max = r.ops().stopTimeout();
      }
    }
    return max;
  }

  /** Writes this process's pid where the builtin:kill fence device of the other nodes looks for it. */
  public static void writePidFile(Path stateDir) throws java.io.IOException {
    Files.createDirectories(stateDir);
    Files.writeString(stateDir.resolve(io.xenha.fencing.KillFenceAgent.PID_FILE), ProcessHandle.current().pid() + "\n");
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The configuration this node runs with now (what a reload activated since it started). */
  public XenhaConfig currentConfig() {
    return current.get();
  }

  public String node() {
    return node;
  }

  public Hypervisor hypervisor() {
    return hypervisor;
  }

  public ActorRef<NodeAgent.Command> nodeAgent() {
    return started.nodeAgent();
  }

  public ActorRef<Controller.Command> controller() {
    return started.controller();
  }

  /** Whether this node is in the cluster (joining to leaving): otherwise no Controller can be asked. */
  public boolean member() {
    var s = org.apache.pekko.cluster.typed.Cluster.get(system).selfMember().status();
    return s == org.apache.pekko.cluster.MemberStatus.joining() || s == org.apache.pekko.cluster.MemberStatus.weaklyUp()
        || s == org.apache.pekko.cluster.MemberStatus.up() || s == org.apache.pekko.cluster.MemberStatus.leaving();
  }

  /** What status says on a node that is not a member: no Controller, no quorum, and why it waits. */
  private ClusterStatus notMemberStatus() {
    XenhaConfig config = current.get();
    List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
    for (String n : config.nodes().keySet()) {
      nodes.add(new ClusterStatus.NodeStatus(n, "offline", null, null));
    }
    String why = bootstrap == null ? null : bootstrap.waiting();
    Quorum.Votes votes = Quorum.Votes.of(config);
    return new ClusterStatus(ClusterStatus.SCHEMA, config.clusterName(), null, false, nodes, List.of(), List.of(),
        List.of(node + " is not a cluster member: " + (why == null ? "joining" : why)),
        new ClusterStatus.Votes(0, votes.expected()));
  }

  /** The console the JMX beans use: asks go to the Controller through the singleton proxy. */
  public ClusterConsole console() {
    Duration timeout = config.cluster().askTimeout();
    return new ClusterConsole() {
      @Override
      public ClusterStatus status() throws Exception {
        if (!member()) {
          return notMemberStatus();
        }
        return AskPattern.<Controller.Command, ClusterStatus>ask(
                started.controller(), Controller.GetStatus::new, timeout, system.scheduler())
            .toCompletableFuture()
            .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }

      @Override
      public List<String> localActiveDomains() throws Exception {
        return hypervisor.activeDomains(timeout).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }

      @Override
      public String localNode() {
        return node;
      }

      @Override
      public ClusterStatus.FencingRecord fence(String target) throws Exception {
        if (!config.nodes().containsKey(target)) {
          throw new IllegalArgumentException("unknown node '" + target + "' (known: " + String.join(", ", config.nodes().keySet()) + ")");
        }
        // every level may try every device from every node: allow for a few full device timeouts
        Duration wait = config.properties().stonithTimeout().multipliedBy(4)
            .plus(config.properties().priorityFencingDelay()).plus(timeout);
        io.xenha.fencing.FenceResult r = AskPattern.<Controller.Command, io.xenha.fencing.FenceResult>ask(
                started.controller(), replyTo -> new Controller.FenceRequest(target, replyTo), wait, system.scheduler())
            .toCompletableFuture()
            .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
        if (!r.ok()) {
          throw new IllegalStateException("fencing " + target + " failed: " + r.reason());
        }
        return new ClusterStatus.FencingRecord(r.target(), r.device(), r.executor(), r.action(), "success", r.at());
      }

      @Override
      public io.xenha.controller.Admin.Reply reload() throws Exception {
        // every agent reads and checks its file, then every agent activates it: two rounds of asks
        Duration wait = timeout.multipliedBy(4).plusSeconds(5);
        return AskPattern.<Controller.Command, io.xenha.controller.Admin.Reply>ask(
                started.controller(), Controller.Reload::new, wait, system.scheduler())
            .toCompletableFuture()
            .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }

      @Override
      public String export() throws Exception {
        XenhaConfig config = current.get();
        if (config.source() == null || !Files.isRegularFile(config.source())) {
          throw new IllegalStateException("this agent runs without a configuration file: nothing to export");
        }
        Controller.OverridesReply o = AskPattern.<Controller.Command, Controller.OverridesReply>ask(
                started.controller(), Controller.GetOverrides::new, timeout, system.scheduler())
            .toCompletableFuture()
            .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        if (!o.read()) {
          throw new IllegalStateException("the Controller has not read the runtime overrides yet: try again shortly");
        }
        String file = Files.readString(config.source());
        return file + (file.endsWith("\n") ? "" : "\n") + "\n" + io.xenha.config.Overrides.decode(o.entries())
            .toHocon(config, java.time.Instant.now().getEpochSecond());
      }

      @Override
      public io.xenha.controller.Admin.Reply admin(io.xenha.controller.Admin.Request request) throws Exception {
        // the Controller answers once a majority has the change: allow for its write timeout
        Duration wait = timeout.plusSeconds(5);
        return AskPattern.<Controller.Command, io.xenha.controller.Admin.Reply>ask(
                started.controller(), replyTo -> new Controller.AdminCommand(request, replyTo), wait, system.scheduler())
            .toCompletableFuture()
            .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }

      @Override
      public io.xenha.status.History history(String resource, String node) throws Exception {
        // the Controller asks every agent with the ask timeout: allow for that and the way there and back
        Duration wait = timeout.plusSeconds(2);
        return AskPattern.<Controller.Command, io.xenha.status.History>ask(
                started.controller(), replyTo -> new Controller.GetHistory(resource, node, replyTo), wait, system.scheduler())
            .toCompletableFuture()
            .get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }
    };
  }

  /** Graceful stop: CoordinatedShutdown leaves the cluster, then the system terminates. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // already logged by Pekko; nothing else to release
    }
  }
}
