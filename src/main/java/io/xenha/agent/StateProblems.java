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

  private StateProblems() {}

  /** Adds a problem (ignored when the same text is there already); true when it is new. */
  public synchronized boolean add(String problem) {
    if (problems.contains(problem)) {
      return false;
    }
    problems.add(problem);
    return true;
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
