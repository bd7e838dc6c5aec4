package io.xenha.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Overrides;
import io.xenha.config.XenhaConfig;
import io.xenha.scheduler.ClusterSnapshot;
import io.xenha.scheduler.NodeState;
import io.xenha.scheduler.ResourceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each admin command changes, and every refusal with its reason. */
class AdminTest {
  @TempDir Path dir;
  XenhaConfig config;
  ClusterSnapshot snapshot;

  @BeforeEach
  void load() throws IOException {
    for (String vm : List.of("vm1", "vm2")) {
      Files.writeString(dir.resolve(vm + ".xml"), "<domain type='test'><name>" + vm + "</name></domain>\n");
    }
    Path file = dir.resolve("xenha.conf");
    Files.writeString(file, """
        xenha {
          cluster-name = t
          nodes {
            n1 { address = "127.0.0.1:2551" }
            n2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          }
          resources {
            vm1 { type = domain, domain-xml = vm1.xml }
            vm2 { type = domain, domain-xml = vm2.xml }
            f1 { type = stonith, agent = "builtin:kill", hosts = [n1] }
            f2 { type = stonith, agent = "builtin:kill", hosts = [n2] }
            f2b { type = stonith, agent = "builtin:kill", hosts = [n2] }
            ping { type = builtin, agent = ping, clone {}, params { host-list = ["127.0.0.1"] } }
          }
        }
        """);
    LoadResult r = ConfigLoader.load(file, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    config = r.config().orElseThrow();
    snapshot = new ClusterSnapshot(config, Map.of("n1", NodeState.ONLINE, "n2", NodeState.ONLINE),
        Map.of("vm1", new ResourceState("vm1", Set.of("n1"), Set.of(), Map.of())));
  }

  Admin.Edit decide(String op, String target, String node, Duration lifetime, Overrides o) {
    return Admin.decide(new Admin.Request(op, target, node, lifetime), config, o, snapshot, 1000);
  }

  Admin.Edit decide(String op, String target) {
    return decide(op, target, null, null, Overrides.NONE);
  }

  static void refused(Admin.Edit e, String why) {
    assertNotNull(e.refusal(), "expected a refusal containing '" + why + "'");
    assertTrue(e.refusal().contains(why), e.refusal());
    assertTrue(!e.changes() && e.cleanup() == null, "a refusal changes nothing");
  }

  @Test
  void nodeCommands() {
    assertEquals(Map.of("node-standby/n2", "on"), decide("node-standby", "n2").put());
    refused(decide("node-standby", "n3"), "unknown node 'n3' (known: n1, n2)");
    Overrides standby = Overrides.decode(Map.of("node-standby/n2", "on"));
    refused(decide("node-standby", "n1", null, null, standby), "would leave no online node");
    assertTrue(decide("node-standby", "n2", null, null, standby).message().contains("already"));
    assertEquals(Set.of("node-standby/n2"), decide("node-online", "n2", null, null, standby).remove());
    assertTrue(!decide("node-online", "n2").changes());
    assertEquals(Map.of("node-maintenance/n1", "on"), decide("node-maintenance", "n1").put());
    assertEquals(Set.of("node-maintenance/n1"),
        decide("node-ready", "n1", null, null, Overrides.decode(Map.of("node-maintenance/n1", "on"))).remove());
    assertEquals(Map.of("maintenance-mode", "true"), decide("maintenance-on", null).put());
    assertTrue(decide("maintenance-off", null).message().contains("already off"));
    refused(decide("node-reboot", "n1"), "unknown operation 'node-reboot'");
  }

  @Test
  void resourceCommands() {
    assertEquals(Map.of("target-role/vm1", "Stopped"), decide("resource-stop", "vm1").put());
    assertTrue(decide("resource-start", "vm1").message().contains("already"));
    assertEquals(Map.of("target-role/vm1", "Started"),
        decide("resource-start", "vm1", null, null, Overrides.decode(Map.of("target-role/vm1", "Stopped"))).put());
    refused(decide("resource-stop", "nope"), "unknown resource 'nope'");
    refused(decide("resource-stop", "f1"), "only fence device for n1");
    assertEquals(Map.of("target-role/f2", "Stopped"), decide("resource-stop", "f2").put(), "f2b can still fence n2");

    assertEquals(Map.of("target-role/vm1", "Stopped", "restart/vm1", "-"), decide("resource-restart", "vm1").put());
    refused(decide("resource-restart", "vm2"), "not running");

    Admin.Edit ban = decide("resource-migrate", "vm1");
    assertEquals(Map.of("constraint/cli-ban-vm1-on-n1", "vm1 n1 -INFINITY 0"), ban.put());
    Admin.Edit prefer = decide("resource-migrate", "vm1", "n2", Duration.ofMinutes(10), Overrides.NONE);
    assertEquals(Map.of("constraint/cli-prefer-vm1", "vm1 n2 INFINITY 1600"), prefer.put());
    refused(decide("resource-migrate", "vm1", "n1", null, Overrides.NONE), "already active on n1");
    refused(decide("resource-migrate", "vm2"), "not running: give --node");
    refused(decide("resource-migrate", "ping"), "is a clone");
    refused(decide("resource-migrate", "vm1", "n2", Duration.ofSeconds(-5), Overrides.NONE), "lifetime must be positive");
    refused(decide("resource-migrate", "vm1", "n7", null, Overrides.NONE), "unknown node 'n7'");
    Overrides both = Overrides.decode(Map.of("constraint/cli-ban-vm1-on-n1", "vm1 n1 -INFINITY 0",
        "constraint/cli-prefer-vm1", "vm1 n2 INFINITY 0"));
    assertEquals(Set.of("constraint/cli-ban-vm1-on-n1", "constraint/cli-prefer-vm1"),
        decide("resource-unmigrate", "vm1", null, null, both).remove());
    assertEquals(Set.of("constraint/cli-ban-vm1-on-n1"), decide("resource-unmigrate", "vm1", "n1", null, both).remove());

    Admin.Edit cleanup = decide("resource-cleanup", "vm1");
    assertEquals("vm1", cleanup.cleanup());
    assertEquals(List.of("n1", "n2"), cleanup.cleanupNodes());
    assertEquals(List.of("n2"), decide("resource-cleanup", "vm1", "n2", null, Overrides.NONE).cleanupNodes());
    assertEquals(Set.of("held/vm1"),
        decide("resource-cleanup", "vm1", null, null, Overrides.decode(Map.of("held/vm1", "n2"))).remove());

    assertEquals(Map.of("is-managed/vm1", "false"), decide("resource-unmanage", "vm1").put());
    assertTrue(decide("resource-manage", "vm1").message().contains("already managed"));
  }

  @Test
  void lifetimes() {
    assertEquals(Duration.ofMinutes(10), Admin.parseLifetime("10m"));
    assertEquals(Duration.ofHours(1), Admin.parseLifetime("PT1H"));
    assertEquals(Duration.ofDays(1), Admin.parseLifetime("p1d"));
    assertNull(Admin.parseLifetime(" "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Admin.parseLifetime("soon"));
    assertTrue(e.getMessage().contains("'soon'"));
  }
}
