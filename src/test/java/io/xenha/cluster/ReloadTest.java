package io.xenha.cluster;

import static io.xenha.cluster.AdminCommandsTest.admin;
import static io.xenha.cluster.AdminCommandsTest.assertOk;
import static io.xenha.cluster.AdminCommandsTest.awaitStatus;
import static io.xenha.cluster.ClusterFailoverTest.CONSTRAINTS;
import static io.xenha.cluster.ClusterFailoverTest.DOMAINS;
import static io.xenha.cluster.ClusterFailoverTest.awaitAllRunningOnce;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.controller.Admin;
import io.xenha.jmx.JmxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * xenha reload: every node re-reads the file; a valid change takes effect everywhere (a new domU starts, a stopped
 * one can be removed), an invalid file or an unsafe change (removing a running domU) is refused with the reason and
 * changes nothing.
 */
@Tag("slow")
class ReloadTest {

  @Test
  void aValidChangeTakesEffectAndARejectedOneChangesNothing(@TempDir Path dir) throws Exception {
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS)) {
      Map<String, List<String>> before = awaitAllRunningOnce(c, Duration.ofSeconds(60));
      Path file = dir.resolve("cluster.conf");
      String original = Files.readString(file);
      int port = AdminCliTest.freePort();
      try (JmxServer jmx = JmxServer.start("127.0.0.1", port, c.nodes.get("n1").console(),
          List.copyOf(c.config.nodes().keySet()), List.copyOf(c.config.resources().keySet()), io.xenha.security.TestCredentials.shared().access())) {
        String at = "127.0.0.1:" + port;
        io.xenha.cli.CliRun.Run same = AdminCliTest.xenha(at, "reload");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("unchanged"), same.out());

        // add a domU: it starts once, the others stay where they are
        Files.writeString(dir.resolve("vm7.xml"), "<domain type='test'><name>vm7</name><memory unit='MiB'>128</memory>"
            + "<vcpu>1</vcpu><os><type>hvm</type></os></domain>");
        String withVm7 = original + "\nxenha.resources.vm7 { type = domain, domain-xml = \"" + dir.resolve("vm7.xml") + "\" }\n";
        Files.writeString(file, withVm7);
        io.xenha.cli.CliRun.Run added = AdminCliTest.xenha(at, "reload");
        assertEquals(0, added.code(), added.err());
        assertTrue(added.out().contains("added vm7"), added.out());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.activeDomains().containsKey("vm7")) {
          assertTrue(System.nanoTime() < deadline, "vm7 not started: " + c.activeDomains());
          Thread.sleep(100);
        }
        // the JMX server follows: a Resource bean for vm7 once a status has been read
        assertEquals(0, AdminCliTest.xenha(at, "status").code());
        try (io.xenha.jmx.JmxClient client = io.xenha.jmx.JmxClient.connect("127.0.0.1", port, Duration.ofSeconds(5), io.xenha.security.TestCredentials.shared().adminLogin(), null)) {
          assertEquals("vm7", client.attribute(io.xenha.jmx.JmxNames.resource("vm7"), "Id"));
        }
        Map<String, List<String>> after = c.activeDomains();
        assertEquals(1, after.get("vm7").size());
        for (String d : DOMAINS) {
          assertEquals(before.get(d), after.get(d), d + " did not move");
        }

        // an invalid file: refused, naming the place, nothing changes
        Files.writeString(file, withVm7 + "xenha.resources.vm8 { type = domain }\n");
        io.xenha.cli.CliRun.Run invalid = AdminCliTest.xenha(at, "reload");
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains("cluster.conf:") && invalid.err().contains("vm8"), invalid.err());
        assertTrue(c.status("n1").resources().stream().noneMatch(r -> r.id().equals("vm8")));

        // removing a running domU: refused; once it is stopped, allowed
        Files.writeString(file, original);
        io.xenha.cli.CliRun.Run running = AdminCliTest.xenha(at, "reload");
        assertEquals(1, running.code());
        assertTrue(running.err().contains("vm7 is removed but runs on"), running.err());
        assertTrue(c.activeDomains().containsKey("vm7"), "nothing changed: vm7 still runs");
        assertOk(admin(c, "n1", "resource-stop", "vm7"));
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (c.activeDomains().containsKey("vm7")) {
          assertTrue(System.nanoTime() < deadline, "vm7 not stopped: " + c.activeDomains());
          Thread.sleep(100);
        }
        awaitStatus(c, "n1", s -> s.resources().stream().anyMatch(r -> r.id().equals("vm7") && r.state().equals("stopped")),
            "vm7 stopped");
        io.xenha.cli.CliRun.Run removed = AdminCliTest.xenha(at, "reload");
        assertEquals(0, removed.code(), removed.err());
        assertTrue(removed.out().contains("removed vm7"), removed.out());
        assertFalse(c.status("n1").resources().stream().anyMatch(r -> r.id().equals("vm7")));
        assertEquals(0, AdminCliTest.xenha(at, "status").code());
        try (io.xenha.jmx.JmxClient client = io.xenha.jmx.JmxClient.connect("127.0.0.1", port, Duration.ofSeconds(5), io.xenha.security.TestCredentials.shared().adminLogin(), null)) {
          java.io.IOException noBean = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
              () -> client.attribute(io.xenha.jmx.JmxNames.resource("vm7"), "Id"));
          assertTrue(noBean.getMessage().contains("no bean"), noBean.getMessage());
        }
        Admin.Reply gone = admin(c, "n1", "resource-start", "vm7");
        assertFalse(gone.ok(), "vm7 is no longer configured");
        assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
      }
    }
  }

  @Test
  void aNodeWithADifferentFileBlocksTheReload(@TempDir Path dir) throws Exception {
    // n3 reads its own copy of the file (as each dom0 has its own /etc/xenha/xenha.conf)
    Path copy = dir.resolve("n3.conf");
    try (InJvmCluster c = new InJvmCluster(dir, 3, DOMAINS, CONSTRAINTS, "", "", n -> hv -> hv, (n, cfg) -> {
      if (!n.equals("n3")) return cfg;
      try {
        Files.copy(cfg.source(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return io.xenha.config.ConfigLoader.load(copy, java.util.Optional.empty()).config().orElseThrow();
    })) {
      awaitAllRunningOnce(c, Duration.ofSeconds(60));
      Path file = dir.resolve("cluster.conf");
      Files.writeString(file, Files.readString(file) + "\nxenha.properties.default-resource-stickiness = 200\n");
      Admin.Reply r = c.nodes.get("n1").console().reload();
      assertFalse(r.ok(), "the files differ: " + r.message());
      assertTrue(r.message().contains("n3: its configuration differs"), r.message());
      // the same file everywhere: it takes effect
      Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Admin.Reply ok = c.nodes.get("n1").console().reload();
      assertTrue(ok.ok(), ok.message());
      assertTrue(ok.message().contains("properties changed"), ok.message());
      // the agents' new reports (with the new checksum) trail the activation by a moment
      awaitStatus(c, "n1", st -> st.warnings().stream().noneMatch(w -> w.startsWith("the configuration of")),
          "every node runs the same configuration now");
    }
  }
}
