package io.xenha.fencing;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.executor.DomainActor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One STONITH device hosted on this node (never on a node it fences: the scheduler sees to that). It proves the
 * device works with the agent's monitor action at start and every monitor interval, like any other resource:
 * a failed monitor fails the actor, its NodeAgent restarts it with backoff, and exhausted restarts ban the device
 * from this node. It also runs the fence requests the Controller routes through it. Reports use the same
 * records as DomainActor, so the NodeAgent tracks devices like domUs.
 */
public final class FenceDevice extends AbstractBehavior<FenceDevice.Command> {

  /** Messages of a FenceDevice. */
  public sealed interface Command permits Stop, Fence, Tick, Monitored, Fenced {}

  /** Stops the device actor (nothing to undo on the hardware); replies Stopped. */
  public record Stop(ActorRef<DomainActor.Report> replyTo) implements Command {}

  /** Fences target with action (reboot | off | on | status). */
  public record Fence(String target, String action, ActorRef<FenceResult> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record Monitored(boolean first, boolean ok, String summary) implements Command {}

  private record Fenced(FenceResult result, ActorRef<FenceResult> replyTo) implements Command {}

  private final ResourceSpec spec;
  private final XenhaConfig config;
  private final String node;
  private final FenceAgent agent;
  private final Executor blocking;
  private final ActorRef<DomainActor.Report> reportTo;
  private final TimerScheduler<Command> timers;

  public static Behavior<Command> supervised(
      ResourceSpec spec, XenhaConfig config, String node, FenceAgent agent, Executor blocking,
      ActorRef<DomainActor.Report> reportTo, int migrationThreshold, Duration failureTimeout,
      Duration minBackoff, Duration maxBackoff) {
    Duration reset = failureTimeout.isZero() ? Duration.ofDays(240) : failureTimeout;
    Behavior<Command> device = Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new FenceDevice(ctx, timers, spec, config, node, agent, blocking, reportTo).monitor(true)));
    return Behaviors.supervise(device).onFailure(DomainActor.ResourceFailure.class,
        SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2)
            .withMaxRestarts(Math.max(0, migrationThreshold - 1))
            .withResetBackoffAfter(reset)
            .withLoggingEnabled(false));
  }

  private FenceDevice(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ResourceSpec spec, XenhaConfig config, String node,
      FenceAgent agent, Executor blocking, ActorRef<DomainActor.Report> reportTo) {
    super(ctx);
    this.timers = timers;
    this.spec = spec;
    this.config = config;
    this.node = node;
    this.agent = agent;
    this.blocking = blocking;
    this.reportTo = reportTo;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, t -> monitor(false))
        .onMessage(Monitored.class, this::onMonitored)
        .onMessage(Fence.class, this::onFence)
        .onMessage(Fenced.class, this::onFenced)
        .onMessage(Stop.class, this::onStop)
        .build();
  }

  private Behavior<Command> monitor(boolean first) {
    Duration timeout = spec.ops().monitorTimeout();
    CompletableFuture<FenceAgent.Outcome> f = CompletableFuture.supplyAsync(() -> call("monitor", "", timeout), blocking);
    getContext().pipeToSelf(f, (o, err) -> err != null
        ? new Monitored(first, false, rootMessage(err))
        : new Monitored(first, o.ok(), o.summary()));
    return this;
  }

  private Behavior<Command> onMonitored(Monitored m) {
    if (m.ok()) {
      if (m.first()) {
        reportTo.tell(new DomainActor.Started(spec.id(), false));
      }
      Duration interval = spec.ops().monitorInterval();
      if (!interval.isZero()) {
        timers.startSingleTimer(new Tick(), interval);
      }
      return this;
    }
    if (m.first()) {
      reportTo.tell(new DomainActor.StartFailed(spec.id(), "device monitor failed: " + m.summary()));
      return Behaviors.stopped();
    }
    getContext().getLog().warn("fence device {} on {}: monitor failed: {}", spec.id(), node, m.summary());
    reportTo.tell(new DomainActor.MonitorFailed(spec.id(), m.summary()));
    throw new DomainActor.ResourceFailure(spec.id(), m.summary());
  }

  private Behavior<Command> onFence(Fence f) {
    Duration timeout = FenceAgents.fenceTimeout(spec, config);
    CompletableFuture<FenceAgent.Outcome> run = CompletableFuture.supplyAsync(() -> call(f.action(), f.target(), timeout), blocking);
    getContext().pipeToSelf(run, (o, err) -> new Fenced(new FenceResult(f.target(), spec.id(), node, f.action(),
        err == null && o.ok(), err != null ? rootMessage(err) : o.summary(), Instant.now().toString()), f.replyTo()));
    return this;
  }

  private Behavior<Command> onFenced(Fenced f) {
    f.replyTo().tell(f.result());
    return this;
  }

  private Behavior<Command> onStop(Stop s) {
    DomainActor.Stopped stopped = new DomainActor.Stopped(spec.id());
    s.replyTo().tell(stopped);
    if (!s.replyTo().equals(reportTo)) {
      reportTo.tell(stopped);
    }
    return Behaviors.stopped();
  }

  private FenceAgent.Outcome call(String action, String target, Duration timeout) {
    try {
      return agent.execute(action, target, timeout);
    } catch (Exception e) {
      throw new CompletionException(e);
    }
  }

  static String rootMessage(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
