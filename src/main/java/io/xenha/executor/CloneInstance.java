package io.xenha.executor;

import io.xenha.agents.OcfAgentRunner;
import io.xenha.agents.OcfOutcome;
import io.xenha.agents.OcfResult;
import io.xenha.agents.PingAgent;
import io.xenha.attributes.NodeAttributes;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The instance of a clone set (pingd, evms, configpool, ...) on this node, or of any OCF / built-in resource:
 * starts it, monitors it every interval, stops it. Supervised like a DomainActor: a failed monitor fails the
 * actor and the NodeAgent restarts it with backoff, which runs stop and start again (recovery in place); exhausted
 * restarts ban the resource from this node. The built-in ping agent sets the node attribute (dampened) instead of
 * running a process.
 */
public final class CloneInstance extends AbstractBehavior<CloneInstance.Command> {

  /** Messages of a clone instance. */
  public sealed interface Command permits Stop, Tick, Done, Dampened {}

  /** Stops the instance; replies Stopped or StopFailed, then the actor stops. */
  public record Stop(ActorRef<DomainActor.Report> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record Done(String action, boolean ok, boolean notRunning, String summary, int score) implements Command {}

  private record Dampened(int score) implements Command {}

  private final ResourceSpec spec;
  private final XenhaConfig config;
  private final String node;
  private final Executor blocking;
  private final ActorRef<DomainActor.Report> reportTo;
  private final ActorRef<NodeAttributes.Command> attributes;
  private final PingAgent.Pinger pinger;
  private final TimerScheduler<Command> timers;
  private final Path stateDir;
  private ActorRef<DomainActor.Report> stopReplyTo;
  private Integer published; // the ping score written to the node attribute
  private Integer pending;

  public static Behavior<Command> supervised(
      ResourceSpec spec, XenhaConfig config, String node, Executor blocking, ActorRef<DomainActor.Report> reportTo,
      ActorRef<NodeAttributes.Command> attributes, PingAgent.Pinger pinger, int migrationThreshold,
      Duration failureTimeout, Duration minBackoff, Duration maxBackoff) {
    Duration reset = failureTimeout.isZero() ? Duration.ofDays(240) : failureTimeout;
    Behavior<Command> instance = Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new CloneInstance(ctx, timers, spec, config, node, blocking, reportTo, attributes, pinger).begin()));
    return Behaviors.supervise(instance).onFailure(DomainActor.ResourceFailure.class,
        SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, 0.2)
            .withMaxRestarts(Math.max(0, migrationThreshold - 1))
            .withResetBackoffAfter(reset)
            .withLoggingEnabled(false));
  }

  private CloneInstance(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ResourceSpec spec, XenhaConfig config, String node,
      Executor blocking, ActorRef<DomainActor.Report> reportTo, ActorRef<NodeAttributes.Command> attributes,
      PingAgent.Pinger pinger) {
    super(ctx);
    this.timers = timers;
    this.spec = spec;
    this.config = config;
    this.node = node;
    this.blocking = blocking;
    this.reportTo = reportTo;
    this.attributes = attributes;
    this.pinger = pinger;
    this.stateDir = config.node(node).stateDir().resolve("agents");
  }

  private boolean isPing() {
    return "builtin".equals(spec.type());
  }

  private String attributeName() {
    return spec.params().getOrDefault("name", "pingd");
  }

  /** Start, or after a supervision restart: stop what may be left, then start again. */
  private Behavior<Command> begin() {
    if (isPing()) {
      run("start", () -> {
        Done first = ping();
        return new Done("start", true, false, first.summary(), first.score());
      });
    } else {
      run("start", () -> {
        // recovery in place is stop + start (Pacemaker); a stop of a stopped resource is a success
        OcfOutcome stop = ocf("stop", spec.ops().stopTimeout(), Duration.ZERO);
        if (stop.result() != OcfResult.SUCCESS && stop.result() != OcfResult.NOT_RUNNING) {
          return new Done("start", false, false, "stop before start failed: " + stop.summary(), 0);
        }
        OcfOutcome start = ocf("start", spec.ops().startTimeout(), Duration.ZERO);
        return new Done("start", start.result() == OcfResult.SUCCESS, false, start.summary(), 0);
      });
    }
    return this;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Done.class, this::onDone)
        .onMessage(Tick.class, t -> monitor())
        .onMessage(Dampened.class, this::onDampened)
        .onMessage(Stop.class, this::onStop)
        .build();
  }

  private void run(String action, java.util.function.Supplier<Done> work) {
    CompletableFuture<Done> f = CompletableFuture.supplyAsync(work, blocking);
    getContext().pipeToSelf(f, (d, err) -> err != null
        ? new Done(action, false, false, rootMessage(err), 0)
        : d);
  }

  private OcfOutcome ocf(String action, Duration timeout, Duration interval) {
    Map<String, String> meta = new HashMap<>();
    meta.put("timeout", Long.toString(timeout.toMillis()));
    meta.put("interval", Long.toString(interval.toMillis()));
    if (spec.cloneSet() != null) {
      meta.put("clone", "0");
      meta.put("clone_max", Integer.toString(spec.cloneSet().cloneMax()));
      meta.put("clone_node_max", Integer.toString(spec.cloneSet().cloneNodeMax()));
      meta.put("notify", Boolean.toString(spec.cloneSet().notifyEnabled()));
    }
    Path agent = OcfAgentRunner.resolve(spec.agent(), config.ocfRoot());
    return OcfAgentRunner.run(agent, action, spec.id(), spec.params(), meta, timeout, stateDir);
  }

  private Done ping() {
    List<String> hosts = Arrays.stream(spec.params().getOrDefault("host-list", "").split("[,\\s]+"))
        .filter(h -> !h.isBlank()).toList();
    int multiplier = Integer.parseInt(spec.params().getOrDefault("multiplier", "1"));
    Duration timeout = Duration.ofSeconds(Math.max(1, spec.ops().monitorTimeout().toSeconds() / Math.max(1, hosts.size())));
    int score = PingAgent.score(hosts, multiplier, pinger, timeout);
    return new Done("monitor", true, false, score + " (" + hosts.size() + " hosts)", score);
  }

  private Behavior<Command> monitor() {
    if (isPing()) {
      run("monitor", this::ping);
    } else {
      run("monitor", () -> {
        OcfOutcome o = ocf("monitor", spec.ops().monitorTimeout(), spec.ops().monitorInterval());
        return new Done("monitor", o.result() == OcfResult.SUCCESS, o.result() == OcfResult.NOT_RUNNING, o.summary(), 0);
      });
    }
    return this;
  }

  private void scheduleMonitor() {
    Duration interval = spec.ops().monitorInterval();
    if (!interval.isZero()) {
      timers.startSingleTimer("monitor", new Tick(), interval);
    }
  }

  private Behavior<Command> onDone(Done d) {
    if (stopReplyTo != null && !d.action().equals("stop")) {
      return this; // a stop is under way: late monitor results do not matter
    }
    switch (d.action()) {
      case "start" -> {
        if (!d.ok()) {
          reportTo.tell(new DomainActor.StartFailed(spec.id(), d.summary()));
          return Behaviors.stopped();
        }
        if (isPing()) {
          publish(d.score()); // the first value is written at once: rules need it to place anything
        }
        reportTo.tell(new DomainActor.Started(spec.id(), false));
        scheduleMonitor();
      }
      case "monitor" -> {
        if (isPing()) {
          dampen(d.score());
          scheduleMonitor();
        } else if (d.ok()) {
          scheduleMonitor();
        } else {
          String why = d.notRunning() ? "not running" : d.summary();
          getContext().getLog().warn("{} on {}: monitor failed: {}", spec.id(), node, why);
          reportTo.tell(new DomainActor.MonitorFailed(spec.id(), why));
          throw new DomainActor.ResourceFailure(spec.id(), why);
        }
      }
      case "stop" -> {
        DomainActor.Report r = d.ok() ? new DomainActor.Stopped(spec.id()) : new DomainActor.StopFailed(spec.id(), d.summary());
        stopReplyTo.tell(r);
        if (!stopReplyTo.equals(reportTo)) {
          reportTo.tell(r);
        }
        return Behaviors.stopped();
      }
      default -> { }
    }
    return this;
  }

  /** attrd's dampening: a changed score is written once it has held for the dampen delay. */
  private void dampen(int score) {
    if (published != null && score == published) {
      pending = null;
      timers.cancel("dampen");
      return;
    }
    if (pending == null || pending != score) {
      pending = score;
      Duration dampen = parseDuration(spec.params().getOrDefault("dampen", "5s"));
      timers.startSingleTimer("dampen", new Dampened(score), dampen);
    }
  }

  private Behavior<Command> onDampened(Dampened d) {
    if (pending != null && pending == d.score()) {
      publish(d.score());
      pending = null;
    }
    return this;
  }

  private void publish(int score) {
    if (published == null || published != score) {
      getContext().getLog().info("{} on {}: node attribute {} = {}", spec.id(), node, attributeName(), score);
    }
    published = score;
    attributes.tell(new NodeAttributes.Set(attributeName(), Integer.toString(score)));
  }

  private Behavior<Command> onStop(Stop s) {
    stopReplyTo = s.replyTo();
    timers.cancelAll();
    if (isPing()) {
      // pingd removes its attribute when it stops: rules then see "not_defined"
      attributes.tell(new NodeAttributes.Delete(attributeName()));
      getContext().getSelf().tell(new Done("stop", true, false, "stopped", 0));
    } else {
      run("stop", () -> {
        OcfOutcome o = ocf("stop", spec.ops().stopTimeout(), Duration.ZERO);
        return new Done("stop", o.result() == OcfResult.SUCCESS || o.result() == OcfResult.NOT_RUNNING, false, o.summary(), 0);
      });
    }
    return this;
  }

  static Duration parseDuration(String text) {
    return Duration.ofMillis(com.typesafe.config.ConfigFactory.parseString("d = " + text).getDuration("d").toMillis());
  }

  private static String rootMessage(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
