package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import io.xenha.scheduler.engine.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** conf/examples/hasi.conf, the seed's Heartbeat 2 cluster, must stay a valid configuration of the expected shape. */
class HasiExampleTest {
  static XenhaConfig config;

  @BeforeAll
  static void load() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/fence_ilo")), "fence-agents not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/EvmsSCC")), "resource-agents not installed");
    LoadResult r = ConfigLoader.load(Path.of("conf/examples/hasi.conf"), Optional.empty());
    assertEquals(List.of(), r.problems().stream().map(Problem::format).toList());
    config = r.config().orElseThrow();
  }

  @Test
  void twoXenNodesWithTheSeedsProperties() {
    assertEquals("hasi", config.clusterName());
    assertEquals(List.of("host1", "host2"), List.copyOf(config.nodes().keySet()));
    config.nodes().values().forEach(n -> assertEquals("xen:///system", n.hypervisor()));
    assertEquals("10.0.0.1", config.node("host1").host());
    assertEquals(2551, config.node("host2").port());
    assertTrue(config.properties().stonithEnabled());
    assertEquals("reboot", config.properties().stonithAction());
    assertEquals("stop", config.properties().noQuorumPolicy());
    assertEquals(Score.INFINITY, config.properties().defaultResourceStickiness());
    assertTrue(config.properties().priorityFencingDelay().compareTo(config.properties().stonithTimeout()) < 0);
    assertEquals("two-node", config.cluster().sbrStrategy());
  }

  @Test
  void cloneSets() {
    ResourceSpec pingd = config.resources().get("pingd");
    assertTrue(pingd.isBuiltin() && pingd.isClone());
    assertEquals("ping", pingd.agent());
    assertEquals("100", pingd.params().get("multiplier"));
    assertEquals("pingd", pingd.params().get("name"));
    assertEquals(2, pingd.cloneSet().cloneMax());

    ResourceSpec evms = config.resources().get("evms");
    assertTrue(evms.isOcf() && evms.isClone());
    assertEquals("heartbeat:EvmsSCC", evms.agent());
    assertTrue(evms.cloneSet().notifyEnabled());

    ResourceSpec pool = config.resources().get("configpool");
    assertTrue(pool.isOcf() && pool.isClone());
    assertEquals("heartbeat:Filesystem", pool.agent());
    assertEquals(Map.of("device", "/dev/evms/san2/cfgpool", "directory", "/etc/xen/vm", "fstype", "ocfs2"), pool.params());
    assertEquals(Duration.ofSeconds(20), pool.ops().monitorInterval());
  }

  @Test
  void domUsWithTheSeedsTimings() {
    ResourceSpec nfs = config.resources().get("nfs");
    assertTrue(nfs.isDomain() && nfs.allowMigrate());
    assertEquals("nfs", nfs.domainName());
    assertTrue(nfs.domainXml().contains("type='xen'"));
    assertEquals(Duration.ofSeconds(60), nfs.ops().startTimeout());
    assertEquals(Duration.ofSeconds(90), nfs.ops().stopTimeout());
    assertEquals(Duration.ofSeconds(90), nfs.ops().migrateTimeout());
    assertEquals(Duration.ofSeconds(60), nfs.ops().monitorTimeout());
    ResourceSpec sles = config.resources().get("sles");
    assertTrue(sles.isDomain() && sles.allowMigrate());
    assertEquals(Duration.ofSeconds(10), sles.startDelay());
  }

  @Test
  void fencingIloFirstThenSshWithoutClearTextPasswords() {
    for (String n : List.of("host1", "host2")) {
      ResourceSpec ilo = config.resources().get("ilo-" + n);
      assertTrue(ilo.isStonith());
      assertEquals("fence_ilo", ilo.agent());
      assertEquals(List.of(n), ilo.hosts());
      assertTrue(ilo.params().get("password-file").endsWith("ilo-" + n + ".secret"));
      assertNull(ilo.params().get("password"));
      assertEquals(List.of(List.of("ilo-" + n), List.of("ssh-fence")), config.fencingTopology().get(n));
    }
    assertEquals("builtin:ssh", config.resources().get("ssh-fence").agent());
  }

  @Test
  void ordersAndThePingdRule() {
    assertEquals(List.of(
        new OrderConstraint("evms", "configpool", "optional", true),
        new OrderConstraint("configpool", "nfs", "optional", true),
        new OrderConstraint("configpool", "sles", "optional", true)), config.orders());
    List<LocationConstraint> nfsRules =
        config.locations().stream().filter(l -> l.resource().equals("nfs") && l.rule() != null).toList();
    assertEquals(1, nfsRules.size());
    LocationConstraint rule = nfsRules.get(0);
    assertEquals(Score.MINUS_INFINITY, rule.score());
    assertFalse(Rules.matches(rule.rule(), Map.of("pingd", "100")));
    assertTrue(Rules.matches(rule.rule(), Map.of()));
    assertTrue(Rules.matches(rule.rule(), Map.of("pingd", "0")));
  }
}
