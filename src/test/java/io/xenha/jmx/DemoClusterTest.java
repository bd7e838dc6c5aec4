package io.xenha.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.xenha.cli.DemoCluster;
import io.xenha.status.ClusterStatus;
import io.xenha.status.ClusterStatus.NodeStatus;
import io.xenha.status.ClusterStatus.ResourceStatus;
import io.xenha.status.StatusSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The demo's files, without starting any process (the lead's process-level test starts them). */
class DemoClusterTest {

  @Test
  void writesClusterConfAndHostXmlPerNode(@TempDir Path dir) throws Exception {
    Path user = dir.resolve("user.conf");
    Files.writeString(
        user,
        "xenha { cluster-name = mine, nodes { old { address = \"10.0.0.1:2551\", hypervisor = \"xen:///system\" } } }\n");
    Path work = dir.resolve("demo");
    try (DemoCluster demo = DemoCluster.prepare(3, work, 3551, 9111, user)) {
      assertEquals(List.of("node1", "node2", "node3"), demo.nodes());
      assertEquals(9112, demo.jmxPort("node2"));
      assertEquals(work.resolve("cluster.conf"), demo.configFile());

      Config c = ConfigFactory.parseFile(demo.configFile().toFile()).resolve();
      assertEquals("mine", c.getString("xenha.cluster-name"));
      // the included file's nodes are replaced, not merged
      assertEquals(Set.of("node1", "node2", "node3"), c.getConfig("xenha.nodes").root().keySet());
      for (int i = 1; i <= 3; i++) {
        Config n = c.getConfig("xenha.nodes.node" + i);
        Path state = work.resolve("node" + i);
        assertEquals("127.0.0.1:" + (3550 + i), n.getString("address"));
        assertEquals("test://" + state.resolve("host.xml"), n.getString("hypervisor"));
        assertTrue(n.getString("hypervisor").startsWith("test:///"));
        assertEquals(9110 + i, n.getInt("jmx-port"));
        assertEquals(state.toString(), n.getString("state-dir"));

        Document host =
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(state.resolve("host.xml").toFile());
        assertEquals("node", host.getDocumentElement().getTagName());
        assertEquals("4", host.getElementsByTagName("cores").item(0).getTextContent());
        assertEquals("8388608", host.getElementsByTagName("memory").item(0).getTextContent());
      }
      String start = Files.readString(demo.startScript("node2"));
      assertTrue(start.contains(" 'io.xenha.Main' 'agent' '--config' '" + demo.configFile() + "' '--node' 'node2'"), start);
      assertTrue(start.contains(" >> '" + demo.log("node2") + "' 2>&1"), start);
      assertTrue(Files.isExecutable(demo.startScript("node2")));
      assertEquals("127.0.0.1", c.getString("xenha.jmx.host"));
      assertEquals(9111, c.getInt("xenha.jmx.port"));
      assertFalse(demo.isAlive("node1"));
      assertEquals(work.resolve("node2").resolve("agent.log"), demo.log("node2"));
      assertThrows(IllegalArgumentException.class, () -> demo.jmxPort("node4"));
    }
  }

  @Test
  void copiesTheBundledDemoWhenNoConfigIsGiven(@TempDir Path dir) throws Exception {
    boolean bundled =
        DemoCluster.class.getResource("/demo/demo.conf") != null || Files.isReadable(Path.of("conf/demo.conf"));
    Assumptions.assumeTrue(bundled, "no demo configuration in this build yet");
    try (DemoCluster demo = DemoCluster.prepare(2, dir, 2551, 9011, null)) {
      assertTrue(Files.isReadable(dir.resolve("demo.conf")));
      Config c = ConfigFactory.parseFile(demo.configFile().toFile()).resolve();
      assertEquals(Set.of("node1", "node2"), c.getConfig("xenha.nodes").root().keySet());
      try (var xmls = Files.list(dir.resolve("demo"))) {
        assertTrue(xmls.anyMatch(p -> p.toString().endsWith(".xml")), "the demo's domain XML files are copied");
      }
    }
  }

  @Test
  void refusesNonsense(@TempDir Path dir) {
    assertThrows(IllegalArgumentException.class, () -> DemoCluster.prepare(0, dir, 2551, 9011, dir.resolve("x.conf")));
    assertThrows(
        IllegalArgumentException.class, () -> DemoCluster.prepare(2, dir, 2551, 9011, dir.resolve("missing.conf")));
  }

  @Test
  void settledMeansAControllerAndEveryDomainStarted() {
    assertTrue(DemoCluster.settled(StatusSamples.small()));
    assertFalse(DemoCluster.settled(StatusSamples.busy()));
    ClusterStatus noController =
        new ClusterStatus(1, "c", null, true, StatusSamples.small().nodes(), StatusSamples.small().resources(), null, null);
    assertFalse(DemoCluster.settled(noController));
    ClusterStatus stopped =
        new ClusterStatus(
            1, "c", "node1", true,
            List.of(new NodeStatus("node1", "online", null, null)),
            List.of(new ResourceStatus("web1", "domain", "stopped", null, true, null, null, null, null)),
            null, null);
    assertFalse(DemoCluster.settled(stopped));
  }
}
