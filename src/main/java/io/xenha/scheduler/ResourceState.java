package io.xenha.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is known of one resource right now: where it is active (from probes and operation results),
 * the nodes it is banned from because it failed there (restarts exhausted, start failed), and fail counts
 * (a node whose count reached the resource's migration-threshold is banned as if it were in failedOn).
 * For a clone set (keyed by the clone's id): activeOn lists the nodes running an instance; instances optionally
 * gives the instance numbers running on a node (from the last transition's placement, "ID:N" -> node) so that
 * numbers stay stable; an active node without an entry runs one instance, numbered by the scheduler.
 * lastFailure: node -> when the resource last failed there (epoch seconds), for failure-timeout; a node without an
 * entry has failures that never expire.
 */
public record ResourceState(String id, Set<String> activeOn, Set<String> failedOn, Map<String, Integer> failCounts,
    Map<String, List<Integer>> instances, Map<String, Long> lastFailure) {

  public ResourceState {
    if (instances == null) instances = Map.of();
    if (lastFailure == null) lastFailure = Map.of();
  }

  public ResourceState(String id, Set<String> activeOn, Set<String> failedOn, Map<String, Integer> failCounts,
      Map<String, List<Integer>> instances) {
    this(id, activeOn, failedOn, failCounts, instances, Map.of());
  }

  public ResourceState(String id, Set<String> activeOn, Set<String> failedOn, Map<String, Integer> failCounts) {
    this(id, activeOn, failedOn, failCounts, Map.of());
  }

  public static ResourceState stopped(String id) {
    return new ResourceState(id, Set.of(), Set.of(), Map.of(), Map.of(), Map.of());
  }
}
