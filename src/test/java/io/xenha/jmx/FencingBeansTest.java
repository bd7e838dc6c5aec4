package io.xenha.jmx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.ClusterStatus;
import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusSamples;
import java.util.ArrayList;
import java.util.List;
import javax.management.JMX;
import org.junit.jupiter.api.Test;

/** The fencing operations and attributes of the Cluster and Node beans, over a real RMI connection. */
class FencingBeansTest {

  static final List<String> NODES = List.of("node1", "node2", "node6");
  static final FencingRecord OK = new FencingRecord("node2", "ipmi-node2", "node1", "reboot", "success", "2026-11-22T10:05:00Z");

  /** Not a JDK class: what a console's own exception looks like (the client must not need its class). */
  static final class DeviceTrouble extends Exception {
    DeviceTrouble(String message) {
      super(message);
    }
  }

  @Test
  void fenceReachesTheConsoleEveryTimeAndAnswersOneLine() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    console.fenceRecord = OK;
    int port = JmxServerTest.freePort();
    try (JmxServer server = JmxServer.start("127.0.0.1", port, console, NODES, List.of(), JmxServerTest.creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, JmxServerTest.TIMEOUT, JmxServerTest.creds.adminLogin(), null)) {
      assertEquals("fenced node2 with ipmi-node2 from node1 (reboot)", client.fence("node2"));
      ClusterMXBean cluster = JMX.newMXBeanProxy(client.connection(), JmxNames.CLUSTER, ClusterMXBean.class);
      assertEquals("fenced node2 with ipmi-node2 from node1 (reboot)", cluster.fence("node2"));
      NodeMXBean node2 = JMX.newMXBeanProxy(client.connection(), JmxNames.node("node2"), NodeMXBean.class);
      assertEquals("fenced node2 with ipmi-node2 from node1 (reboot)", node2.fence());
      // a manual fence is never answered from a cache: each call is a fence
      assertEquals(List.of("node2", "node2", "node2"), console.fenced);
    }
  }

  @Test
  void refusalsReachTheClientAsPlainMessages() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    int port = JmxServerTest.freePort();
    try (JmxServer server = JmxServer.start("127.0.0.1", port, console, NODES, List.of(), JmxServerTest.creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, JmxServerTest.TIMEOUT, JmxServerTest.creds.adminLogin(), null)) {
      console.fenceFailure = new IllegalStateException("node1 runs the Controller: fence it from another node");
      JmxClient.Refused refused = assertThrows(JmxClient.Refused.class, () -> client.fence("node1"));
      assertEquals("node1 runs the Controller: fence it from another node", refused.getMessage());

      ClusterMXBean cluster = JMX.newMXBeanProxy(client.connection(), JmxNames.CLUSTER, ClusterMXBean.class);
      console.fenceFailure = new IllegalArgumentException("unknown node nodeX");
      IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> cluster.fence("nodeX"));
      assertEquals("unknown node nodeX", unknown.getMessage());

      console.fenceFailure = new DeviceTrouble("no fence device can reach node6");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> cluster.fence("node6"));
      assertEquals("no fence device can reach node6", e.getMessage());
      assertNull(e.getCause());

      // the Controller tried and every device failed: that is no success either
      console.fenceFailure = null;
      console.fenceRecord = new FencingRecord("node6", "ipmi-node6", "node1", "reboot", "failed", "2026-11-22T10:06:00Z");
      refused = assertThrows(JmxClient.Refused.class, () -> client.fence("node6"));
      assertEquals("fencing node6 failed: reboot with ipmi-node6 from node1 at 2026-11-22T10:06:00Z", refused.getMessage());

      refused = assertThrows(JmxClient.Refused.class, () -> client.fence(""));
      assertEquals("which node? fence needs a node name", refused.getMessage());
    }
  }

  @Test
  void historyNewestFirstAndLastFencingPerNode() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    FencingRecord old = new FencingRecord("node2", "ipmi-node2", "node3", "off", "failed", "2026-11-22T09:00:00Z");
    FencingRecord other = new FencingRecord("node6", "ilo-node6", "node1", "reboot", "success", "2026-11-22T09:30:00Z");
    console.history = List.of(old, OK, other);
    int port = JmxServerTest.freePort();
    try (JmxServer server = JmxServer.start("127.0.0.1", port, console, NODES, List.of(), JmxServerTest.creds.access());
        JmxClient client = JmxClient.connect("127.0.0.1", port, JmxServerTest.TIMEOUT, JmxServerTest.creds.adminLogin(), null)) {
      ClusterMXBean cluster = JMX.newMXBeanProxy(client.connection(), JmxNames.CLUSTER, ClusterMXBean.class);
      assertEquals(List.of(OK, other, old), StatusJson.fencingFromJson(cluster.fencingHistory("")));
      assertEquals(List.of(OK, other, old), StatusJson.fencingFromJson(cluster.fencingHistory(null)));
      assertEquals(List.of(OK, old), client.fencingHistory("node2"));
      assertEquals("[ ]", cluster.fencingHistory("node3"));

      NodeMXBean node2 = JMX.newMXBeanProxy(client.connection(), JmxNames.node("node2"), NodeMXBean.class);
      assertEquals(
          "reboot of node2 successful: device=ipmi-node2, executor=node1, completed='2026-11-22T10:05:00Z'",
          node2.getLastFencing());
      NodeMXBean node1 = JMX.newMXBeanProxy(client.connection(), JmxNames.node("node1"), NodeMXBean.class);
      assertEquals("", node1.getLastFencing());
    }
  }

  @Test
  void historyDefaultsToTheStatusRecordsSorted() throws Exception {
    // busy() lists node6's failure (09:59) before node5's success (10:00)
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    try (JmxServer server = JmxServer.start("127.0.0.1", 0, console, NODES, List.of())) {
      List<FencingRecord> records = JmxClient.of(server.server()).fencingHistory(null);
      assertEquals(List.of("node5", "node6"), records.stream().map(FencingRecord::target).toList());
      NodeMXBean node6 = JMX.newMXBeanProxy(server.server(), JmxNames.node("node6"), NodeMXBean.class);
      assertEquals(
          "reboot of node6 FAILED: device=ilo-node6, executor=node1, last-failed='2026-11-22T09:59:00Z'",
          node6.getLastFencing());
    }
  }

  @Test
  void fencingFailuresListTheStalledFences() throws Exception {
    ClusterStatus busy = StatusSamples.busy();
    List<String> warnings = new ArrayList<>(busy.warnings());
    String stalled = "FENCING OF node6 FAILED (ilo-node6: timed out): its resources stay down until a fence succeeds";
    warnings.add(stalled);
    FakeConsole console = new FakeConsole("node1", withWarnings(busy, warnings));
    try (JmxServer server = JmxServer.start("127.0.0.1", 0, console, NODES, List.of())) {
      ClusterMXBean cluster = JMX.newMXBeanProxy(server.server(), JmxNames.CLUSTER, ClusterMXBean.class);
      assertArrayEquals(new String[] {stalled}, cluster.getFencingFailures());
      assertTrue(cluster.getStatusText().contains("\n!!! FENCING FAILED: node6 "), cluster.getStatusText());
    }
    console = new FakeConsole("node1", StatusSamples.small());
    try (JmxServer server = JmxServer.start("127.0.0.1", 0, console, NODES, List.of())) {
      ClusterMXBean cluster = JMX.newMXBeanProxy(server.server(), JmxNames.CLUSTER, ClusterMXBean.class);
      assertArrayEquals(new String[0], cluster.getFencingFailures());
    }
  }

  static ClusterStatus withWarnings(ClusterStatus s, List<String> warnings) {
    return new ClusterStatus(
        s.schema(), s.cluster(), s.controller(), s.quorum(), s.nodes(), s.resources(), s.fencing(), warnings);
  }
}
