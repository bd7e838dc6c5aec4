package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.XenhaConfig.LocationConstraint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime overrides' encoding, how they apply to a configuration, and their export as HOCON. */
class OverridesTest {
  @TempDir Path dir;
  Path file;
  XenhaConfig config;

  @BeforeEach
  void load() throws IOException {
    for (String vm : List.of("vm1", "vm2")) {
      Files.writeString(dir.resolve(vm + ".xml"), "<domain type='test'><name>" + vm + "</name></domain>\n");
    }
    file = dir.resolve("xenha.conf");
    Files.writeString(file, """
        xenha {
          cluster-name = t
          nodes {
            n1 { address = "127.0.0.1:2551" }
            n2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          }
          resources {
            fence { type = stonith, agent = "builtin:kill" }
            vm1 { type = domain, domain-xml = vm1.xml }
            vm2 { type = domain, domain-xml = vm2.xml, target-role = Stopped }
          }
          constraints { location = [ { resource = vm1, node = n1, score = 50 } ] }
        }
        """);
    LoadResult r = ConfigLoader.load(file, Optional.empty());
    assertTrue(r.ok(), r.problems().toString());
    config = r.config().orElseThrow();
  }

  static Overrides sample() {
    return Overrides.decode(Map.of(
        "node-standby/n2", "on",
        "node-maintenance/n1", "on",
        "target-role/vm1", "Stopped",
        "target-role/vm2", "Started",
        "is-managed/vm2", "false",
        "constraint/cli-ban-vm1-on-n1", "vm1 n1 -INFINITY 0",
        "constraint/cli-prefer-vm2", "vm2 n2 INFINITY 1000",
        "maintenance-mode", "true"));
  }

  @Test
  void unreadableEntriesAreSetAsideNotApplied() {
    Overrides o = Overrides.decode(Map.of("target-role/vm1", "Sleeping", "constraint/x", "vm1 n1", "future/key", "1",
        "node-standby/n2", "on"));
    assertEquals(Map.of("node-standby/n2", "on"), o.entries());
    assertEquals(3, o.unreadable().size(), o.unreadable().toString());
  }

  @Test
  void appliesToTheConfiguration() {
    XenhaConfig e = sample().applyTo(config, 500);
    assertTrue(e.nodes().get("n2").standby());
    assertEquals("true", e.nodes().get("n1").attributes().get("maintenance"));
    assertEquals("Stopped", e.resources().get("vm1").targetRole());
    assertEquals("Started", e.resources().get("vm2").targetRole());
    assertFalse(e.resources().get("vm2").managed());
    assertTrue(e.properties().maintenanceMode());
    assertTrue(e.locations().contains(new LocationConstraint("vm1", "n1", -Score.INFINITY)));
    assertTrue(e.locations().contains(new LocationConstraint("vm2", "n2", Score.INFINITY)), "not expired at 500");
    assertTrue(e.locations().contains(new LocationConstraint("vm1", "n1", 50)), "configured constraints stay");
    XenhaConfig later = sample().applyTo(config, 1000);
    assertFalse(later.locations().contains(new LocationConstraint("vm2", "n2", Score.INFINITY)), "expired at 1000");
    assertEquals(1000, sample().nextExpiry(500));
    assertEquals(0, sample().nextExpiry(1000));
    assertEquals(config, Overrides.NONE.applyTo(config, 500), "no overrides: the configuration itself");
  }

  @Test
  void heldResourcesRunNowhereElse() {
    Overrides o = Overrides.decode(Map.of("held/vm1", "n2"));
    XenhaConfig e = o.applyTo(config, 0);
    assertTrue(e.locations().contains(new LocationConstraint("vm1", "n1", -Score.INFINITY)));
    assertFalse(e.locations().contains(new LocationConstraint("vm1", "n2", -Score.INFINITY)));
  }

  @Test
  void exportedHoconLoadsToTheSameState() throws IOException {
    Overrides o = sample();
    String hocon = o.toHocon(config, 500);
    Path exported = dir.resolve("exported.conf");
    Files.writeString(exported, Files.readString(file) + "\n" + hocon);
    LoadResult r = ConfigLoader.load(exported, Optional.empty());
    assertTrue(r.ok(), r.problems() + "\n" + hocon);
    XenhaConfig restored = r.config().orElseThrow();
    XenhaConfig expected = o.applyTo(config, 500);
    assertEquals(expected.nodes().get("n2").standby(), restored.nodes().get("n2").standby());
    assertEquals(expected.nodes().get("n1").attributes(), restored.nodes().get("n1").attributes());
    assertEquals(expected.properties().maintenanceMode(), restored.properties().maintenanceMode());
    for (String id : List.of("vm1", "vm2", "fence")) {
      assertEquals(expected.resources().get(id).targetRole(), restored.resources().get(id).targetRole(), id);
      assertEquals(expected.resources().get(id).managed(), restored.resources().get(id).managed(), id);
    }
    assertEquals(new java.util.HashSet<>(expected.locations()), new java.util.HashSet<>(restored.locations()));
    assertTrue(hocon.contains("# cli-prefer-vm2, expires 1970-01-01T00:16:40Z"), hocon);
    assertNull(Overrides.NONE.maintenanceMode());
  }
}
