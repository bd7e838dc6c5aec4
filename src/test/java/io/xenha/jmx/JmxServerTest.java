package io.xenha.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusSamples;
import io.xenha.security.TestCredentials;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.JMX;
import org.junit.jupiter.api.Test;

class JmxServerTest {

  static final List<String> NODES = List.of("node1", "node2", "node3", "node4", "node5", "node6");
  static final List<String> RESOURCES = List.of("web1", "web2", "web3", "web4", "db", "mail", "pingd", "ilo-node2");
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** The JMX users every served port checks. */
  static final TestCredentials creds = TestCredentials.shared();


  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void servesTheClusterOverRmiOnLoopback() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    console.domains = List.of("web3", "db");
    int port = freePort();
    try (JmxServer server = JmxServer.start("127.0.0.1", port, console, NODES, RESOURCES, creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, TIMEOUT, creds.adminLogin(), null)) {
      assertEquals(
          "service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:" + port + "/jmxrmi",
          server.url().orElseThrow().toString());
      assertEquals(StatusSamples.busy(), client.status());
      assertEquals(List.of("web3", "db"), client.activeDomains("node1"));

      ClusterMXBean cluster = JMX.newMXBeanProxy(client.connection(), JmxNames.CLUSTER, ClusterMXBean.class);
      assertEquals("node1", cluster.getControllerNode());
      assertEquals("hasi", cluster.getClusterName());
      assertTrue(cluster.isQuorum());
      assertEquals(StatusSamples.busy(), StatusJson.fromJson(cluster.status()));
      assertTrue(cluster.getStatusText().startsWith("Cluster Summary:\n"));

      NodeMXBean node1 = JMX.newMXBeanProxy(client.connection(), JmxNames.node("node1"), NodeMXBean.class);
      assertEquals("online", node1.getState());
      assertEquals(Map.of("pingd", "100"), node1.getAttributes());
      assertEquals(Map.of("memory", 16384L, "vcpus", 8L), node1.getUtilization());
      NodeMXBean node6 = JMX.newMXBeanProxy(client.connection(), JmxNames.node("node6"), NodeMXBean.class);
      assertEquals("unclean", node6.getState());
      assertEquals(Map.of(), node6.getUtilization());

      ResourceMXBean web3 = JMX.newMXBeanProxy(client.connection(), JmxNames.resource("web3"), ResourceMXBean.class);
      assertEquals("failed", web3.getState());
      assertEquals("domain", web3.getType());
      assertEquals("node1", web3.getNode());
      assertEquals(List.of("node1"), web3.getNodes());
      assertEquals(Map.of("node1", 3, "node2", 0), web3.getFailCounts());
      assertEquals("monitor: not running", web3.getLastOperation());
      ResourceMXBean pingd = JMX.newMXBeanProxy(client.connection(), JmxNames.resource("pingd"), ResourceMXBean.class);
      assertNull(pingd.getNode());
      assertEquals(List.of("node1", "node2", "node4"), pingd.getNodes());
      ResourceMXBean db = JMX.newMXBeanProxy(client.connection(), JmxNames.resource("db"), ResourceMXBean.class);
      assertFalse(db.isManaged());
    }
  }

  @Test
  void activeDomainsOnlyOnTheLocalNode() throws Exception {
    FakeConsole console = new FakeConsole("node2", StatusSamples.small());
    try (JmxServer server = JmxServer.start("127.0.0.1", 0, console, List.of("node1", "node2"), List.of("web1"))) {
      JmxClient client = JmxClient.of(server.server());
      console.domains = List.of("web1");
      assertEquals(List.of("web1"), client.activeDomains("node2"));
      IOException e = assertThrows(IOException.class, () -> client.activeDomains("node1"));
      assertTrue(e.getMessage().contains("no attribute ActiveDomains"), e.getMessage());
    }
  }

  @Test
  void privateModeKeepsBeansOutOfThePlatformServer() throws Exception {
    FakeConsole a = new FakeConsole("node1", StatusSamples.small());
    FakeConsole b = new FakeConsole("node2", StatusSamples.busy());
    // two agents in one JVM, as the in-JVM cluster tests run them
    try (JmxServer sa = JmxServer.start("127.0.0.1", 0, a, List.of("node1", "node2"), List.of("web1"));
        JmxServer sb = JmxServer.start("127.0.0.1", 0, b, List.of("node1", "node2"), List.of("web1"))) {
      assertTrue(sa.url().isEmpty());
      assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(JmxNames.CLUSTER));
      assertEquals(StatusSamples.small(), JmxClient.of(sa.server()).status());
      assertEquals(StatusSamples.busy(), JmxClient.of(sb.server()).status());
      sa.close();
      assertFalse(sa.server().isRegistered(JmxNames.CLUSTER));
      assertEquals(StatusSamples.busy(), JmxClient.of(sb.server()).status());
    }
  }

  @Test
  void consoleFailuresBecomeReadableMessages() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.small());
    int port = freePort();
    try (JmxServer server =
            JmxServer.start("127.0.0.1", port, console, List.of("node1"), List.of("web1"), Duration.ofMillis(300), creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, TIMEOUT, creds.adminLogin(), null)) {
      console.failure = new IllegalStateException("no Controller yet");
      IOException e = assertThrows(IOException.class, client::status);
      assertEquals("cannot get the cluster status: no Controller yet", e.getMessage());

      console.failure = null;
      console.delay = Duration.ofSeconds(2);
      Thread.sleep(600); // past the beans' status cache
      e = assertThrows(IOException.class, client::status);
      assertTrue(e.getMessage().startsWith("cannot get the cluster status: no answer within"), e.getMessage());

      console.delay = Duration.ZERO;
      Thread.sleep(600);
      console.status = new ClusterStatus(ClusterStatus.SCHEMA, "c", null, false, List.of(), List.of(), null, null);
      e = assertThrows(IOException.class, () -> client.attribute(JmxNames.resource("web1"), "State"));
      assertEquals("resource web1 is not in the cluster status", e.getMessage());
    }
  }

  @Test
  void refusesNonLoopbackAddresses() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JmxServer.start("192.0.2.1", 9999, new FakeConsole("n", null), List.of(), List.of(), creds.access()));
    assertTrue(e.getMessage().startsWith("JMX on the non-loopback address 192.0.2.1 needs TLS"), e.getMessage());
  }

  @Test
  void closeReleasesThePortAndTheNamesForTheNextAgent() throws Exception {
    int port = freePort();
    FakeConsole first = new FakeConsole("node1", StatusSamples.small());
    JmxServer s1 = JmxServer.start("127.0.0.1", port, first, List.of("node1"), List.of("web1"), creds.access());
    s1.close();
    // RMI closes its listening socket on its own thread: the port must come free soon, not necessarily at once
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        assertEquals(port, probe.getLocalPort());
        break;
      } catch (java.net.BindException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    FakeConsole second = new FakeConsole("node1", StatusSamples.busy());
    try (JmxServer s2 = JmxServer.start("127.0.0.1", port, second, List.of("node1"), List.of("web1"), creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, TIMEOUT, creds.adminLogin(), null)) {
      assertEquals(StatusSamples.busy(), client.status());
    }
  }

  @Test
  void eachServerHasItsOwnBeansAndThePlatformServerNone() throws Exception {
    int p1 = freePort();
    int p2 = freePort();
    JmxServer s1 = JmxServer.start("127.0.0.1", p1, new FakeConsole("node1", StatusSamples.small()), List.of("node1"), List.of(), creds.access());
    try (JmxServer s2 =
        JmxServer.start("127.0.0.1", p2, new FakeConsole("node1", StatusSamples.busy()), List.of("node1"), List.of(), creds.access())) {
      // the port serves xenha's beans only: the platform MBeanServer (agent loading, Pekko's beans) is not theirs
      assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(JmxNames.CLUSTER));
      s1.close();
      try (JmxClient client = JmxClient.connect("127.0.0.1", p2, TIMEOUT, creds.adminLogin(), null)) {
        assertEquals(StatusSamples.busy(), client.status());
      }
    }
  }

  @Test
  void unreachableAgentGivesTheShortReason() throws Exception {
    int port = freePort();
    IOException e = assertThrows(IOException.class, () -> JmxClient.connect("127.0.0.1", port, TIMEOUT, creds.adminLogin(), null));
    assertEquals("Connection refused", e.getMessage());
  }

  @Test
  void parsesHostPort() {
    assertEquals(new JmxClient.HostPort("127.0.0.1", 9010), JmxClient.HostPort.parse("127.0.0.1:9010"));
    assertEquals(new JmxClient.HostPort("::1", 9010), JmxClient.HostPort.parse("[::1]:9010"));
    assertEquals("[::1]:9010", JmxClient.HostPort.parse("[::1]:9010").toString());
    assertThrows(IllegalArgumentException.class, () -> JmxClient.HostPort.parse("localhost"));
    assertThrows(IllegalArgumentException.class, () -> JmxClient.HostPort.parse("localhost:0"));
    assertThrows(IllegalArgumentException.class, () -> JmxClient.HostPort.parse("localhost:x"));
  }

  @Test
  void quotesNamesJmxWouldRefuse() {
    assertEquals("pingd:0", JmxNames.resource("pingd:0").getKeyProperty("name").replace("\"", ""));
    assertEquals("web1", JmxNames.resource("web1").getKeyProperty("name"));
  }
}
