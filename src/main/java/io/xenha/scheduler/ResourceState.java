package io.xenha.scheduler;

import java.util.Map;
import java.util.Set;

/**
 * What is known of one resource right now: where it is active (from probes and operation results),
 * the nodes it is banned from because it failed there (restarts exhausted, start failed), and fail counts
 * (a node whose count reached the resource's migration-threshold is banned as if it were in failedOn).
 */
public record ResourceState(String id, Set<String> activeOn, Set<String> failedOn, Map<String, Integer> failCounts) {
  public static ResourceState stopped(String id) {
    return new ResourceState(id, Set.of(), Set.of(), Map.of());
  }
}
