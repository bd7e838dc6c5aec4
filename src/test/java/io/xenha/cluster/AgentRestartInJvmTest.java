package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.hypervisor.ForwardingHypervisor;
import io.xenha.hypervisor.Hypervisor;
import io.xenha.hypervisor.Hypervisors;
import io.xenha.status.ClusterStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's agent crashes and starts again at once while its domUs keep running (its hypervisor outlives the
 * ActorSystem here, as a dom0's domUs outlive a killed xenha process). In-JVM the new incarnation starts within a
 * second and listens on another port, so its reports and its probe answer can reach the Controller before the
 * old incarnation is removed: whatever the order, nothing may be started anywhere and nothing may move.
 * (`AgentRestartIT` is the same with real processes on the same address, a libvirtd each.)
 */
@Tag("slow")
class AgentRestartInJvmTest {

  /** Runs the kept hypervisors' libvirt calls: the blocking dispatcher of a crashed ActorSystem is gone with it. */
  static final java.util.concurrent.ExecutorService LIBVIRT = java.util.concurrent.Executors.newFixedThreadPool(4);

  /**
   * The hypervisor of node n as a crash leaves it: one connection per node for the whole test (the agent's own is
   * closed), and the closing of an agent that crashes on purpose does not close it (its event listeners go quiet
   * instead, so every start is recorded once).
   */
  static Hypervisor surviving(String n, Hypervisor fresh, Map<String, Hypervisor> kept, Set<String> crashing) {
    Hypervisor real = kept.computeIfAbsent(n, k -> Hypervisors.open(fresh.uri(), LIBVIRT));
    fresh.close();
    return new ForwardingHypervisor(real) {
      private volatile boolean open = true;

      /** A crashing agent does nothing more to its domUs (in-JVM its shutdown would still try to destroy them). */
      private <T> java.util.concurrent.CompletionStage<T> unlessCrashing(java.util.function.Supplier<java.util.concurrent.CompletionStage<T>> op) {
        return open && !crashing.contains(n) ? op.get()
            : java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("the agent crashed"));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> start(String name, String xml, Duration timeout) {
        return unlessCrashing(() -> real.start(name, xml, timeout));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> stop(String name, Duration timeout) {
        return unlessCrashing(() -> real.stop(name, timeout));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> destroy(String name, Duration timeout) {
        return unlessCrashing(() -> real.destroy(name, timeout));
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> migrate(String name, String targetUri, Duration timeout) {
        return unlessCrashing(() -> real.migrate(name, targetUri, timeout));
      }

      @Override
      public void subscribe(Consumer<DomainEvent> listener) {
        real.subscribe(e -> {
          if (open) listener.accept(e);
        });
      }

      @Override
      public void close() {
        open = false;
        if (!crashing.remove(n)) {
          kept.remove(n);
          real.close(); // fenced or shut down: the domUs go with it
        }
      }
    };
  }

  @Test
  void anAgentThatCrashesAndComesBackAtOnceStartsNothingAndMovesNothing(@TempDir Path dir) throws Exception {
    Map<String, Hypervisor> kept = new ConcurrentHashMap<>();
    Set<String> crashing = ConcurrentHashMap.newKeySet();
    try (InJvmCluster c = new InJvmCluster(dir, 3, FencingTest.DOMAINS, "",
        "properties { stonith-enabled = false, self-fence-deadline = 20s }\nresource-defaults.ops.stop.timeout = 5s", "",
        n -> hv -> surviving(n, hv, kept, crashing))) {
      Map<String, List<String>> before = ClusterFailoverTest.awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      String restarted = FencingTest.other(c, controller);
      assertFalse(ClusterFailoverTest.domainsOn(before, restarted).isEmpty(), restarted + " runs domUs: " + before);
      long crashedAt = System.nanoTime();
      crashing.add(restarted);
      c.crash(restarted);
      c.restart(restarted);
      // the old incarnation is removed (stonith disabled: a self-fence deadline would start) or was never missed;
      // either way the restarted agent's probe must be what the Controller ends up with
      FencingTest.awaitStatus(c, controller, s -> s.warnings() != null && s.warnings().stream()
          .anyMatch(w -> w.startsWith("holding decisions: " + restarted) || w.startsWith("unreachable")),
          Duration.ofSeconds(30), "the Controller notices that " + restarted + "'s agent went");

      ClusterStatus back = FencingTest.awaitStatus(c, controller, s -> AdminCommandsTest.nodeState(s, restarted).equals("online")
          && (s.warnings() == null || s.warnings().stream().noneMatch(w -> w.startsWith("holding decisions"))),
          Duration.ofSeconds(60), restarted + " online again with what it ran");
      for (String d : ClusterFailoverTest.domainsOn(before, restarted)) {
        assertEquals(restarted, back.resources().stream().filter(r -> r.id().equals(d)).findFirst().orElseThrow().node(),
            d + " is reported where it ran");
      }
      AdminCommandsTest.assertNothingMoves(c, before, crashedAt);
      assertEquals(before, c.activeDomains(), "every domU runs where it ran");
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }
}
