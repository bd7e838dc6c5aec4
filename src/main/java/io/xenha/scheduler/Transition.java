package io.xenha.scheduler;

import java.util.List;
import java.util.Map;

/**
 * The scheduler's answer: the actions to run (a DAG through {@link Action#after()}), where each resource is
 * meant to run once they have (resources that cannot run anywhere are absent; clone instances as "ID:N"), and the
 * crm_simulate-style summary lines. batchLimit: at most this many actions in flight at once (Pacemaker's
 * batch-limit; 0: no limit).
 */
public record Transition(List<Action> actions, Map<String, String> placement, List<String> summary, List<String> warnings,
    int batchLimit) {

  /** A transition whose actions may all run at once (batch-limit 0: no limit). */
  public Transition(List<Action> actions, Map<String, String> placement, List<String> summary, List<String> warnings) {
    this(actions, placement, summary, warnings, 0);
  }

  public boolean isEmpty() {
    return actions.isEmpty();
  }
}
