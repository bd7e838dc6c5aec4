package io.xenha.config;

import static io.xenha.config.ConfigLoaderTest.assertProblem;
import static io.xenha.config.ConfigLoaderTest.xenha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.config.XenhaConfig.ClusterProperties;
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

/** Fence devices, fencing topology and the fencing properties: good files and every error at its FILE:LINE: key. */
class FencingConfigTest {
  @TempDir Path dir;
  Path agent;

  @BeforeEach
  void files() throws IOException {
    agent = dir.resolve("fence_test");
    Files.writeString(agent, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(dir.resolve("ipmi.secret"), "not-printed\n");
    Files.writeString(dir.resolve("id_ed25519"), "key\n");
    Files.writeString(dir.resolve("vm.xml"), "<domain type='test'><name>vm</name></domain>\n");
    Files.writeString(dir.resolve("other.xml"), "<domain type='test'><name>other</name></domain>\n");
  }

  // ---- good files

  @Test
  void everyKindOfDeviceAndATopology() {
    XenhaConfig c = loadOk(xenha("""
        properties { stonith-timeout = 2m, priority-fencing-delay = 10s, fence-retry-max-backoff = 1m }
        resources {
          ipmi { type = stonith, agent = "AGENT", host-map { node2 = "2", node1 = "1" }
                 params { ip = 10.0.0.250, username = admin, password-file = ipmi.secret } }
          ssh-fence { type = stonith, agent = "builtin:ssh", ops.fence.timeout = 90s
                      params { user = admin, port = 2222, identity-file = id_ed25519 } }
          outer { type = stonith, agent = "builtin:libvirt", hosts = [node1], params { uri = "qemu:///system" } }
          kill { type = stonith, agent = "builtin:kill" }
        }
        fencing-topology {
          node1 = [ [ipmi], [ssh-fence, outer] ]
          node2 = [ ipmi, "kill,ssh-fence" ]
        }
        """.replace("AGENT", agent.toString())), "xenha.resources.ipmi.host-map"); // it fences both nodes: unplaceable

    ResourceSpec ipmi = c.resources().get("ipmi");
    assertEquals(agent.toString(), ipmi.agent());
    assertEquals(Map.of("node1", "1", "node2", "2"), ipmi.hostMap());
    assertEquals(List.of("node1", "node2"), ipmi.hosts(), "hosts default to the host-map's nodes");
    assertEquals(dir.resolve("ipmi.secret").toAbsolutePath().toString(), ipmi.params().get("password-file"));
    assertEquals(Duration.ofSeconds(60), ipmi.ops().monitorInterval());
    assertEquals(Duration.ofSeconds(20), ipmi.ops().monitorTimeout());
    assertEquals(Duration.ofMinutes(2), ipmi.ops().fenceTimeout(), "stonith-timeout is the default");

    ResourceSpec ssh = c.resources().get("ssh-fence");
    assertEquals(Duration.ofSeconds(90), ssh.ops().fenceTimeout());
    assertEquals("2222", ssh.params().get("port"));
    assertEquals(dir.resolve("id_ed25519").toAbsolutePath().toString(), ssh.params().get("identity-file"));
    assertTrue(ssh.hosts().isEmpty());
    assertTrue(ssh.hostMap().isEmpty());
    assertEquals(List.of("node1"), c.resources().get("outer").hosts());

    ClusterProperties p = c.properties();
    assertEquals(Duration.ofMinutes(2), p.stonithTimeout());
    assertEquals(Duration.ofSeconds(10), p.priorityFencingDelay());
    assertEquals(Duration.ofMinutes(1), p.fenceRetryMaxBackoff());
    assertEquals(Duration.ofMinutes(2), p.selfFenceDeadline());

    assertEquals(Map.of(
        "node1", List.of(List.of("ipmi"), List.of("ssh-fence", "outer")),
        "node2", List.of(List.of("ipmi"), List.of("kill", "ssh-fence"))), c.fencingTopology());
    assertEquals(List.of("node1", "node2"), List.copyOf(c.fencingTopology().keySet()));
  }

  @Test
  void defaults() {
    XenhaConfig c = loadOk("""
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          resources {
            vm { type = domain, domain-xml = vm.xml }
            f { type = stonith, agent = "builtin:kill", host-map = "node1:plug-a" }
          }
        }
        """, "xenha.resources.f.host-map"); // one node, and f fences it: unplaceable
    ClusterProperties p = c.properties();
    assertEquals(Duration.ofSeconds(60), p.stonithTimeout());
    assertEquals(Duration.ZERO, p.priorityFencingDelay());
    assertEquals(Duration.ofSeconds(30), p.fenceRetryMaxBackoff());
    assertEquals(Duration.ofSeconds(30), p.selfFenceDeadline(), "not checked while stonith is enabled");
    assertTrue(c.fencingTopology().isEmpty());
    assertEquals(Map.of("node1", "plug-a"), c.resources().get("f").hostMap());
    assertEquals(List.of("node1"), c.resources().get("f").hosts());
    assertNull(c.resources().get("vm").ops().fenceTimeout());
    assertEquals(Duration.ofSeconds(10), c.resources().get("vm").ops().monitorInterval());
  }

  @Test
  void aMonitorSetInResourceDefaultsAppliesToDevicesToo() {
    XenhaConfig c = loadOk(xenha("""
        resource-defaults.ops.monitor.interval = 30s
        resources.f { type = stonith, agent = "builtin:kill" }
        """));
    assertEquals(Duration.ofSeconds(30), c.resources().get("f").ops().monitorInterval());
    assertEquals(Duration.ofSeconds(20), c.resources().get("f").ops().monitorTimeout());
  }

  // ---- agents

  @Test
  void agentsThatCannotRun() throws IOException {
    Path notExecutable = dir.resolve("fence_plain");
    Files.writeString(notExecutable, "");
    LoadResult r = load(xenha("""
        resources {
          a { type = stonith, agent = fence_foo }
          b { type = stonith, agent = "PLAIN" }
          c { type = stonith, agent = "builtin:kil" }
          d { type = stonith, agent = ipmilan }
          e { type = stonith }
        }
        """.replace("PLAIN", notExecutable.toString())));
    assertProblem(r, 7, "xenha.resources.a.agent", "fence agent 'fence_foo' not found (install fence-agents)");
    assertProblem(r, 8, "xenha.resources.b.agent", "fence agent '" + notExecutable + "' not found or not executable");
    assertProblem(r, 9, "xenha.resources.c.agent",
        "unknown built-in fence agent 'builtin:kil' (builtin:kill, builtin:libvirt, builtin:ssh) (did you mean 'builtin:kill'?)");
    assertProblem(r, 10, "xenha.resources.d.agent", "unknown fence agent 'ipmilan'");
    assertProblem(r, 11, "xenha.resources.e.agent", "missing key 'agent'");
    assertEquals(5, r.errors().size(), () -> r.problems().toString());
  }

  @Test
  void builtinParameters() {
    LoadResult r = load(xenha("""
        resources {
          outer { type = stonith, agent = "builtin:libvirt", params { domain = vm1 } }
          outer2 { type = stonith, agent = "builtin:libvirt" }
          ssh { type = stonith, agent = "builtin:ssh"
                params { port = 70000, identity-file = nope, usr = root } }
          f { type = stonith, agent = "builtin:kill", params { action = off } }
        }
        """));
    assertProblem(r, 7, "xenha.resources.outer.params.uri", "missing key 'uri' (the libvirt URI of the outer host");
    assertProblem(r, 8, "xenha.resources.outer2.params.uri", "missing key 'uri'");
    assertProblem(r, 10, "xenha.resources.ssh.params.port", "must be between 1 and 65535, got 70000");
    assertProblem(r, 10, "xenha.resources.ssh.params.identity-file",
        "cannot read identity file " + dir.resolve("nope") + ": no such file");
    Problem w = assertProblem(r, 10, "xenha.resources.ssh.params.usr",
        "parameter 'usr' is not read by builtin:ssh (user, command, port, identity-file, known-hosts) (did you mean 'user'?)");
    assertTrue(w.warning());
    assertProblem(r, 11, "xenha.resources.f.params.action", "the fence action is chosen by xenha");
    assertEquals(5, r.errors().size(), () -> r.problems().toString());
  }

  // ---- secrets

  @Test
  void secretsInClearTextAreRefusedWithoutShowingThem() {
    LoadResult r = load(xenha("""
        resources.ipmi { type = stonith, agent = "builtin:kill"
          params {
            password = hunter2
            Passwd = "swordfish"
            snmp_priv_passwd = opensesame
            api-secret = [ "s3cr3t" ]
            passwd_script = "/usr/local/bin/get-password"
          }
        }
        """));
    String secrets = "secrets are never written in the configuration: use password-file = PATH or password-env = VAR";
    assertProblem(r, 8, "xenha.resources.ipmi.params.password", secrets);
    assertProblem(r, 9, "xenha.resources.ipmi.params.Passwd", secrets);
    assertProblem(r, 10, "xenha.resources.ipmi.params.snmp_priv_passwd", secrets);
    assertProblem(r, 11, "xenha.resources.ipmi.params.api-secret", secrets);
    assertEquals(4, r.errors().size(), () -> r.problems().toString());
    for (Problem p : r.problems()) {
      for (String secret : List.of("hunter2", "swordfish", "opensesame", "s3cr3t")) {
        assertFalse(p.format().contains(secret), p.format());
      }
    }
  }

  @Test
  void passwordFileAndEnvironment() throws IOException {
    Path dirAsFile = Files.createDirectory(dir.resolve("secrets"));
    LoadResult r = load(xenha("""
        resources {
          a { type = stonith, agent = "builtin:kill", params.password-file = missing.secret }
          b { type = stonith, agent = "builtin:kill", params.password-file = secrets }
          c { type = stonith, agent = "builtin:kill", params.password-env = XENHA_TEST_UNSET_PASSWORD_VAR }
          d { type = stonith, agent = "builtin:kill", params.password-env = "not a name" }
        }
        """));
    assertProblem(r, 7, "xenha.resources.a.params.password-file",
        "cannot read password file " + dir.resolve("missing.secret") + ": no such file");
    assertProblem(r, 8, "xenha.resources.b.params.password-file",
        "cannot read password file " + dirAsFile + ": is a directory");
    Problem w = assertProblem(r, 9, "xenha.resources.c.params.password-env",
        "environment variable XENHA_TEST_UNSET_PASSWORD_VAR is not set here");
    assertTrue(w.warning());
    assertProblem(r, 10, "xenha.resources.d.params.password-env", "invalid environment variable name 'not a name'");
    assertEquals(3, r.errors().size(), () -> r.problems().toString());
    for (Problem p : r.problems()) assertFalse(p.format().contains("not-printed"), p.format());
  }

  // ---- hosts and host-map

  @Test
  void hostMapProblems() {
    LoadResult r = load(xenha("""
        resources {
          a { type = stonith, agent = "builtin:kill", host-map { node1 = p1, nod2 = p2 } }
          b { type = stonith, agent = "builtin:kill", host-map = "node1:p1;node3" }
          c { type = stonith, agent = "builtin:kill", hosts = [node1], host-map { node2 = p2 } }
          d { type = stonith, agent = "builtin:kill", host-map = [node1] }
        }
        """));
    assertProblem(r, 7, "xenha.resources.a.host-map.nod2", "unknown node 'nod2' (did you mean 'node2'?)");
    assertProblem(r, 8, "xenha.resources.b.host-map", "invalid host-map entry 'node3' (expected node:plug)");
    assertTrue(assertProblem(r, 9, "xenha.resources.c.host-map",
        "node 'node2' is in host-map but not in hosts: this device will not fence it").warning());
    assertProblem(r, 10, "xenha.resources.d.host-map", "expected an object { node1 = plug1, ... }, got a list");
    assertEquals(3, r.errors().size(), () -> r.problems().toString());
  }

  // ---- ops and properties

  @Test
  void fenceTimeoutOnlyOnDevices() {
    LoadResult r = load(xenha("""
        resource-defaults.ops.fence.timeout = 30s
        resources.vm { type = domain, domain-xml = vm.xml, ops.fence.timeout = 30s }
        resources.f { type = stonith, agent = "builtin:kill", ops.fence.timeout = 0s }
        """));
    assertProblem(r, 6, "xenha.resource-defaults.ops.fence", "key 'fence' is not a resource default (set properties.stonith-timeout)");
    assertProblem(r, 7, "xenha.resources.vm.ops.fence", "key 'fence' applies to stonith resources only");
    assertProblem(r, 8, "xenha.resources.f.ops.fence.timeout", "must be more than 0");
    assertEquals(3, r.errors().size(), () -> r.problems().toString());
  }

  @Test
  void fencingProperties() {
    LoadResult r = load(xenha("""
        properties {
          stonith-timeout = 0s
          fence-retry-max-backoff = 500ms
          priority-fencing-delay = forever
        }
        """));
    assertProblem(r, 7, "xenha.properties.stonith-timeout", "must be more than 0, got 0s");
    assertProblem(r, 8, "xenha.properties.fence-retry-max-backoff", "must be between 1s and 1h (the backoff starts at 1s), got 500ms");
    assertProblem(r, 9, "xenha.properties.priority-fencing-delay", "invalid duration 'forever'");
    assertEquals(3, r.errors().size(), () -> r.problems().toString());

    LoadResult slow = load(xenha("properties { stonith-timeout = 30s, priority-fencing-delay = 30s }"));
    assertTrue(slow.ok());
    assertTrue(assertProblem(slow, 6, "xenha.properties.priority-fencing-delay",
        "priority-fencing-delay (30s) is not shorter than stonith-timeout (30s)").warning());
  }

  @Test
  void twoNodeModeNeedsFencingAndExactlyTwoNodes() {
    // xenha() has 2 nodes and stonith-enabled = false; the caller's text starts at line 6
    LoadResult noFencing = load(xenha("cluster.split-brain-resolver = two-node"));
    assertProblem(noFencing, 6, "xenha.cluster.split-brain-resolver", "two-node needs stonith-enabled = true");

    LoadResult three = load("""
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          nodes.node2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          nodes.node3 { address = "127.0.0.1:2553", jmx-port = 9012 }
          cluster.split-brain-resolver = two-node
        }
        """);
    assertProblem(three, 5, "xenha.cluster.split-brain-resolver", "two-node is for clusters of exactly 2 nodes (this one has 3)");

    LoadResult ok = load("""
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          nodes.node2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          cluster.split-brain-resolver = two-node
        }
        """);
    assertTrue(ok.ok(), () -> ok.problems().toString());
    assertEquals("two-node", ok.config().get().cluster().sbrStrategy());
  }

  @Test
  void withoutFencingTheLosingSideMustStopWhatItRuns() {
    // xenha() switches fencing off; the caller's text starts at line 6
    LoadResult frozen = load(xenha("properties.no-quorum-policy = freeze"));
    assertProblem(frozen, 6, "xenha.properties.no-quorum-policy", "with stonith-enabled = false, no-quorum-policy must be stop (is freeze)");
    assertTrue(load(xenha("properties.no-quorum-policy = stop")).ok());
  }

  @Test
  void selfFenceDeadlineMustOutlastEveryStop() {
    String domains = """
          resources {
            vm { type = domain, domain-xml = vm.xml, ops.stop.timeout = 90s }
            other { type = domain, domain-xml = other.xml, ops.stop.timeout = 2m }
          }
        }
        """;
    LoadResult set = load("""
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          properties.stonith-enabled = false
          properties.self-fence-deadline = 80s
        """ + domains.replace("other { type = domain, domain-xml = other.xml, ops.stop.timeout = 2m }", ""));
    assertProblem(set, 4, "xenha.properties.self-fence-deadline",
        "self-fence-deadline (80s) must be longer than the longest stop timeout of a domain (90s, resource 'vm')");

    LoadResult dflt = load("""
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          properties.stonith-enabled = false
        """ + domains.replace("other { type = domain, domain-xml = other.xml, ops.stop.timeout = 2m }",
        "other { type = stonith, agent = \"builtin:kill\", ops.stop.timeout = 5m }"));
    assertProblem(dflt, 3, "xenha.properties.self-fence-deadline",
        "self-fence-deadline (30s, the default) must be longer than the longest stop timeout of a domain (90s, resource 'vm')");

    assertTrue(load("xenha { nodes.node1 { address = \"127.0.0.1:2551\" }\n" + domains).ok(),
        "with stonith enabled the deadline is not used");
  }

  // ---- topology

  @Test
  void topologyProblems() {
    LoadResult r = load(xenha("""
        resources {
          vm { type = domain, domain-xml = vm.xml }
          ipmi-node1 { type = stonith, agent = "builtin:kill", hosts = [node1] }
          ipmi-node2 { type = stonith, agent = "builtin:kill", hosts = [node2] }
        }
        fencing-topology {
          node1 = [ [ipmi-node2], [ipmi-nod1], [vm], [] ]
          node3 = [ [ipmi-node1] ]
          node2 = []
        }
        """));
    assertProblem(r, 12, "xenha.fencing-topology.node1[0]", "device 'ipmi-node2' cannot fence node1 (its hosts: node2)");
    assertProblem(r, 12, "xenha.fencing-topology.node1[1]", "unknown device 'ipmi-nod1' (did you mean 'ipmi-node1'?)");
    assertProblem(r, 12, "xenha.fencing-topology.node1[2]", "resource 'vm' is not a fence device (type domain)");
    assertProblem(r, 12, "xenha.fencing-topology.node1[3]", "empty fencing level: list at least one device");
    assertProblem(r, 13, "xenha.fencing-topology.node3", "unknown node 'node3' (did you mean 'node1'?)");
    assertProblem(r, 14, "xenha.fencing-topology.node2", "no fencing levels");
    assertEquals(6, r.errors().size(), () -> r.problems().toString());
  }

  @Test
  void topologyOfTheWrongShape() {
    LoadResult r = load(xenha("""
        resources.f { type = stonith, agent = "builtin:kill" }
        fencing-topology {
          node1 = f
          node2 = [ { device = f } ]
        }
        """));
    assertProblem(r, 8, "xenha.fencing-topology.node1", "expected a list of levels, e.g. [ [ipmi-node1], [ssh-fence] ]");
    assertProblem(r, 9, "xenha.fencing-topology.node2[0]", "expected a list of device ids [ dev1, dev2 ], got an object");
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
