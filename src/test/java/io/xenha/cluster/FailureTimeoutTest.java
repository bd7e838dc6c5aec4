package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * failure-timeout at runtime (Pacemaker's cluster-recheck): with migration-threshold 1 a domU that fails on its
 * preferred node moves away; once failure-timeout has passed the failure is forgotten and, its location preference
 * beating stickiness, it returns. Nothing but the Controller's recheck timer plans at that moment.
 */
@Tag("slow")
class FailureTimeoutTest {

  static final String CONSTRAINTS = """
      constraints {
        location = [ { resource = vm1, node = n1, score = 200 }, { resource = vm1, node = n3, score = -INFINITY } ]
      }
      properties { migration-threshold = 1, failure-timeout = 2s }
      """;

  @Test
  void aNodeIsEligibleAgainOnceItsFailureTimedOut(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, List.of("vm1"), CONSTRAINTS, "", "", n -> hv -> hv)) {
      awaitOn(c, "n1", Duration.ofSeconds(60));
      c.awaitConverged(Duration.ofSeconds(30));
      // lost behind xenha's back: the monitor fails, restarts are exhausted at once (threshold 1), n1 is banned
      long failedAt = System.nanoTime();
      c.nodes.get("n1").hypervisor().destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
      awaitOn(c, "n2", Duration.ofSeconds(30));
      long movedAt = System.nanoTime();
      assertTrue(c.status("n1").resources().stream().anyMatch(r -> r.id().equals("vm1") && r.failCounts().get("n1") > 0),
          ClusterFailoverTest.safeStatus(c));

      // 2 s later (counted in whole seconds: up to 3 s) the failure expires and vm1 goes back to its preferred node,
      // well before the Controller's periodic 10 s replan could have done it
      awaitOn(c, "n1", Duration.ofSeconds(9));
      long backAt = System.nanoTime();
      assertTrue(backAt - failedAt >= Duration.ofSeconds(2).toNanos(), "back only after failure-timeout: "
          + Duration.ofNanos(backAt - failedAt));
      assertTrue(backAt - movedAt < Duration.ofSeconds(9).toNanos());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }

  static void awaitOn(InJvmCluster c, String node, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      Map<String, List<String>> w = c.activeDomains();
      if (List.of(node).equals(w.get("vm1"))) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "vm1 not on " + node + " within " + max + ": " + w + "\n"
          + ClusterFailoverTest.safeStatus(c));
      Thread.sleep(50);
    }
  }
}
