package io.xenha.cluster;

import static io.xenha.cluster.AdminCommandsTest.awaitStatus;
import static io.xenha.cluster.AdminCommandsTest.nodeState;
import static io.xenha.cluster.AdminCommandsTest.resource;
import static io.xenha.cluster.ClusterFailoverTest.CONSTRAINTS;
import static io.xenha.cluster.ClusterFailoverTest.DOMAINS;
import static io.xenha.cluster.ClusterFailoverTest.awaitAllRunningOnce;
import static io.xenha.cluster.ClusterFailoverTest.domainsOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cli.CliRun.Run;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxNames;
import io.xenha.jmx.JmxServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xenha node`, `xenha resource`, `xenha maintenance` and the JMX operations behind them, against a running
 * three-node cluster whose n1 serves JMX: exit codes, answers, refusals, and cluster-wide maintenance mode keeping
 * every domU as it is while an agent is stopped (the upgrade of xenha itself).
 */
@Tag("slow")
class AdminCliTest {

  static Run xenha(String jmx, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--jmx", jmx, "--credentials", io.xenha.security.TestCredentials.shared().adminFile().toString()));
    return io.xenha.cli.CliRun.xenha(all.toArray(String[]::new));
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void commandsAndBeansChangeTheClusterAndRefusalsExitOne(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      int port = freePort();
      try (JmxServer jmx = JmxServer.start("127.0.0.1", port, c.nodes.get("n1").console(),
          List.copyOf(c.config.nodes().keySet()), List.copyOf(c.config.resources().keySet()), io.xenha.security.TestCredentials.shared().access())) {
        String at = "127.0.0.1:" + port;

        Run stop = xenha(at, "resource", "stop", "vm5");
        assertEquals(0, stop.code(), stop.err());
        assertTrue(stop.out().contains("vm5: target-role Stopped"), stop.out());
        awaitStatus(c, "n1", s -> resource(s, "vm5").state().equals("stopped"), "vm5 stopped");
        Run start = xenha(at, "resource", "start", "vm5");
        assertEquals(0, start.code(), start.err());
        awaitStatus(c, "n1", s -> resource(s, "vm5").state().equals("started"), "vm5 started");

        Run unknown = xenha(at, "resource", "stop", "nope");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("refused: unknown resource 'nope'"), unknown.err());
        Run noNode = xenha(at, "node", "standby", "n9");
        assertEquals(1, noNode.code());
        assertTrue(noNode.err().contains("unknown node 'n9'"), noNode.err());
        Run badLifetime = xenha(at, "resource", "migrate", "vm4", "--lifetime", "soon");
        assertEquals(1, badLifetime.code());
        assertTrue(badLifetime.err().contains("lifetime 'soon' is not a duration"), badLifetime.err());
        Run wrongOption = xenha(at, "resource", "stop", "vm4", "--lifetime", "10m");
        assertEquals(2, wrongOption.code());
        Run badAction = xenha(at, "node", "reboot", "n2");
        assertEquals(2, badAction.code(), "picocli rejects an unknown action");

        // export: the configuration plus the overrides, loadable as a configuration with the same state
        assertEquals(0, xenha(at, "resource", "unmanage", "vm6").code());
        Path exported = dir.resolve("exported.conf");
        Run export = xenha(at, "export", "--output", exported.toString());
        assertEquals(0, export.code(), export.err());
        String text = java.nio.file.Files.readString(exported);
        assertTrue(text.startsWith(java.nio.file.Files.readString(dir.resolve("cluster.conf"))), text);
        assertTrue(text.contains("resources.vm6.is-managed = false"), text);
        var restored = io.xenha.config.ConfigLoader.load(exported, java.util.Optional.empty());
        assertTrue(restored.ok(), restored.problems().toString());
        assertFalse(restored.config().orElseThrow().resources().get("vm6").managed());
        assertEquals(0, xenha(at, "resource", "manage", "vm6").code());

        // the Node bean's operations do what the command does
        String controller = c.controllerNode("n1");
        String node = new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !n.equals(controller)).findFirst().orElseThrow();
        try (JmxClient client = JmxClient.connect("127.0.0.1", port, Duration.ofSeconds(5), io.xenha.security.TestCredentials.shared().adminLogin(), null)) {
          String answer = (String) client.invoke(JmxNames.node(node), "standby", new Object[0], new String[0]);
          assertTrue(answer.contains("standby"), answer);
          awaitStatus(c, "n1", s -> nodeState(s, node).equals("standby"), node + " standby");
          client.invoke(JmxNames.node(node), "online", new Object[0], new String[0]);
          awaitStatus(c, "n1", s -> nodeState(s, node).equals("online"), node + " online");
          Run maintenance = xenha(at, "node", "maintenance", node);
          assertEquals(0, maintenance.code(), maintenance.err());
          var inMaintenance = awaitStatus(c, "n1", s -> nodeState(s, node).equals("maintenance"), node + " in maintenance");
          for (var r : inMaintenance.resources()) {
            if (node.equals(r.node()) && r.id().startsWith("vm")) {
              assertEquals("unmanaged", r.state(), r.id() + " on a node in maintenance");
            }
          }
          assertEquals(0, xenha(at, "node", "ready", node).code());
          awaitStatus(c, "n1", s -> nodeState(s, node).equals("online"), node + " ready");
          JmxClient.Refused refused = org.junit.jupiter.api.Assertions.assertThrows(JmxClient.Refused.class,
              () -> client.invoke(JmxNames.resource("fence"), "stop", new Object[0], new String[0]));
          assertTrue(refused.getMessage().contains("only fence device"), refused.getMessage());
        }

        // maintenance mode: an agent stopped by its operator leaves its domUs running, nobody starts them elsewhere
        Map<String, List<String>> settled = awaitAllRunningOnce(c, Duration.ofSeconds(60));
        Run on = xenha(at, "maintenance", "on");
        assertEquals(0, on.code(), on.err());
        awaitStatus(c, "n1", s -> s.resources().stream().filter(r -> r.id().startsWith("vm"))
            .allMatch(r -> r.state().equals("unmanaged")), "every domU unmanaged");
        String upgraded = new TreeSet<>(c.nodes.keySet()).stream().filter(n -> !n.equals(controller) && !n.equals("n1"))
            .filter(n -> !domainsOn(settled, n).isEmpty()).findFirst().orElseThrow();
        List<String> kept = domainsOn(settled, upgraded);
        List<String> stillThere = new ArrayList<>();
        c.nodes.get(upgraded).hypervisor().subscribe(e -> {
          if (e.type().equals("STOPPED")) stillThere.add("stopped " + e.domain());
        });
        long leftAt = System.nanoTime();
        c.leave(upgraded);
        assertEquals(List.of(), stillThere, "the stopped agent stopped no domU");
        var held = awaitStatus(c, "n1", s -> nodeState(s, upgraded).equals("offline")
            && kept.stream().allMatch(d -> resource(s, d).state().equals("blocked")), upgraded + " gone, its domUs held");
        for (String d : kept) {
          assertEquals("blocked", resource(held, d).state(), d + " is held on " + upgraded);
          assertEquals(upgraded, resource(held, d).node());
        }
        AdminCommandsTest.assertNothingMoves(c, c.activeDomains(), leftAt);

        // maintenance off while the node is still gone: what it ran is held there, nothing starts elsewhere
        long offAt = System.nanoTime();
        assertEquals(0, xenha(at, "maintenance", "off").code());
        AdminCommandsTest.assertNothingMoves(c, c.activeDomains(), offAt);
        // the operator makes sure one is stopped there and says so: it starts elsewhere
        String released = kept.get(0);
        Run cleanup = xenha(at, "resource", "cleanup", released);
        assertEquals(0, cleanup.code(), cleanup.err());
        assertTrue(cleanup.out().contains("no longer held on " + upgraded), cleanup.out());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.activeDomains().containsKey(released)) {
          assertTrue(System.nanoTime() < deadline, released + " not started after cleanup: " + c.activeDomains());
          Thread.sleep(100);
        }
        assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
        assertTrue(xenha(at, "maintenance", "off").out().contains("already off"));
        assertFalse(before.isEmpty());
      }
    }
  }

  /**
   * The Controller dies with a migrate in flight: the command was taken and never confirmed, so the answer is
   * "unknown" (not "refused", never a raw AskTimeoutException), and the cluster converges with every domU once.
   */
  @Test
  void aMigrateInterruptedByTheControllersDeathIsAnsweredUnknownAndEveryDomainRunsOnce(@TempDir Path dir)
      throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      String controller = c.controllerNode("n1");
      List<String> others = c.nodes.keySet().stream().filter(n -> !n.equals(controller)).sorted().toList();
      String via = others.get(0);
      String to = others.get(1);
      String vm = DOMAINS.stream().filter(d -> !before.get(d).contains(to))
          .filter(d -> !(d.equals("vm3") && to.equals("n3"))).findFirst().orElseThrow();
      int port = freePort();
      try (JmxServer jmx = JmxServer.start("127.0.0.1", port, c.nodes.get(via).console(),
          List.copyOf(c.config.nodes().keySet()), List.copyOf(c.config.resources().keySet()),
          io.xenha.security.TestCredentials.shared().access())) {
        // the command leaves for the Controller, which is cut off and dies before it could answer
        c.partition(controller);
        java.util.concurrent.CompletableFuture<Run> answer = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> xenha("127.0.0.1:" + port, "resource", "migrate", vm, "--node", to));
        c.crash(controller);
        Run migrate = answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, migrate.code(), migrate.out() + migrate.err());
        assertTrue(migrate.err().startsWith("xenha resource migrate " + vm + ": unknown: "), migrate.err());
        assertTrue(migrate.err().contains("check `xenha status`"), migrate.err());
        assertFalse(migrate.err().contains("refused"), migrate.err());
        assertFalse(migrate.err().contains("AskTimeoutException"), migrate.err());
      }
      // what xenha status then shows is what holds: the new Controller recovers the dead node's domUs, each once
      Map<String, List<String>> after = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      assertFalse(after.values().stream().anyMatch(ns -> ns.contains(controller)), after.toString());
      assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
    }
  }
}
