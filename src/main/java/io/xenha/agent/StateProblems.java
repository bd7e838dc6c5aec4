package io.xenha.agent;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What went wrong with this node's durable state (a damaged runtime-overrides file, an unreadable journal, a state
 * directory that cannot be written): each problem is logged at ERROR once where it is found and kept here, so that
 * the node's reports carry it and `xenha status` shows it on this node until the agent restarts.
 */
public final class StateProblems implements Extension {

  private final List<String> problems = new ArrayList<>();
  private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private StateProblems() {}

  /** Adds a problem (ignored when the same text is there already); true when it is new. */
  public boolean add(String problem) {
    synchronized (this) {
      if (problems.contains(problem)) {
        return false;
      }
      problems.add(problem);
    }
    listeners.forEach(Runnable::run);
    return true;
  }

  /**
   * Adds problem unless one with the same prefix is there (a fault that lasts is said once, with its first reason);
   * true when it is new.
   */
  public boolean addOnce(String prefix, String problem) {
    synchronized (this) {
      if (problems.stream().anyMatch(p -> p.startsWith(prefix))) {
        return false;
      }
    }
    return add(problem);
  }

  /** Removes the problems that start with prefix (a fault that went away); true when there was one. */
  public boolean clear(String prefix) {
    boolean removed;
    synchronized (this) {
      removed = problems.removeIf(p -> p.startsWith(prefix));
    }
    if (removed) {
      listeners.forEach(Runnable::run);
    }
    return removed;
  }

  /** Runs listener (from any thread; it must only send a message) after each change, so reports carry it at once. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public synchronized List<String> list() {
    return List.copyOf(problems);
  }

  /** Whether the durable Distributed Data of this node was damaged: its own replica is no truth to fall back on. */
  public synchronized boolean durableDataDamaged() {
    return problems.stream().anyMatch(p -> p.startsWith(DDATA));
  }

  static final String DDATA = "durable data damaged: ";

  public static StateProblems get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public static StateProblems get(org.apache.pekko.actor.ActorSystem system) {
    return get(org.apache.pekko.actor.typed.javadsl.Adapter.toTyped(system));
  }

  private static final class Id extends ExtensionId<StateProblems> {
    static final Id INSTANCE = new Id();

    @Override
    public StateProblems createExtension(ActorSystem<?> system) {
      return new StateProblems();
    }
  }
}
