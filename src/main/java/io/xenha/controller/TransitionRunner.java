package io.xenha.controller;

import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.OpResult;
import io.xenha.fencing.FenceAgents;
import io.xenha.fencing.FenceResult;
import io.xenha.scheduler.Action;
import io.xenha.scheduler.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
  public sealed interface Command permits Abort, Recall, Lost, Done, Delayed, FenceStep {}

  /** Stop sending new actions; finish when the ones in flight are done. */
  public record Abort() implements Command {}

  /**
   * The node a fence of this transition is for came back as a new incarnation before it was fenced: no further
   * attempt is made (one already with an executor is checked there against its membership view).
   */
  public record Recall(String node, String why) implements Command {}

  /**
   * node is lost (unclean, to be fenced): a start or stop in flight there is not awaited (it fails now, its late
   * answer is ignored) and none is sent there any more, so that the next transition, with the fence first, need not
   * wait for an answer that will not come. Nothing of node is recovered before its fence all the same.
   */
  public record Lost(String node, String why) implements Command {}

  private record Done(Action action, boolean ok, String reason, OpResult op, List<FenceResult> fences, boolean superseded)
      implements Command {
    Done(Action action, boolean ok, String reason, OpResult op, List<FenceResult> fences) {
      this(action, ok, reason, op, fences, false);
    }
  }

  private record Delayed(Action action) implements Command {}

  /**
   * Where a fence action stands: level (index into the target's levels), device (index within the level),
   * executor (index into that device's executors); {@code last} is the attempt just finished, null at first.
   */
  private record FenceStep(Action action, int level, int device, int executor, List<FenceResult> history, FenceResult last)
      implements Command {}

  /** What the runner tells its Controller. */
  /** superseded: a fence not carried out because its node runs a new incarnation (neither fenced nor failed). */
  public record ActionFinished(Action action, boolean ok, String reason, OpResult op, List<FenceResult> fences,
      boolean superseded) {}

  public record Finished(boolean complete) {}

  /** How the runner reaches NodeAgents, and how it may fence each node. */
  public interface Agents {
    /** The agent of an online node, or null. */
    ActorRef<NodeAgent.Command> agent(String node);

    List<String> onlineNodes();

    /**
     * The fencing levels for target, in order: each level is a list of devices that must all succeed, each
     * device with the online nodes (never the target) that may run it, the best first.
     */
    List<List<FenceDeviceChoice>> fenceLevels(String target);

    /** How long to wait before fencing target (priority-fencing-delay), zero mostly. */
    Duration fenceDelay(String target);

    /** The incarnation (member uid) of target the fence is decided against; 0: whatever runs there. */
    long incarnationToFence(String target);
  }

  /** One device of a fencing level and the nodes that may execute it. */
  public record FenceDeviceChoice(String device, List<String> executors) {}

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
  /** START and STOP actions sent and not finished, by id. */
  private final Map<Integer, Action> opsInFlight = new HashMap<>();
  /** Actions whose result was reported (a late answer of an abandoned one is ignored). */
  private final Set<Integer> finishedIds = new HashSet<>();
  /** node -> why it is lost. */
  private final Map<String, String> lost = new HashMap<>();
  /** node -> why its fence is recalled. */
  private final Map<String, String> recalled = new HashMap<>();
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
        .onMessage(Recall.class, this::onRecall)
        .onMessage(Lost.class, this::onLost)
        .onMessage(Done.class, this::onDone)
        .onMessage(Delayed.class, this::onDelayed)
        .onMessage(FenceStep.class, this::onFenceStep)
        .build();
  }

  private Behavior<Command> kick() {
    if (!stopping) {
      int limit = transition.batchLimit() <= 0 ? Integer.MAX_VALUE : transition.batchLimit();
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

  /** The transition says how long a start waits (start-delay); the runner only keeps the time. */
  private Duration startDelay(Action a) {
    return a.delay();
  }

  /** The configured resource of an action: "pingd:1" is an instance of clone "pingd". */
  private ResourceSpec spec(String resource) {
    return config.resourceOf(resource);
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
      case MIGRATE -> sendMigrate(a);
      case FENCE -> {
        Duration delay = agents.fenceDelay(a.node());
        FenceStep first = new FenceStep(a, 0, 0, 0, List.of(), null);
        if (delay.isZero()) {
          getContext().getSelf().tell(first);
        } else {
          getContext().getLog().warn("fencing {} in {} ms (priority-fencing-delay: it runs the most important resources)",
              a.node(), delay.toMillis());
          timers.startSingleTimer(first, delay);
        }
      }
    }
  }

  private void sendOp(Action a) {
    ActorRef<NodeAgent.Command> agent = agents.agent(a.node());
    if (lost.containsKey(a.node())) {
      getContext().getSelf().tell(new Done(a, false, a.node() + " is lost: " + lost.get(a.node()), null, List.of()));
      return;
    }
    if (agent == null) {
      getContext().getSelf().tell(new Done(a, false, "node " + a.node() + " is not online", null, List.of()));
      return;
    }
    ResourceSpec spec = spec(a.resource());
    Duration opTimeout = a.kind() == Action.Kind.START ? spec.ops().startTimeout() : spec.ops().stopTimeout();
    Duration timeout = opTimeout.plus(config.cluster().askTimeout());
    opsInFlight.put(a.id(), a);
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

  /**
   * A live migration: the target's agent is told to expect the domU, then the source's agent migrates it, within
   * the resource's migrate timeout. The START on the target that follows in the transition adopts it there.
   */
  private void sendMigrate(Action a) {
    ActorRef<NodeAgent.Command> source = agents.agent(a.node());
    ActorRef<NodeAgent.Command> target = agents.agent(a.target());
    if (source == null || target == null) {
      String down = source == null ? a.node() : a.target();
      getContext().getSelf().tell(new Done(a, false, "node " + down + " is not online", null, List.of()));
      return;
    }
    target.tell(new NodeAgent.IncomingMigration(a.resource(), a.node()));
    Duration timeout = spec(a.resource()).ops().migrateTimeout().plus(config.cluster().askTimeout());
    getContext().ask(
        OpResult.class,
        source,
        timeout,
        replyTo -> new NodeAgent.MigrateResource(a.resource(), a.target(), target, replyTo),
        (res, err) -> err != null
            ? new Done(a, false, "no answer from " + a.node() + ": " + err.getMessage(), null, List.of())
            : new Done(a, res.ok(), res.reason(), res, List.of()));
  }

  private Behavior<Command> onFenceStep(FenceStep step) {
    Action a = step.action();
    if (step.last() != null && step.last().superseded() || recalled.containsKey(a.node())) {
      String why = step.last() != null && step.last().superseded() ? step.last().reason()
          : "recalled: " + recalled.get(a.node());
      getContext().getLog().warn("transition: fence of {} ends without fencing: {}", a.node(), why);
      getContext().getSelf().tell(new Done(a, false, why, null, step.history(), true));
      return this;
    }
    List<List<FenceDeviceChoice>> levels = agents.fenceLevels(a.node());
    int level = step.level();
    int device = step.device();
    int executor = step.executor();
    if (step.last() != null) {
      if (step.last().ok()) {
        device++; // this device did its part: next device of the level
        executor = 0;
      } else {
        executor++; // try the same device from the next node
      }
    }
    while (level < levels.size()) {
      List<FenceDeviceChoice> devices = levels.get(level);
      if (device >= devices.size()) {
        // every device of the level succeeded
        FenceResult decided = step.history().isEmpty() ? null : step.history().get(step.history().size() - 1);
        getContext().getSelf().tell(new Done(a, true, decided == null ? "fenced" : decided.reason(), null, step.history()));
        return this;
      }
      FenceDeviceChoice choice = devices.get(device);
      if (executor < choice.executors().size()) {
        sendFence(a, step.history(), level, device, executor, choice.device(), choice.executors().get(executor));
        return this;
      }
      // this device failed from every node: the level failed, go to the next level
      level++;
      device = 0;
      executor = 0;
    }
    String why = levels.isEmpty() ? "no fence device can fence " + a.node() + " from an online node"
        : "every fencing level for " + a.node() + " failed";
    getContext().getSelf().tell(new Done(a, false, why, null, step.history()));
    return this;
  }

  private void sendFence(Action a, List<FenceResult> history, int level, int device, int executorIndex, String deviceId,
      String executor) {
    ActorRef<NodeAgent.Command> agent = agents.agent(executor);
    ResourceSpec spec = config.resources().get(deviceId);
    Duration timeout = FenceAgents.fenceTimeout(spec, config).plus(config.cluster().askTimeout());
    String action = config.properties().stonithAction();
    if (agent == null) {
      List<FenceResult> h = new ArrayList<>(history);
      FenceResult r = new FenceResult(a.node(), deviceId, executor, action, false, executor + " is not online", Instant.now().toString());
      h.add(r);
      getContext().getSelf().tell(new FenceStep(a, level, device, executorIndex, h, r));
      return;
    }
    getContext().ask(
        FenceResult.class,
        agent,
        timeout,
        replyTo -> new NodeAgent.FenceNode(a.node(), deviceId, action, agents.incarnationToFence(a.node()), replyTo),
        (res, err) -> {
          // a result is for the node it names, with the device asked: anything else is no answer (never a fence)
          FenceResult r = err != null
              ? new FenceResult(a.node(), deviceId, executor, action, false, "no answer: " + err.getMessage(), Instant.now().toString())
              : !res.target().equals(a.node()) || !res.device().equals(deviceId)
              ? new FenceResult(a.node(), deviceId, executor, action, false, "the answer was for " + res.target()
                  + " with " + res.device() + ", not for this fence", Instant.now().toString())
              : res;
          List<FenceResult> h = new ArrayList<>(history);
          h.add(r);
          return new FenceStep(a, level, device, executorIndex, h, r);
        });
  }

  private Behavior<Command> onDone(Done msg) {
    Action a = msg.action();
    if (!finishedIds.add(a.id())) {
      return this; // the late answer of an action given up when its node was lost
    }
    opsInFlight.remove(a.id());
    inFlight--;
    onAction.tell(new ActionFinished(a, msg.ok(), msg.reason(), msg.op(), msg.fences(), msg.superseded()));
    if (msg.ok()) {
      succeeded.add(a.id());
    } else {
      getContext().getLog().warn("transition: {} {} on {} failed: {}", a.kind(), a.resource() == null ? "" : a.resource(), a.node(), msg.reason());
      failed = true;
      stopping = true;
    }
    return kick();
  }

  private Behavior<Command> onRecall(Recall msg) {
    recalled.put(msg.node(), msg.why());
    return this;
  }

  private Behavior<Command> onLost(Lost msg) {
    lost.put(msg.node(), msg.why());
    for (Action a : List.copyOf(opsInFlight.values())) {
      if (a.node().equals(msg.node())) {
        getContext().getSelf().tell(new Done(a, false, a.node() + " is lost (" + msg.why() + "): its answer is not "
            + "awaited", null, List.of()));
      }
    }
    return this;
  }

  private Behavior<Command> onAbort(Abort msg) {
    stopping = true;
    return kick();
  }
}
