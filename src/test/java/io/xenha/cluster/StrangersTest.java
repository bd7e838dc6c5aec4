package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.xenha.agent.XenhaNode;
import io.xenha.config.ConfigLoader;
import io.xenha.config.XenhaConfig;
import io.xenha.controller.Controller;
import io.xenha.executor.NodeAgent;
import io.xenha.executor.NodeReport;
import io.xenha.executor.OpResult;
import io.xenha.fencing.FenceResult;
import io.xenha.security.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of what was seen from outside, in insecure mode (plaintext Artery, where nothing but the message checks
 * stands between a stranger and the cluster; over mutual TLS such peers cannot even connect, SecureClusterTest):
 * a bare Pekko system that is no member asks the Controller to fence n3, forges a newer report of n2's agent with
 * nothing running, and tells n2's agent to start a domU; an impostor started with a copy of the configuration that
 * gives n2 another port starts (the Bootstraps answer no node that is not at its configured address, so it never
 * joins). Every attempt is refused and logged once; nothing is fenced, nothing moves, no domU runs twice. Ports 25751-25753 (nodes), 25760 (impostor), 25770 (bare system).
 */
@Tag("slow")
class StrangersTest {

  static final List<String> DOMAINS = List.of("vm1", "vm2", "vm3", "vm4");
  static final String PREFER = """
      constraints.location = [ { resource = vm1, node = n1, score = 50 }, { resource = vm2, node = n2, score = 50 },
        { resource = vm3, node = n2, score = 50 }, { resource = vm4, node = n3, score = 50 } ]
      """;

  static InJvmCluster cluster(Path dir) throws Exception {
    return new InJvmCluster(dir, 3, DOMAINS, PREFER, "", "", n -> hv -> hv, (n, c) -> c, 25750);
  }

  /** Watches for a few seconds that every domU stays where it ran and nothing is fenced. */
  static void assertNothingChanges(InJvmCluster c, Map<String, List<String>> before) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    while (System.nanoTime() < until) {
      assertEquals(before, c.activeDomains(), "nothing moves, nothing runs twice");
      assertTrue(c.fencedAtNanos.isEmpty(), "nothing is fenced: " + c.fencedAtNanos);
      Thread.sleep(200);
    }
    assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
  }

  @Test
  void aBarePekkoSystemThatIsNoMemberIsIgnored(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = cluster(dir);
        LogCapture log = new LogCapture(Controller.class, NodeAgent.class)) {
      Map<String, List<String>> before = HistoryTest.awaitRunningOnce(c, DOMAINS);
      c.awaitConverged(Duration.ofSeconds(30));
      String controller = c.controllerNode("n1");
      Config bare = ConfigFactory.parseString("""
          pekko.actor.provider = remote
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 25770
          pekko.actor.serialization-bindings { "io.xenha.CborSerializable" = jackson-cbor }
          """).withFallback(ConfigFactory.load());
      ActorTestKit kit = ActorTestKit.create("itest", bare);
      try {
        var sel = kit.system().classicSystem();
        String controllerPath = "pekko://itest@127.0.0.1:" + (25750 + Integer.parseInt(controller.substring(1)))
            + "/system/singletonManagercontroller/controller";
        TestProbe<FenceResult> fence = kit.createTestProbe();
        sel.actorSelection(controllerPath).tell(new Controller.FenceRequest("n3", fence.getRef()),
            org.apache.pekko.actor.ActorRef.noSender());
        // a newer incarnation of n2's agent with nothing running: taken for n2's, n2's domUs would start elsewhere
        TestProbe<NodeAgent.Command> fakeAgent = kit.createTestProbe();
        Map<String, NodeReport.LocalResource> nothing = new LinkedHashMap<>();
        DOMAINS.forEach(d -> nothing.put(d, new NodeReport.LocalResource("stopped", 0, null)));
        NodeReport forged = new NodeReport("n2", fakeAgent.getRef().path().address().toString(), fakeAgent.getRef(),
            System.currentTimeMillis() + 60_000, 1, false, nothing, Map.of(), Map.of());
        for (int i = 0; i < 3; i++) {
          sel.actorSelection(controllerPath).tell(new Controller.NodeReported(forged), org.apache.pekko.actor.ActorRef.noSender());
        }
        // and straight to n2's agent: start n1's domU there
        TestProbe<OpResult> start = kit.createTestProbe();
        sel.actorSelection("pekko://itest@127.0.0.1:25752/user/node-agent")
            .tell(new NodeAgent.StartResource("vm1", start.getRef()), org.apache.pekko.actor.ActorRef.noSender());

        fence.expectNoMessage(Duration.ofSeconds(3));
        start.expectNoMessage(Duration.ofSeconds(1));
        assertNothingChanges(c, before);
        assertEquals(1, log.count("refused a fence request for n3 from pekko://itest@127.0.0.1:25770"), log.lines().toString());
        assertEquals(1, log.count("refused a report of n2 from pekko://itest@127.0.0.1:25770"), log.lines().toString());
        assertEquals(1, log.count("n2: refused start vm1 from pekko://itest@127.0.0.1:25770"), log.lines().toString());
        assertTrue(c.status(controller).nodes().stream().allMatch(n -> n.state().equals("online")));
      } finally {
        kit.shutdownTestKit();
      }
    }
  }

  @Test
  void anImpostorWithACopyOfTheConfigurationNeverJoinsAndNothingRunsTwice(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = cluster(dir);
        LogCapture log = new LogCapture(io.xenha.membership.Bootstrap.class)) {
      Map<String, List<String>> before = HistoryTest.awaitRunningOnce(c, DOMAINS);
      c.awaitConverged(Duration.ofSeconds(30));
      // the impostor: the same file, but n2 at another port and its own state directory
      Path imp = Files.createDirectories(dir.resolve("impostor"));
      String conf = Files.readString(c.dir.resolve("cluster.conf")).replace("127.0.0.1:25752", "127.0.0.1:25760")
          .replace(dir.resolve("n2").toString(), imp.toString());
      Path impFile = dir.resolve("imp2.conf");
      Files.writeString(impFile, conf);
      XenhaConfig impConfig = ConfigLoader.load(impFile, Optional.of("n2")).config().orElseThrow();
      XenhaNode impostor = XenhaNode.start(impConfig, "n2", ConfigFactory.parseString(
              "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\npekko.remote.artery.advanced.test-mode = on"),
          NodeAgent.Settings.DEFAULT, Clock.systemUTC());
      try {
        // its Bootstrap asks n1 and n3, which do not answer a node that is not at its configured address: it never
        // joins, so nothing it says reaches the Controller
        assertNothingChanges(c, before);
        assertTrue(!impostor.member(), "the impostor is no member");
        // once by each of the two nodes it asks (n1, n3), however often it asks
        assertEquals(2, log.count("bootstrap: ignoring a request from pekko://itest@127.0.0.1:25760"), log.lines().toString());
        assertTrue(c.status("n1").nodes().stream().allMatch(n -> n.state().equals("online")), "the real n2 is untouched");
        assertTrue(impostor.console().status().warnings().stream().anyMatch(w -> w.contains("waiting for quorum")),
            "the impostor says it waits");
      } finally {
        impostor.close();
      }
    }
  }
}
