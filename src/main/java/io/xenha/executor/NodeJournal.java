package io.xenha.executor;

import io.xenha.CborSerializable;
import io.xenha.fencing.FenceResult;
import io.xenha.status.HistoryRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The durable memory of one NodeAgent (Pekko Persistence, one persistence id per node): the results of the
 * operations it ran, its fail counts and the fencing it executed. The agent writes through it and recovers from
 * it before it manages anything, so fail counts and history survive an agent restart; what runs is still asked of
 * libvirt (a probe), never taken from here.
 */
public final class NodeJournal extends EventSourcedBehavior<NodeJournal.Command, NodeJournal.Event, NodeJournal.State> {

  /** Messages the journal accepts. */
  public sealed interface Command extends CborSerializable permits Record, Recall {}

  /** Appends {@code event}; the agent does not wait (one sender, so the journal keeps its order). */
  public record Record(Event event) implements Command {}

  /** The recovered state: the agent asks once, before it starts managing. */
  public record Recall(ActorRef<State> replyTo) implements Command {}

  /** What the journal stores, in the past tense. */
  public sealed interface Event extends CborSerializable permits OperationRecorded, FailCountChanged, FenceRecorded {}

  /** An operation on a resource finished here (start, stop, monitor failure, probe adoption, cleanup). */
  public record OperationRecorded(String resource, String operation, boolean ok, String reason, Instant at)
      implements Event {}

  /** The failures of {@code resource} here are now these (empty: cleared); startFailed: a start failed (fatal). */
  public record FailCountChanged(String resource, List<Instant> failures, boolean startFailed) implements Event {}

  /** A fence this node executed for another node. */
  public record FenceRecorded(FenceResult result) implements Event {}

  /** Failures of one resource on this node. */
  public record FailCount(List<Instant> failures, boolean startFailed) implements CborSerializable {}

  /** The agent's durable facts (also the snapshot): fail counts, and the newest operations and fences. */
  public record State(Map<String, FailCount> failCounts, List<OperationRecorded> operations, List<FenceResult> fencing)
      implements CborSerializable {
    public static final State EMPTY = new State(Map.of(), List.of(), List.of());

    State apply(Event e, int historySize) {
      if (e instanceof OperationRecorded op) {
        return new State(failCounts, append(operations, op, historySize), fencing);
      }
      if (e instanceof FenceRecorded f) {
        return new State(failCounts, operations, append(fencing, f.result(), historySize));
      }
      FailCountChanged c = (FailCountChanged) e;
      Map<String, FailCount> counts = new LinkedHashMap<>(failCounts);
      if (c.failures().isEmpty() && !c.startFailed()) {
        counts.remove(c.resource());
      } else {
        counts.put(c.resource(), new FailCount(List.copyOf(c.failures()), c.startFailed()));
      }
      return new State(Map.copyOf(counts), operations, fencing);
    }

    private static <T> List<T> append(List<T> list, T item, int max) {
      List<T> out = new ArrayList<>(list.size() >= max ? list.subList(list.size() - max + 1, list.size()) : list);
      out.add(item);
      return List.copyOf(out);
    }
  }

  /** The persistence id of {@code node}'s agent. */
  public static PersistenceId persistenceId(String node) {
    return PersistenceId.of("node-agent", node);
  }

  /** An operation as a line of `xenha history`. */
  public static HistoryRecord toHistory(String node, OperationRecorded op) {
    return new HistoryRecord(op.at().toString(), HistoryRecord.OPERATION, node, op.resource(), op.operation(), null,
        op.ok() ? "ok" : "failed", op.reason());
  }

  /** A fence as a line of `xenha history`. */
  public static HistoryRecord toHistory(FenceResult f) {
    return new HistoryRecord(f.at(), HistoryRecord.FENCING, f.executor(), f.device(), f.action(), f.target(),
        f.ok() ? "ok" : f.superseded() ? "superseded" : "failed", f.reason());
  }

  private final int historySize;
  private final int snapshotEvery;

  public static Behavior<Command> create(String node, int snapshotEvery, int historySize) {
    return org.apache.pekko.actor.typed.javadsl.Behaviors.setup(
        ctx -> new NodeJournal(ctx.getSystem(), node, snapshotEvery, historySize));
  }

  private final org.apache.pekko.actor.typed.ActorSystem<?> system;
  private final String node;

  private NodeJournal(org.apache.pekko.actor.typed.ActorSystem<?> system, String node, int snapshotEvery, int historySize) {
    // A journal that cannot be read or written is retried in the background; the agent keeps managing meanwhile. A
    // read or write failure is said once in one line and shown in the status (signalHandler), so Pekko's log of each
    // retry, with its stack trace, is kept for debug. A damaged H2 file never gets here: Journal.prepare sets it
    // aside and starts afresh before the agent starts.
    super(persistenceId(node), SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)
        .withLogLevel(org.slf4j.event.Level.DEBUG));
    this.system = system;
    this.node = node;
    this.historySize = historySize;
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public org.apache.pekko.persistence.typed.javadsl.SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(org.apache.pekko.persistence.typed.RecoveryFailed.class, (state, failed) -> {
          String problem = readProblemPrefix() + " (" + io.xenha.Causes.rootReason(failed.getFailure())
              + "): the fail counts and history recorded "
              + "before are not available and what happens now is kept in memory only; retrying in the background. "
              + "If it stays so, the journal is damaged: stop the agent, move the journal in the state directory "
              + "aside and start it (it starts afresh)";
          if (io.xenha.agent.StateProblems.get(system).addOnce(readProblemPrefix(), problem)) {
            org.slf4j.LoggerFactory.getLogger(NodeJournal.class).error("state-dir: {}", problem);
          }
        })
        .onSignal(org.apache.pekko.persistence.typed.RecoveryCompleted.class, (state, done) -> {
          if (io.xenha.agent.StateProblems.get(system).clear(readProblemPrefix())) {
            org.slf4j.LoggerFactory.getLogger(NodeJournal.class).warn("state-dir: journal of {} is readable again", node);
          }
        })
        .onSignal(org.apache.pekko.persistence.typed.JournalPersistFailed.class,
            (state, failed) -> writeFailed(failed.getFailure()))
        .onSignal(org.apache.pekko.persistence.typed.JournalPersistRejected.class,
            (state, rejected) -> writeFailed(rejected.getFailure()))
        .build();
  }

  private String readProblemPrefix() {
    return "journal of " + node + " cannot be read";
  }

  private String writeProblemPrefix() {
    return "journal of " + node + " cannot be written";
  }

  /**
   * A write failed (a full or read-only disk, a database gone): said once at ERROR and in the status until a write
   * succeeds again; the event is not in the journal (the agent keeps managing: VMs matter more than history; the
   * agent's history in memory still has it until it restarts), the journal restarts with backoff and writes again
   * with the next event once it can.
   */
  private void writeFailed(Throwable failure) {
    String problem = writeProblemPrefix() + " (" + io.xenha.Causes.rootReason(failure) + "): operations and fail counts are "
        + "not recorded until it can be written again (free space or fix the database: it is retried with the next "
        + "event)";
    io.xenha.agent.StateProblems problems = io.xenha.agent.StateProblems.get(system);
    if (problems.addOnce(writeProblemPrefix(), problem)) {
      org.slf4j.LoggerFactory.getLogger(NodeJournal.class).error("state-dir: {}", problem);
    }
  }

  private void written() {
    if (io.xenha.agent.StateProblems.get(system).clear(writeProblemPrefix())) {
      org.slf4j.LoggerFactory.getLogger(NodeJournal.class).warn("state-dir: journal of {} is written again", node);
    }
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Record.class, (state, cmd) -> Effect().persist(cmd.event()).thenRun(s -> written()))
        .onCommand(Recall.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.apply(event, historySize));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // the snapshot holds the whole history kept, so older events are not needed for recovery
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
  }
}
