package io.xenha.controller;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.OpResult;
import io.xenha.fencing.FenceResult;
import io.xenha.scheduler.Action;
import io.xenha.scheduler.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Runs one transition (Pacemaker's transition engine): sends each action once everything it depends on has
 * succeeded, at most batch-limit at a time, waits a resource's start-delay before its start, and reports every
 * result to the Controller. The first failure ends the transition: nothing new is sent, what is in flight is
 * awaited, and the Controller plans again from the new facts.
 */
public final class TransitionRunner extends AbstractBehavior<TransitionRunner.Command> {

  /** Messages of the runner (all local: it never leaves the Controller's node). */
  public sealed interface Command permits Abort, Done, Delayed {}

  /** Stop sending new actions; finish when the ones in flight are done. */
  public record Abort() implements Command {}

  private record Done(Action action, boolean ok, String reason, OpResult op, List<FenceResult> fences) implements Command {}

  private record Delayed(Action action) implements Command {}

  /** What the runner tells its Controller. */
  public record ActionFinished(Action action, boolean ok, String reason, OpResult op, List<FenceResult> fences) {}

  public record Finished(boolean complete) {}

  /** How the runner reaches NodeAgents: node name to agent, for the nodes that are online now. */
  public interface Agents {
    ActorRef<NodeAgent.Command> agent(String node);

    List<String> onlineNodes();
  }

  private final XenhaConfig config;
  private final Transition transition;
  private final Agents agents;
  private final ActorRef<ActionFinished> onAction;
  private final ActorRef<Finished> onFinished;
  private final TimerScheduler<Command> timers;
  private final Set<Integer> succeeded = new HashSet<>();
  private final Set<Integer> sent = new HashSet<>();
  private int inFlight;
  private boolean stopping;
  private boolean failed;

  public static Behavior<Command> create(
      XenhaConfig config, Transition transition, Agents agents, ActorRef<ActionFinished> onAction, ActorRef<Finished> onFinished) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new TransitionRunner(ctx, timers, config, transition, agents, onAction, onFinished).kick()));
  }

  private TransitionRunner(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      XenhaConfig config,
      Transition transition,
      Agents agents,
      ActorRef<ActionFinished> onAction,
      ActorRef<Finished> onFinished) {
    super(ctx);
    this.timers = timers;
    this.config = config;
    this.transition = transition;
    this.agents = agents;
    this.onAction = onAction;
    this.onFinished = onFinished;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Abort.class, this::onAbort)
        .onMessage(Done.class, this::onDone)
        .onMessage(Delayed.class, this::onDelayed)
        .build();
  }

  private Behavior<Command> kick() {
    if (!stopping) {
      int limit = Math.max(1, config.properties().batchLimit());
      for (Action a : transition.actions()) {
        if (inFlight >= limit) {
          break;
        }
        if (!sent.contains(a.id()) && succeeded.containsAll(a.after())) {
          sent.add(a.id());
          inFlight++;
          Duration delay = startDelay(a);
          if (delay.isZero()) {
            send(a);
          } else {
            timers.startSingleTimer(new Delayed(a), delay);
          }
        }
      }
    }
    if (inFlight == 0) {
      boolean complete = !failed && succeeded.size() == transition.actions().size();
      onFinished.tell(new Finished(complete));
      return Behaviors.stopped();
    }
    return this;
  }

  private Duration startDelay(Action a) {
    if (a.kind() != Action.Kind.START) {
      return Duration.ZERO;
    }
    ResourceSpec spec = config.resources().get(a.resource());
    return spec == null || spec.startDelay() == null ? Duration.ZERO : spec.startDelay();
  }

  private Behavior<Command> onDelayed(Delayed msg) {
    if (stopping) {
      inFlight--;
      return kick();
    }
    send(msg.action());
    return this;
  }

  private void send(Action a) {
    getContext().getLog().info("transition: {} {} {}", a.kind(), a.resource() == null ? "" : a.resource(), a.node());
    switch (a.kind()) {
      case START, STOP -> sendOp(a);
      case FENCE -> sendFence(a, new ArrayList<>(), fenceAttempts(a.node()), 0);
    }
  }

  private void sendOp(Action a) {
    ActorRef<NodeAgent.Command> agent = agents.agent(a.node());
    if (agent == null) {
      getContext().getSelf().tell(new Done(a, false, "node " + a.node() + " is not online", null, List.of()));
      return;
    }
    ResourceSpec spec = config.resources().get(a.resource());
    Duration opTimeout = a.kind() == Action.Kind.START ? spec.ops().startTimeout() : spec.ops().stopTimeout();
    Duration timeout = opTimeout.plus(config.cluster().askTimeout());
    getContext().ask(
        OpResult.class,
        agent,
        timeout,
        replyTo -> a.kind() == Action.Kind.START
            ? new NodeAgent.StartResource(a.resource(), replyTo)
            : new NodeAgent.StopResource(a.resource(), replyTo),
        (res, err) -> err != null
            ? new Done(a, false, "no answer from " + a.node() + ": " + err.getMessage(), null, List.of())
            : new Done(a, res.ok(), res.reason(), res, List.of()));
  }

  /** Every (device, executor) pair that may fence target: devices in config order, executors online and not the target. */
  private List<String[]> fenceAttempts(String target) {
    List<String[]> attempts = new ArrayList<>();
    for (ResourceSpec r : config.resources().values()) {
      if (!r.isStonith() || (!r.hosts().isEmpty() && !r.hosts().contains(target))) {
        continue;
      }
      for (String executor : agents.onlineNodes()) {
        if (!executor.equals(target)) {
          attempts.add(new String[] {r.id(), executor});
        }
      }
    }
    return attempts;
  }

  private void sendFence(Action a, List<FenceResult> history, List<String[]> attempts, int index) {
    if (index >= attempts.size()) {
      String why = attempts.isEmpty() ? "no fence device can reach " + a.node() + " from an online node" : "every fence device failed";
      getContext().getSelf().tell(new Done(a, false, why, null, history));
      return;
    }
    String device = attempts.get(index)[0];
    String executor = attempts.get(index)[1];
    ActorRef<NodeAgent.Command> agent = agents.agent(executor);
    ResourceSpec spec = config.resources().get(device);
    Duration timeout = spec.ops().stopTimeout().plus(config.cluster().askTimeout());
    String action = config.properties().stonithAction();
    getContext().ask(
        FenceResult.class,
        agent,
        timeout,
        replyTo -> new NodeAgent.FenceNode(a.node(), device, action, replyTo),
        (res, err) -> {
          FenceResult r = err != null
              ? new FenceResult(a.node(), device, executor, action, false, "no answer: " + err.getMessage(), Instant.now().toString())
              : res;
          List<FenceResult> h = new ArrayList<>(history);
          h.add(r);
          if (r.ok()) {
            return new Done(a, true, r.reason(), null, h);
          }
          // try the next device/executor: re-enter through a Done that carries the partial history
          return new Done(a, false, "retry:" + (index + 1), null, h);
        });
  }

  private Behavior<Command> onDone(Done msg) {
    Action a = msg.action();
    if (a.kind() == Action.Kind.FENCE && !msg.ok() && msg.reason() != null && msg.reason().startsWith("retry:")) {
      int next = Integer.parseInt(msg.reason().substring("retry:".length()));
      sendFence(a, msg.fences(), fenceAttempts(a.node()), next);
      return this;
    }
    inFlight--;
    onAction.tell(new ActionFinished(a, msg.ok(), msg.reason(), msg.op(), msg.fences()));
    if (msg.ok()) {
      succeeded.add(a.id());
    } else {
      getContext().getLog().warn("transition: {} {} on {} failed: {}", a.kind(), a.resource() == null ? "" : a.resource(), a.node(), msg.reason());
      failed = true;
      stopping = true;
    }
    return kick();
  }

  private Behavior<Command> onAbort(Abort msg) {
    stopping = true;
    return kick();
  }
}
