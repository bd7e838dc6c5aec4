package io.xenha.executor;

import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisor.DomainState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps one domU running on this node: starts or adopts it, monitors it (lifecycle events plus a periodic check) and
 * fails with {@link ResourceFailure} when it is lost, so that its supervisor recovers it in place.
 */
public final class DomainActor extends AbstractBehavior<DomainActor.Command> {

  public sealed interface Command
      permits Stop, Migrate, LifecycleEvent, Probed, CrashedDestroyed, StartDone, MonitorTick, MonitorDone, StopDone,
          MigrateDone, MigrateProbed {}

  /** Graceful stop; replies Stopped or StopFailed, then the actor stops itself. */
  public record Stop(ActorRef<Report> replyTo) implements Command {}

  /**
   * Live-migrates the running domain to the hypervisor at targetUri; replies Migrated (then the actor stops: the
   * domain is the target's now) or MigrateFailed.
   */
  public record Migrate(String targetUri, ActorRef<Report> replyTo) implements Command {}

  /** A libvirt lifecycle event for this domain, forwarded by the NodeAgent. */
  public record LifecycleEvent(Hypervisor.DomainEvent event) implements Command {}

  // Internal results carry the incarnation that asked: after a supervision restart the same ActorRef receives the
  // late answers of the previous incarnation, which must not be taken for its own.
  private record Probed(long incarnation, DomainState state, Throwable failure) implements Command {}

  private record CrashedDestroyed(long incarnation, Throwable failure) implements Command {}

  private record StartDone(long incarnation, Throwable failure) implements Command {}

  private record MonitorTick(long incarnation) implements Command {}

  private record MonitorDone(long incarnation, DomainState state, Throwable failure) implements Command {}

  private record StopDone(long incarnation, Throwable failure) implements Command {}

  private record MigrateDone(long incarnation, Throwable failure) implements Command {}

  private record MigrateProbed(long incarnation, String reason, DomainState state, Throwable failure) implements Command {}

  /** What the actor tells its NodeAgent (and a Stop's sender). */
  public sealed interface Report permits Started, StartFailed, MonitorFailed, Stopped, StopFailed, Migrated, MigrateFailed,
      Gone {
    String resourceId();
  }

  /** The domain runs; adopted means it already ran and only monitoring was taken over. */
  public record Started(String resourceId, boolean adopted) implements Report {}

  /** The start failed; the actor has stopped (start failure is fatal on this node). */
  public record StartFailed(String resourceId, String reason) implements Report {}

  /** The monitor found the domain lost; sent just before the actor fails for recovery in place. */
  public record MonitorFailed(String resourceId, String reason) implements Report {}

  /** The domain is stopped; the actor has stopped. */
  public record Stopped(String resourceId) implements Report {}

  /**
   * Sent to adopt a domain that was seen running (a probe, a start event), the actor found it not running: there is
   * nothing to adopt and nothing is started (the event may be stale); the actor has stopped.
   */
  public record Gone(String resourceId, String state) implements Report {}

  /** The stop failed or timed out: the domain's state is unknown and the node must be fenced. */
  public record StopFailed(String resourceId, String reason) implements Report {}

  /** The domain runs on the migration's target now; the actor has stopped without stopping it. */
  public record Migrated(String resourceId) implements Report {}

  /**
   * The migration failed. stillHere: the domain still runs on this node (the actor monitors it again); otherwise
   * the actor has stopped. Whether it runs on the target too only the target can say.
   */
  public record MigrateFailed(String resourceId, String reason, boolean stillHere) implements Report {}

  /** The failure the supervisor restarts on: the domain was lost and is to be recovered in place. */
  public static final class ResourceFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final String resourceId;

    public ResourceFailure(String resourceId, String reason) {
      super(resourceId + ": " + reason);
      this.resourceId = resourceId;
    }

    public String resourceId() {
      return resourceId;
    }
  }

  /** FAILED: the start failed but a Stop arrived meanwhile, which is still carried out. */
  private enum Phase { PROBING, STARTING, MONITORING, FAILED, STOPPING, MIGRATING }

  /** Event types that mean the domain is no longer running. */
  private static final Set<String> LOST_EVENTS = Set.of("STOPPED", "CRASHED", "SHUTDOWN");

  private static final int STASH_CAPACITY = 16;

  /** failure-timeout 0 means fail counts never expire; Pekko's scheduler takes at most ~248 days. */
  private static final Duration NEVER = Duration.ofDays(240);

  private static final AtomicLong INCARNATIONS = new AtomicLong();

  private final ResourceSpec spec;
  private final Hypervisor hv;
  private final ActorRef<Report> reportTo;
  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final long incarnation = INCARNATIONS.incrementAndGet();
  private final List<ActorRef<Report>> stopRequesters = new ArrayList<>();
  private final List<ActorRef<Report>> migrateRequesters = new ArrayList<>();
  private Phase phase = Phase.PROBING;
  private final boolean adoptOnly;
  private boolean monitorInFlight;

  public static Behavior<Command> create(ResourceSpec spec, Hypervisor hv, ActorRef<Report> reportTo) {
    return create(spec, hv, reportTo, new AtomicBoolean(false));
  }

  /** adoptOnly: true once, for the first incarnation: adopt the domain if it runs, never start it (see {@link Gone}). */
  static Behavior<Command> create(ResourceSpec spec, Hypervisor hv, ActorRef<Report> reportTo, AtomicBoolean adoptOnly) {
    return Behaviors.setup(ctx -> Behaviors.withStash(STASH_CAPACITY, stash ->
        Behaviors.withTimers(timers -> new DomainActor(ctx, stash, timers, spec, hv, reportTo, adoptOnly.getAndSet(false)))));
  }

  /**
   * create() under the supervision that implements Pacemaker's migration-threshold: a ResourceFailure restarts the
   * actor (recovery in place) with backoff, at most migrationThreshold - 1 times, the count forgotten after
   * failureTimeout without failure (0 = never); then the actor stops for good. A threshold of 0 or less restarts
   * without limit.
   */
  public static Behavior<Command> supervised(
      ResourceSpec spec,
      Hypervisor hv,
      ActorRef<Report> reportTo,
      int migrationThreshold,
      Duration failureTimeout,
      Duration minBackoff,
      Duration maxBackoff) {
    return supervised(spec, hv, reportTo, migrationThreshold, failureTimeout, minBackoff, maxBackoff, false);
  }

  /**
   * adoptOnly: the domain was seen running (a probe, a start event): the first incarnation adopts it and never starts
   * it; restarts after a failure recover it in place as usual.
   */
  public static Behavior<Command> supervised(
      ResourceSpec spec,
      Hypervisor hv,
      ActorRef<Report> reportTo,
      int migrationThreshold,
      Duration failureTimeout,
      Duration minBackoff,
      Duration maxBackoff,
      boolean adoptOnly) {
    AtomicBoolean once = new AtomicBoolean(adoptOnly);
    Duration resetAfter = failureTimeout == null || failureTimeout.isZero() ? NEVER : failureTimeout;
    int maxRestarts = migrationThreshold <= 0 ? -1 : migrationThreshold - 1;
    return Behaviors.supervise(create(spec, hv, reportTo, once))
        .onFailure(ResourceFailure.class, SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2)
            .withMaxRestarts(maxRestarts)
            .withResetBackoffAfter(resetAfter)
            .withLoggingEnabled(false)); // monitorFailed() has logged the reason; the stack trace says nothing more
  }

  private DomainActor(
      ActorContext<Command> ctx,
      StashBuffer<Command> stash,
      TimerScheduler<Command> timers,
      ResourceSpec spec,
      Hypervisor hv,
      ActorRef<Report> reportTo,
      boolean adoptOnly) {
    super(ctx);
    this.adoptOnly = adoptOnly;
    this.spec = spec;
    this.hv = hv;
    this.reportTo = reportTo;
    this.stash = stash;
    this.timers = timers;
    // every (re)start begins by asking libvirt: never trust what the previous incarnation believed
    ctx.pipeToSelf(hv.state(spec.domainName(), spec.ops().monitorTimeout()),
        (state, err) -> new Probed(incarnation, state, err));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Stop.class, this::onStop)
        .onMessage(LifecycleEvent.class, this::onLifecycleEvent)
        .onMessage(Probed.class, this::onProbed)
        .onMessage(CrashedDestroyed.class, this::onCrashedDestroyed)
        .onMessage(StartDone.class, this::onStartDone)
        .onMessage(MonitorTick.class, this::onMonitorTick)
        .onMessage(MonitorDone.class, this::onMonitorDone)
        .onMessage(StopDone.class, this::onStopDone)
        .onMessage(Migrate.class, this::onMigrate)
        .onMessage(MigrateDone.class, this::onMigrateDone)
        .onMessage(MigrateProbed.class, this::onMigrateProbed)
        .build();
  }

  private String id() {
    return spec.id();
  }

  private String name() {
    return spec.domainName();
  }

  private Behavior<Command> onProbed(Probed msg) {
    if (msg.incarnation() != incarnation || phase != Phase.PROBING) {
      return this;
    }
    if (msg.failure() == null && (msg.state() == DomainState.RUNNING || msg.state() == DomainState.PAUSED)) {
      getContext().getLog().info("{}: domain {} already {}, adopting it", id(), name(), msg.state());
      reportTo.tell(new Started(id(), true));
      return startMonitoring();
    }
    if (adoptOnly && msg.failure() == null) {
      // seen running a moment ago (a stale start event, or it stopped since): not ours to start
      getContext().getLog().info("{}: domain {} is {}, not running: nothing to adopt", id(), name(), msg.state());
      reportTo.tell(new Gone(id(), String.valueOf(msg.state())));
      return Behaviors.stopped();
    }
    phase = Phase.STARTING;
    if (msg.failure() == null && msg.state() == DomainState.CRASHED) {
      getContext().getLog().info("{}: domain {} crashed, destroying it before the start", id(), name());
      getContext().pipeToSelf(hv.destroy(name(), spec.ops().stopTimeout()),
          (ok, err) -> new CrashedDestroyed(incarnation, err));
      return this;
    }
    if (msg.failure() != null) {
      // start is idempotent, so not knowing the state is no reason to give up yet
      getContext().getLog().warn("{}: cannot read the state of {} ({}); starting it", id(), name(), reason(msg.failure()));
    }
    return startDomain();
  }

  private Behavior<Command> onCrashedDestroyed(CrashedDestroyed msg) {
    if (msg.incarnation() != incarnation || phase != Phase.STARTING) {
      return this;
    }
    if (msg.failure() != null) {
      return startFailed("destroying the crashed domain failed: " + reason(msg.failure()));
    }
    return startDomain();
  }

  private Behavior<Command> startDomain() {
    getContext().getLog().info("{}: starting domain {}", id(), name());
    getContext().pipeToSelf(hv.start(name(), spec.domainXml(), spec.ops().startTimeout()),
        (ok, err) -> new StartDone(incarnation, err));
    return this;
  }

  private Behavior<Command> onStartDone(StartDone msg) {
    if (msg.incarnation() != incarnation || phase != Phase.STARTING) {
      return this;
    }
    if (msg.failure() != null) {
      return startFailed(reason(msg.failure()));
    }
    getContext().getLog().info("{}: domain {} started", id(), name());
    reportTo.tell(new Started(id(), false));
    return startMonitoring();
  }

  private Behavior<Command> startFailed(String reason) {
    getContext().getLog().warn("{}: start of {} failed: {}", id(), name(), reason);
    reportTo.tell(new StartFailed(id(), reason));
    if (stash.isEmpty()) {
      return Behaviors.stopped();
    }
    // a Stop came in during the start: the failed start may have left something behind, so really stop
    phase = Phase.FAILED;
    return stash.unstashAll(this);
  }

  private Behavior<Command> startMonitoring() {
    phase = Phase.MONITORING;
    timers.startTimerWithFixedDelay(new MonitorTick(incarnation), spec.ops().monitorInterval());
    return stash.unstashAll(this);
  }

  private Behavior<Command> onMonitorTick(MonitorTick msg) {
    if (msg.incarnation() != incarnation || phase != Phase.MONITORING || monitorInFlight) {
      return this;
    }
    monitorInFlight = true;
    getContext().pipeToSelf(hv.state(name(), spec.ops().monitorTimeout()),
        (state, err) -> new MonitorDone(incarnation, state, err));
    return this;
  }

  private Behavior<Command> onMonitorDone(MonitorDone msg) {
    if (msg.incarnation() != incarnation) {
      return this;
    }
    monitorInFlight = false;
    if (phase != Phase.MONITORING) {
      return this;
    }
    if (msg.failure() != null) {
      throw monitorFailed("monitor failed: " + reason(msg.failure()));
    }
    if (msg.state() != DomainState.RUNNING && msg.state() != DomainState.PAUSED) {
      throw monitorFailed("domain " + name() + " is " + msg.state());
    }
    return this;
  }

  private Behavior<Command> onLifecycleEvent(LifecycleEvent msg) {
    Hypervisor.DomainEvent e = msg.event();
    // while starting or stopping, events are our own doing
    if (phase != Phase.MONITORING || !name().equals(e.domain())) {
      return this;
    }
    if (e.type().equals("STOPPED") && "MIGRATED".equals(e.detail())) {
      // migrated away behind xenha's back (virsh migrate): it runs elsewhere, so starting it here again would run it
      // twice; the target's agent adopts it
      getContext().getLog().warn("{}: domain {} was migrated away outside xenha; no longer monitored here", id(), name());
      reportTo.tell(new Migrated(id()));
      return Behaviors.stopped();
    }
    if (LOST_EVENTS.contains(e.type())) {
      throw monitorFailed("domain " + name() + " " + e.type() + " (" + e.detail() + ")");
    }
    return this;
  }

  private ResourceFailure monitorFailed(String reason) {
    getContext().getLog().warn("{}: {}", id(), reason);
    reportTo.tell(new MonitorFailed(id(), reason));
    return new ResourceFailure(id(), reason);
  }

  private Behavior<Command> onStop(Stop msg) {
    switch (phase) {
      case PROBING, STARTING, MIGRATING -> {
        if (stash.isFull()) {
          getContext().getLog().warn("{}: too many stop requests during the start; dropping one", id());
        } else {
          stash.stash(msg);
        }
      }
      case MONITORING, FAILED -> {
        phase = Phase.STOPPING;
        timers.cancelAll();
        stopRequesters.add(msg.replyTo());
        getContext().getLog().info("{}: stopping domain {}", id(), name());
        getContext().pipeToSelf(hv.stop(name(), spec.ops().stopTimeout()), (ok, err) -> new StopDone(incarnation, err));
      }
      case STOPPING -> stopRequesters.add(msg.replyTo());
    }
    return this;
  }

  private Behavior<Command> onStopDone(StopDone msg) {
    if (msg.incarnation() != incarnation || phase != Phase.STOPPING) {
      return this;
    }
    Report report;
    if (msg.failure() == null) {
      getContext().getLog().info("{}: domain {} stopped", id(), name());
      report = new Stopped(id());
    } else {
      String reason = reason(msg.failure());
      getContext().getLog().error("{}: stop of {} failed: {}", id(), name(), reason);
      report = new StopFailed(id(), reason);
    }
    reportTo.tell(report);
    // the NodeAgent usually asks with its own report adapter: one report is enough
    stopRequesters.stream().distinct().filter(r -> !r.equals(reportTo)).forEach(r -> r.tell(report));
    return Behaviors.stopped();
  }

  private Behavior<Command> onMigrate(Migrate msg) {
    switch (phase) {
      case PROBING, STARTING -> {
        if (stash.isFull()) {
          msg.replyTo().tell(new MigrateFailed(id(), "busy starting", true));
        } else {
          stash.stash(msg);
        }
      }
      case MONITORING -> {
        phase = Phase.MIGRATING; // lifecycle events (the source's STOPPED/MIGRATED) are the migration's own
        timers.cancelAll();
        migrateRequesters.add(msg.replyTo());
        getContext().getLog().info("{}: migrating domain {} to {}", id(), name(), msg.targetUri());
        getContext().pipeToSelf(hv.migrate(name(), msg.targetUri(), spec.ops().migrateTimeout()),
            (ok, err) -> new MigrateDone(incarnation, err));
      }
      case MIGRATING -> migrateRequesters.add(msg.replyTo());
      default -> msg.replyTo().tell(new MigrateFailed(id(), "not running here (" + phase + ")", phase != Phase.FAILED));
    }
    return this;
  }

  private Behavior<Command> onMigrateDone(MigrateDone msg) {
    if (msg.incarnation() != incarnation || phase != Phase.MIGRATING) {
      return this;
    }
    if (msg.failure() == null) {
      getContext().getLog().info("{}: domain {} migrated away", id(), name());
      return migrated(new Migrated(id()));
    }
    // where the domain is now is unknown: ask libvirt here (the Controller asks the target)
    String reason = reason(msg.failure());
    getContext().getLog().warn("{}: migration of {} failed: {}", id(), name(), reason);
    getContext().pipeToSelf(hv.state(name(), spec.ops().monitorTimeout()),
        (state, err) -> new MigrateProbed(incarnation, reason, state, err));
    return this;
  }

  private Behavior<Command> onMigrateProbed(MigrateProbed msg) {
    if (msg.incarnation() != incarnation || phase != Phase.MIGRATING) {
      return this;
    }
    // a state that cannot be read counts as still here: the monitor then finds out, never a silent loss
    boolean here = msg.failure() != null || msg.state() == DomainState.RUNNING || msg.state() == DomainState.PAUSED;
    if (!here) {
      getContext().getLog().info("{}: domain {} is no longer here ({})", id(), name(), msg.state());
      return migrated(new MigrateFailed(id(), msg.reason(), false));
    }
    for (ActorRef<Report> r : migrateRequesters.stream().distinct().toList()) {
      r.tell(new MigrateFailed(id(), msg.reason(), true));
    }
    migrateRequesters.clear();
    return startMonitoring();
  }

  /** The domain is not here any more: report it and stop, forgetting it without a stop (and answering stops). */
  private Behavior<Command> migrated(Report report) {
    migrateRequesters.stream().distinct().forEach(r -> r.tell(report));
    return Behaviors.stopped();
  }

  private static String reason(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
