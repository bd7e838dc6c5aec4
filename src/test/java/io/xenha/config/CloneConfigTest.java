package io.xenha.config;

import static io.xenha.config.ConfigLoaderTest.assertProblem;
import static io.xenha.config.ConfigLoaderTest.xenha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.XenhaConfig.Clone;
import io.xenha.config.XenhaConfig.LocationConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCF and built-in resources, clone sets and location rules: good files and every error at its FILE:LINE: key. */
class CloneConfigTest {
  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Path agent = dir.resolve("ocf/resource.d/heartbeat/Dummy");
    Files.createDirectories(agent.getParent());
    Files.writeString(agent, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path plain = dir.resolve("ocf/resource.d/heartbeat/Plain");
    Files.writeString(plain, "not executable\n");
    Files.writeString(dir.resolve("vm.xml"), "<domain type='test'><name>vm</name></domain>\n");
  }

  @Test
  void theSeedsClonesAndRules() {
    XenhaConfig c = loadOk(xenha("""
        ocf-root = ocf
        resources {
          pingd { type = builtin, agent = ping, clone {}, ops.monitor.interval = 15s
                  params { host-list = ["10.0.0.254", "10.0.0.253"], multiplier = 100, dampen = 20s } }
          evms { type = ocf, agent = "ocf:heartbeat:Dummy", clone { notify = true, clone-max = 1 } }
          configpool { type = ocf, agent = "heartbeat:Dummy", clone { interleave = true, clone-node-max = 2, clone-min = 1 }
                       params { directory = "/etc/xen/vm", fstype = ocfs2 } }
          vip { type = ocf, agent = "heartbeat:Dummy" }
          nfs { type = domain, domain-xml = vm.xml }
        }
        constraints {
          order = [ { first = evms, then = configpool }, { first = configpool, then = nfs } ]
          location = [ { resource = nfs, rule = "-INFINITY: not_defined pingd or pingd lte 0" },
                       { resource = vip, rule = "pingd: defined pingd" } ]
        }
        """));
    assertEquals(dir.resolve("ocf"), c.ocfRoot());
    ResourceSpec pingd = c.resources().get("pingd");
    assertEquals("builtin", pingd.type());
    assertEquals("ping", pingd.agent());
    assertEquals(new Clone(2, 1, 0, false, false), pingd.cloneSet());
    assertEquals(Map.of("host-list", "10.0.0.254 10.0.0.253", "multiplier", "100", "dampen", "20s", "name", "pingd"),
        pingd.params());
    assertEquals(Duration.ofSeconds(15), pingd.ops().monitorInterval());
    assertEquals("heartbeat:Dummy", c.resources().get("evms").agent());
    assertEquals(new Clone(1, 1, 0, false, true), c.resources().get("evms").cloneSet());
    assertEquals(new Clone(2, 2, 1, true, false), c.resources().get("configpool").cloneSet());
    assertEquals(Map.of("directory", "/etc/xen/vm", "fstype", "ocfs2"), c.resources().get("configpool").params());
    assertNull(c.resources().get("vip").cloneSet());
    assertNull(c.resources().get("nfs").cloneSet());
    LocationConstraint rule = c.locations().get(0);
    assertNull(rule.node());
    assertEquals(Score.MINUS_INFINITY, rule.score());
    assertEquals(Rule.parse("-INFINITY: not_defined pingd or pingd lte 0"), rule.rule());
    assertEquals("pingd", c.locations().get(1).rule().scoreAttribute());
  }

  @Test
  void pingDefaults() {
    XenhaConfig c = loadOk(xenha("resources.p { type = builtin, agent = \"builtin:ping\", params.host-list = \"a b\" }"));
    assertEquals(Map.of("host-list", "a b", "multiplier", "1", "dampen", "5s", "name", "pingd"),
        c.resources().get("p").params());
  }

  @Test
  void agentProblems() {
    LoadResult r = load(xenha("""
        ocf-root = ocf
        resources {
          a { type = ocf, agent = "heartbeat:Foo" }
          b { type = ocf, agent = "Dummy" }
          c { type = ocf, agent = "heartbeat:Plain" }
          d { type = ocf }
          e { type = builtin, agent = pong }
          f { type = builtin, agent = ping }
          g { type = builtin, agent = ping, params { host-list = [], multiplier = 0, dampen = 5, nmae = x } }
          h { type = ocf, agent = "heartbeat:Dummy", params { password = x }, hosts = [node1], domain-xml = vm.xml }
        }
        """));
    Path dirs = dir.resolve("ocf/resource.d");
    assertProblem(r, 8, "xenha.resources.a.agent",
        "OCF agent 'heartbeat:Foo' not found under " + dirs + " (install resource-agents)");
    assertProblem(r, 9, "xenha.resources.b.agent", "invalid OCF agent 'Dummy' (provider:type");
    assertProblem(r, 10, "xenha.resources.c.agent", "OCF agent 'heartbeat:Plain' is not executable");
    assertProblem(r, 11, "xenha.resources.d.agent", "missing key 'agent'");
    assertProblem(r, 12, "xenha.resources.e.agent", "unknown built-in agent 'pong' (ping) (did you mean 'ping'?)");
    assertProblem(r, 13, "xenha.resources.f.params.host-list", "missing key 'host-list'");
    assertProblem(r, 14, "xenha.resources.g.params.host-list", "must list at least one address");
    assertProblem(r, 14, "xenha.resources.g.params.multiplier", "must be 1 or more");
    assertProblem(r, 14, "xenha.resources.g.params.dampen", "has no unit");
    assertProblem(r, 14, "xenha.resources.g.params.nmae", "parameter 'nmae' is not read by ping");
    assertProblem(r, 15, "xenha.resources.h.params.password", ModelBuilder.SECRET_MESSAGE);
    assertProblem(r, 15, "xenha.resources.h.hosts", "key 'hosts' does not apply to type ocf (only to stonith resources)");
    assertProblem(r, 15, "xenha.resources.h.domain-xml", "does not apply to type ocf (only to domain resources)");
  }

  @Test
  void defaultOcfRoot() {
    LoadResult r = load(xenha("resources.a { type = ocf, agent = \"heartbeat:NoSuchAgentForXenhaTests\" }"));
    assertProblem(r, 6, "xenha.resources.a.agent",
        "OCF agent 'heartbeat:NoSuchAgentForXenhaTests' not found under /usr/lib/ocf/resource.d (install resource-agents)");
  }

  @Test
  void cloneProblems() {
    LoadResult r = load(xenha("""
        ocf-root = ocf
        resources {
          vm { type = domain, domain-xml = vm.xml, clone {} }
          kill { type = stonith, agent = "builtin:kill", clone {} }
          a { type = ocf, agent = "heartbeat:Dummy", clone { clone-max = 1, clone-min = 2 } }
          b { type = ocf, agent = "heartbeat:Dummy", clone { clone-node-max = 0, globally-unique = true } }
          c { type = ocf, agent = "heartbeat:Dummy", clone = yes }
        }
        """));
    assertProblem(r, 8, "xenha.resources.vm.clone", "a domain cannot be a clone");
    assertProblem(r, 9, "xenha.resources.kill.clone", "a fence device cannot be a clone");
    assertProblem(r, 10, "xenha.resources.a.clone.clone-min", "clone-min (2) is more than clone-max (1)");
    assertProblem(r, 11, "xenha.resources.b.clone.clone-node-max", "must be 1 or more, got 0");
    assertProblem(r, 11, "xenha.resources.b.clone.globally-unique", "unknown key 'globally-unique'");
    assertProblem(r, 12, "xenha.resources.c.clone", "expected an object");
  }

  @Test
  void ruleProblems() {
    LoadResult r = load(xenha("""
        resources.vm { type = domain, domain-xml = vm.xml }
        constraints.location = [
          { resource = vm, rule = "-INFINITY: not_defined pingd or pingd lte 0 and defined x" }
          { resource = vm, rule = "-INFINITY: pingd less 0" }
          { resource = vm, node = node1, rule = "10: defined pingd" }
          { resource = vm, score = 10, rule = "10: defined pingd" }
          { resource = vm, rule = [ "10: defined pingd" ] }
          { resource = vm, rule = "defined pingd" }
        ]
        """));
    assertProblem(r, 8, "xenha.constraints.location[0].rule",
        "column 45: a rule joins its expressions with either and or or, not both");
    assertProblem(r, 9, "xenha.constraints.location[1].rule", "column 18: unknown operator 'less' after 'pingd'");
    assertProblem(r, 10, "xenha.constraints.location[2].node", "either node and score or a rule, not both");
    assertProblem(r, 11, "xenha.constraints.location[3].score", "the score of a rule is written in the rule");
    assertProblem(r, 12, "xenha.constraints.location[4].rule", "expected a rule \"SCORE: EXPRESSION\" as a string");
    assertProblem(r, 13, "xenha.constraints.location[5].rule", "column 1: expected SCORE: EXPRESSION");
  }

  LoadResult load(String body) {
    try {
      Path f = dir.resolve("xenha.conf");
      Files.writeString(f, body);
      return ConfigLoader.load(f);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The warnings of xenha(...)'s own settings (two nodes, fencing off), which the tests here have on purpose. */
  static final Set<String> FIXTURE_WARNINGS = Set.of("xenha.cluster.split-brain-resolver", "xenha.properties.stonith-enabled");

  /** Loads without errors and without warnings but the fixture's and those at {@code expectedWarnings} (keys). */
  XenhaConfig loadOk(String body, String... expectedWarnings) {
    LoadResult r = load(body);
    assertEquals(List.of(), r.problems().stream()
        .filter(p -> !p.warning() || !(FIXTURE_WARNINGS.contains(p.key()) || List.of(expectedWarnings).contains(p.key())))
        .map(Problem::format).toList());
    for (String key : expectedWarnings) {
      assertTrue(r.warnings().stream().anyMatch(p -> p.key().equals(key)), () -> "no warning at " + key + ": " + r.problems());
    }
    return r.config().orElseThrow();
  }
}
