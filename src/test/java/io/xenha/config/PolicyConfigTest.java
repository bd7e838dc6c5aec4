package io.xenha.config;

import static io.xenha.config.ConfigLoaderTest.assertProblem;
import static io.xenha.config.ConfigLoaderTest.xenha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.XenhaConfig.ColocationConstraint;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keys of issue #3 (groups, colocation, order options, utilization, meta attributes, node attributes). */
class PolicyConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Path agent = dir.resolve("ocf/resource.d/heartbeat/Dummy");
    Files.createDirectories(agent.getParent());
    Files.writeString(agent, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String vm : List.of("vm1", "vm2")) {
      Files.writeString(dir.resolve(vm + ".xml"), "<domain type='test'><name>" + vm + "</name></domain>\n");
    }
  }

  @Test
  void everyNewKey() {
    XenhaConfig c = loadOk("""
        xenha {
          cluster-name = t
          ocf-root = ocf
          nodes {
            node1 { address = "127.0.0.1:2551", attributes { rack = "2", ssd = true }, utilization { memory = 16G, vcpus = 8 } }
            node2 { address = "127.0.0.1:2552", jmx-port = 9011, standby = true }
          }
          properties {
            maintenance-mode = true, start-failure-is-fatal = false, stop-orphan-resources = false
            migration-limit = 2, concurrent-fencing = false
          }
          resource-defaults { is-managed = false, multiple-active = block }
          resources {
            ip { type = ocf, agent = "heartbeat:Dummy", ops.monitor { interval = 5s, on-fail = standby } }
            fs { type = ocf, agent = "heartbeat:Dummy", requires = quorum, failure-timeout = 2m
                 ops { start.on-fail = block, stop { timeout = 30s, on-fail = fence } } }
            vm1 { type = domain, domain-xml = vm1.xml, is-managed = true, utilization { memory = 1G, vcpus = 1, licenses = 0 } }
            web { type = group, members = [ip, fs, vm1], priority = 5 }
            s1 { type = ocf, agent = "heartbeat:Dummy" }
            s2 { type = ocf, agent = "heartbeat:Dummy" }
            storage { type = group, members = [s1, s2], ordered = false, collocated = false, clone { interleave = true } }
            vm2 { type = domain, domain-xml = vm2.xml, multiple-active = stop_only }
          }
          constraints {
            order = [
              { id = o1, first = storage, then = web }
              { first = vm2, then = web, kind = serialize }
              { first = s1, then = vm2, score = 0 }
              { first = web, then = vm2, first-action = stop, then-action = stop, symmetrical = false, require-all = false }
            ]
            colocation = [ { resource = web, with = storage }, { id = apart, resource = vm2, with = web, score = -INFINITY } ]
          }
        }
        """);
    var n1 = c.node("node1");
    assertEquals(Map.of("rack", "2", "ssd", "true"), n1.attributes());
    assertEquals(Map.of("memory", 16384L, "vcpus", 8L), n1.utilization());
    assertFalse(n1.standby());
    assertTrue(c.node("node2").standby());
    var p = c.properties();
    assertTrue(p.maintenanceMode());
    assertFalse(p.startFailureIsFatal());
    assertFalse(p.stopOrphanResources());
    assertEquals(2, p.migrationLimit());
    assertFalse(p.concurrentFencing());

    ResourceSpec web = c.resources().get("web");
    assertTrue(web.isGroup());
    assertEquals(List.of("ip", "fs", "vm1"), web.members());
    assertTrue(web.ordered() && web.collocated());
    assertEquals(5, web.priority());
    assertEquals("web", c.resources().get("ip").group());
    assertEquals("web", c.resources().get("vm1").group());
    assertNull(c.resources().get("vm2").group());
    ResourceSpec storage = c.resources().get("storage");
    assertFalse(storage.ordered() || storage.collocated());
    assertTrue(storage.isClone() && storage.cloneSet().interleave());
    assertEquals("storage", c.resources().get("s2").group());

    assertEquals(Map.of("monitor", "standby"), c.resources().get("ip").ops().onFail());
    ResourceSpec fs = c.resources().get("fs");
    assertEquals(Map.of("start", "block", "stop", "fence"), fs.ops().onFail());
    assertEquals("quorum", fs.requires());
    assertEquals(Duration.ofMinutes(2), fs.failureTimeout());
    assertFalse(fs.managed()); // resource-defaults.is-managed
    assertEquals("block", fs.multipleActive());
    ResourceSpec vm1 = c.resources().get("vm1");
    assertTrue(vm1.managed());
    assertEquals("fencing", vm1.requires());
    assertNull(vm1.failureTimeout());
    assertEquals(Map.of("memory", 1024L, "vcpus", 1L, "licenses", 0L), vm1.utilization());
    assertEquals("stop_only", c.resources().get("vm2").multipleActive());

    List<OrderConstraint> o = c.orders();
    assertEquals(new OrderConstraint("storage", "web", "mandatory", true, "start", "start", true, null, "o1"), o.get(0));
    assertEquals("serialize", o.get(1).kind());
    assertFalse(o.get(1).symmetrical());
    assertEquals("optional", o.get(2).kind());
    assertEquals(0, o.get(2).score());
    assertEquals(new OrderConstraint("web", "vm2", "mandatory", false, "stop", "stop", false, null, null), o.get(3));
    assertEquals(List.of(new ColocationConstraint("web", "storage", Score.INFINITY, null),
        new ColocationConstraint("vm2", "web", Score.MINUS_INFINITY, "apart")), c.colocations());
  }

  @Test
  void defaultsWithoutTheNewKeys() {
    XenhaConfig c = loadOk(xenha("ocf-root = ocf\nresources.a { type = ocf, agent = \"heartbeat:Dummy\" }"));
    ResourceSpec a = c.resources().get("a");
    assertTrue(a.managed());
    assertEquals("stop_start", a.multipleActive());
    assertEquals("quorum", a.requires()); // xenha() switches fencing off
    assertEquals(Map.of(), a.utilization());
    assertEquals(Map.of(), a.ops().onFail());
    assertEquals(List.of(), c.colocations());
    var p = c.properties();
    assertFalse(p.maintenanceMode());
    assertTrue(p.startFailureIsFatal() && p.stopOrphanResources() && p.concurrentFencing());
    assertEquals(-1, p.migrationLimit());
    assertEquals(Map.of(), c.node("node1").attributes());
  }

  @Test
  void groupProblems() {
    LoadResult r = load(xenha("""
        ocf-root = ocf
        resources {
          a { type = ocf, agent = "heartbeat:Dummy" }
          b { type = ocf, agent = "heartbeat:Dummy", clone {} }
          vm1 { type = domain, domain-xml = vm1.xml }
          g1 { type = group, members = [a, b, nope, a] }
          g2 { type = group, members = [a, g1], ops.start.timeout = 5s }
          g3 { type = group, members = [vm1], clone {} }
          g4 { type = group, members = [] }
          g5 { type = group }
          x { type = ocf, agent = "heartbeat:Dummy", members = [a] }
        }
        """));
    assertProblem(r, 11, "xenha.resources.g1.members", "resource 'a' is listed twice");
    assertProblem(r, 11, "xenha.resources.g1.members", "resource 'b' is a clone: a group member cannot be a clone");
    assertProblem(r, 11, "xenha.resources.g1.members", "unknown resource 'nope'");
    assertProblem(r, 12, "xenha.resources.g2.members", "resource 'a' is already a member of group 'g1'");
    assertProblem(r, 12, "xenha.resources.g2.members", "resource 'g1' is a group");
    assertProblem(r, 12, "xenha.resources.g2.ops", "does not apply to a group");
    assertProblem(r, 13, "xenha.resources.g3.members", "resource 'vm1' is a domain and group 'g3' is a clone");
    assertProblem(r, 14, "xenha.resources.g4.members", "a group needs at least one member");
    assertProblem(r, 15, "xenha.resources.g5.members", "missing key 'members'");
    assertProblem(r, 16, "xenha.resources.x.members", "applies to type group only");
  }

  @Test
  void badValues() {
    LoadResult r = load(xenha("""
        ocf-root = ocf
        nodes.node1 { attributes { "#uname" = x, list = [1] }, utilization { memory = 512, cpus = -1 } }
        properties { migration-limit = -2, maintenance-mode = maybe }
        resources {
          a { type = ocf, agent = "heartbeat:Dummy", utilization.memory = 1500K, is-managed = perhaps
              failure-timeout = 10, multiple-active = restart, requires = fencing
              ops { monitor.on-fail = explode, stop.on-fail = fence } }
          b { type = ocf, agent = "heartbeat:Dummy", requires = unfencing }
        }
        constraints {
          order = [ { first = a, then = b, kind = serialize, symmetrical = true, first-action = migrate, require-all = 3 } ]
          colocation = [ { resource = a, with = a }, { resource = a, with = zz, score = lots }, { resource = a } ]
        }
        """));
    assertProblem(r, 7, "xenha.nodes.node1.attributes.\"#uname\"", "attribute names starting with '#' are set by xenha");
    assertProblem(r, 7, "xenha.nodes.node1.attributes.list", "expected a value");
    assertProblem(r, 7, "xenha.nodes.node1.utilization.memory", "has no unit");
    assertProblem(r, 7, "xenha.nodes.node1.utilization.cpus", "must be 0 or more");
    assertProblem(r, 8, "xenha.properties.migration-limit", "must be -1 or more");
    assertProblem(r, 8, "xenha.properties.maintenance-mode", "expected true or false");
    assertProblem(r, 10, "xenha.resources.a.utilization.memory", "must be a whole number of MiB");
    assertProblem(r, 10, "xenha.resources.a.is-managed", "expected true or false");
    assertProblem(r, 11, "xenha.resources.a.failure-timeout", "has no unit");
    assertProblem(r, 11, "xenha.resources.a.multiple-active", "invalid value 'restart'");
    assertProblem(r, 11, "xenha.resources.a.requires", "requires = fencing needs properties.stonith-enabled = true");
    assertProblem(r, 12, "xenha.resources.a.ops.monitor.on-fail", "invalid value 'explode'");
    assertProblem(r, 12, "xenha.resources.a.ops.stop.on-fail", "on-fail = fence needs properties.stonith-enabled");
    assertProblem(r, 13, "xenha.resources.b.requires", "unfencing is not supported");
    assertProblem(r, 16, "xenha.constraints.order[0].symmetrical", "a serialize order has no reverse");
    assertProblem(r, 16, "xenha.constraints.order[0].first-action", "invalid value 'migrate'");
    assertProblem(r, 16, "xenha.constraints.order[0].require-all", "expected true or false");
    assertProblem(r, 17, "xenha.constraints.colocation[0].with", "cannot be colocated with itself");
    assertProblem(r, 17, "xenha.constraints.colocation[1].with", "unknown resource 'zz'");
    assertProblem(r, 17, "xenha.constraints.colocation[1].score", "invalid score 'lots'");
    assertProblem(r, 17, "xenha.constraints.colocation[2].with", "missing key 'with'");
  }

  // ---- helpers

  LoadResult load(String body) {
    try {
      Path f = dir.resolve("xenha.conf");
      Files.writeString(f, body);
      return ConfigLoader.load(f);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  XenhaConfig loadOk(String body) {
    LoadResult r = load(body);
    assertTrue(r.ok(), () -> r.problems().toString());
    return r.config().orElseThrow();
  }
}
