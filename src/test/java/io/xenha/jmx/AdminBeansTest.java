package io.xenha.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.controller.Admin;
import io.xenha.status.StatusSamples;
import java.time.Duration;
import java.util.List;
import javax.management.JMX;
import org.junit.jupiter.api.Test;

/** Every admin operation of the Cluster, Node and Resource beans asks the console for the right command. */
class AdminBeansTest {

  @Test
  void everyOperationMapsToItsCommand() throws Exception {
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    try (JmxServer server = JmxServer.start("127.0.0.1", 0, console, List.of("node1", "node2"), List.of("nfs"))) {
      ClusterMXBean cluster = JMX.newMXBeanProxy(server.server(), JmxNames.CLUSTER, ClusterMXBean.class);
      NodeMXBean node = JMX.newMXBeanProxy(server.server(), JmxNames.node("node2"), NodeMXBean.class);
      ResourceMXBean nfs = JMX.newMXBeanProxy(server.server(), JmxNames.resource("nfs"), ResourceMXBean.class);
      cluster.nodeStandby("node2");
      cluster.nodeOnline("node2");
      cluster.nodeMaintenance("node2");
      cluster.nodeReady("node2");
      cluster.resourceStart("nfs");
      cluster.resourceStop("nfs");
      cluster.resourceRestart("nfs");
      cluster.resourceMigrate("nfs", "node2", "10m");
      cluster.resourceUnmigrate("nfs", "");
      cluster.resourceCleanup("nfs", "node1");
      cluster.resourceManage("nfs");
      cluster.resourceUnmanage("nfs");
      cluster.maintenanceMode(true);
      cluster.maintenanceMode(false);
      node.standby();
      node.online();
      node.maintenance();
      node.ready();
      nfs.start();
      nfs.stop();
      nfs.restart();
      nfs.migrate("node1");
      nfs.unmigrate();
      nfs.cleanup();
      nfs.manage();
      nfs.unmanage();
      assertEquals(List.of(
          new Admin.Request("node-standby", "node2", null, null),
          new Admin.Request("node-online", "node2", null, null),
          new Admin.Request("node-maintenance", "node2", null, null),
          new Admin.Request("node-ready", "node2", null, null),
          new Admin.Request("resource-start", "nfs", null, null),
          new Admin.Request("resource-stop", "nfs", null, null),
          new Admin.Request("resource-restart", "nfs", null, null),
          new Admin.Request("resource-migrate", "nfs", "node2", Duration.ofMinutes(10)),
          new Admin.Request("resource-unmigrate", "nfs", null, null),
          new Admin.Request("resource-cleanup", "nfs", "node1", null),
          new Admin.Request("resource-manage", "nfs", null, null),
          new Admin.Request("resource-unmanage", "nfs", null, null),
          new Admin.Request("maintenance-on", null, null, null),
          new Admin.Request("maintenance-off", null, null, null),
          new Admin.Request("node-standby", "node2", null, null),
          new Admin.Request("node-online", "node2", null, null),
          new Admin.Request("node-maintenance", "node2", null, null),
          new Admin.Request("node-ready", "node2", null, null),
          new Admin.Request("resource-start", "nfs", null, null),
          new Admin.Request("resource-stop", "nfs", null, null),
          new Admin.Request("resource-restart", "nfs", null, null),
          new Admin.Request("resource-migrate", "nfs", "node1", null),
          new Admin.Request("resource-unmigrate", "nfs", null, null),
          new Admin.Request("resource-cleanup", "nfs", null, null),
          new Admin.Request("resource-manage", "nfs", null, null),
          new Admin.Request("resource-unmanage", "nfs", null, null)), console.admin);

      // a refusal is an error carrying the Controller's reason; bad input is refused before asking
      console.adminReply = new Admin.Reply(false, "standby of node1 would leave no online node to run resources");
      RuntimeException refused = assertThrows(RuntimeException.class, () -> cluster.nodeStandby("node1"));
      assertTrue(String.valueOf(refused.getMessage()).contains("would leave no online node"), refused.toString());
      int asked = console.admin.size();
      RuntimeException bad = assertThrows(RuntimeException.class, () -> cluster.admin("node-reboot", "node1", null, null));
      assertTrue(String.valueOf(bad.getMessage()).contains("unknown operation 'node-reboot'"), bad.toString());
      RuntimeException lifetime = assertThrows(RuntimeException.class, () -> cluster.resourceMigrate("nfs", "node2", "soon"));
      assertTrue(String.valueOf(lifetime.getMessage()).contains("'soon'"), lifetime.toString());
      assertEquals(asked, console.admin.size(), "bad input never reaches the Controller");
    }
  }
}
