package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final Path DEMO = Path.of("conf/demo.conf");
  static final Path GOOD = Path.of("src/test/resources/config/good/xenha.conf");

  @TempDir Path dir;

  // ---- good files

  @Test
  void demoConfigLoads() {
    LoadResult r = ConfigLoader.load(DEMO);
    assertTrue(r.problems().isEmpty(), () -> r.problems().toString());
    XenhaConfig c = r.config().orElseThrow();
    assertEquals("demo", c.clusterName());
    assertEquals(List.of("node1", "node2", "node3"), List.copyOf(c.nodes().keySet()));
    assertEquals(2553, c.node("node3").port());
    assertEquals(9013, c.node("node3").jmxPort());
    assertEquals("test:///default", c.node("node1").hypervisor());
    assertEquals(List.of("db", "app1", "app2", "web1", "web2", "dns", "fence-kill", "pingd", "storage"), List.copyOf(c.resources().keySet()));
    ResourceSpec db = c.resources().get("db");
    assertEquals("db", db.domainName());
    assertTrue(db.domainXml().contains("<vcpu>2</vcpu>"));
    assertTrue(db.domainXmlPath().isAbsolute());
    assertNull(db.stickiness());
    assertEquals(Score.INFINITY, c.resources().get("dns").stickiness());
    assertEquals(Duration.ofSeconds(2), db.ops().monitorInterval());
    assertTrue(c.resources().get("fence-kill").isStonith());
    assertTrue(c.resources().get("fence-kill").hosts().isEmpty());
    assertEquals(100, c.properties().defaultResourceStickiness());
    assertTrue(c.locations().contains(new XenhaConfig.LocationConstraint("dns", "node3", Score.MINUS_INFINITY)));
    assertTrue(c.orders().contains(new XenhaConfig.OrderConstraint("db", "app1", "mandatory", true)));
    // the demo runs with the defaults: lost nodes are seen after 3 s (heartbeat-interval + acceptable-heartbeat-pause)
    assertEquals(Duration.ofSeconds(2), c.cluster().stableAfter());
    assertEquals(Duration.ofMillis(500), c.cluster().heartbeatInterval());
    assertEquals(Duration.ofMillis(2500), c.cluster().acceptableHeartbeatPause());
    assertTrue(c.checksum().matches("[0-9a-f]{64}"));
  }

  @Test
  void smallConfigWithIncludeAndDefaults() {
    LoadResult r = ConfigLoader.load(GOOD);
    assertTrue(r.problems().isEmpty(), () -> r.problems().toString());
    XenhaConfig c = r.config().orElseThrow();
    assertEquals(Optional.of("alpha"), c.nodeName());
    XenhaConfig.NodeSpec alpha = c.node("alpha");
    assertEquals("10.0.0.1", alpha.host());
    assertEquals("xen:///system", alpha.hypervisor());
    assertEquals("127.0.0.1", alpha.jmxHost());
    assertEquals(9010, alpha.jmxPort());
    assertEquals(GOOD.getParent().resolve("state/alpha"), alpha.stateDir());
    assertEquals("fe80::1", c.node("beta").host());
    assertEquals(Path.of("/srv/beta"), c.node("beta").stateDir());

    ResourceSpec web = c.resources().get("web");
    assertEquals("web-vm", web.domainName());
    assertEquals(GOOD.getParent().resolve("include/vm/web.xml").toAbsolutePath().normalize(), web.domainXmlPath());
    assertEquals(Integer.MAX_VALUE, web.migrationThreshold());
    assertEquals("Stopped", web.targetRole());
    assertEquals(new XenhaConfig.Ops(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10),
        Duration.ofSeconds(20), Duration.ofSeconds(60), null), web.ops());
    ResourceSpec fence = c.resources().get("fence");
    assertEquals(List.of("alpha", "beta"), fence.hosts());
    assertEquals("xenha", fence.params().get("process-match"));
    assertEquals("a b", fence.params().get("extra"));

    XenhaConfig.ClusterProperties p = c.properties();
    assertTrue(p.stonithEnabled());
    assertEquals("reboot", p.stonithAction());
    assertEquals("stop", p.noQuorumPolicy());
    assertEquals(3, p.migrationThreshold());
    assertEquals(Duration.ofMinutes(10), p.failureTimeout());
    assertEquals("default", p.placementStrategy());
    assertEquals(4, p.batchLimit());
    assertEquals(Duration.ofSeconds(60), p.dcDeadtime());
    assertEquals("quorum", c.cluster().sbrStrategy());
    assertEquals(Duration.ofMinutes(5), c.cluster().shutdownTimeout());
    assertEquals(1, c.nodes().get("alpha").votes());
    assertEquals(new XenhaConfig.JmxSettings("127.0.0.1", 9010), c.jmx());
    assertEquals(List.of(new XenhaConfig.LocationConstraint("web", "beta", Score.INFINITY)), c.locations());
  }

  @Test
  void nodeOptionOverridesTheFileAndIsNotInTheChecksum() {
    XenhaConfig a = ConfigLoader.load(GOOD).config().orElseThrow();
    XenhaConfig b = ConfigLoader.load(GOOD, Optional.of("beta")).config().orElseThrow();
    assertEquals(Optional.of("beta"), b.nodeName());
    assertEquals(a.checksum(), b.checksum());
  }

  @Test
  void checksumChangesWithTheConfigurationAndTheDomainXml() throws IOException {
    String base = "resources { vm { type = domain, domain-xml = vm.xml } }";
    XenhaConfig one = loadOk(xenha(base));
    assertEquals(one.checksum(), loadOk(xenha(base)).checksum());
    assertNotEquals(one.checksum(), loadOk(xenha(base + "\nproperties.batch-limit = 5")).checksum());
    Files.writeString(dir.resolve("vm.xml"), "<domain type='test'><name>vm</name><vcpu>2</vcpu></domain>");
    assertNotEquals(one.checksum(), loadOk(xenha(base)).checksum());
  }

  @Test
  void adjustCanReplaceTheNodes() {
    LoadResult r = ConfigLoader.load(DEMO, Optional.of("n1"), c -> ConfigFactory
        .parseString("xenha.nodes { n1 { address = \"127.0.0.1:2661\" } }")
        .withFallback(c.withoutPath("xenha.nodes")));
    assertTrue(r.ok(), () -> r.problems().toString());
    assertEquals(List.of("n1"), List.copyOf(r.config().orElseThrow().nodes().keySet()));
    // the demo's location constraints name node1..node3, which are gone now
    assertFalse(r.warnings().isEmpty());
  }

  @Test
  void pekkoSectionPassesThrough() {
    XenhaConfig c = loadOk(xenha("}\npekko { loglevel = DEBUG, whatever.nested = 1 }\nxenha {"));
    assertEquals("t", c.clusterName());
  }

  // ---- errors, each at its FILE:LINE: key

  @Test
  void unknownResourceInAnOrderWithSuggestion() {
    LoadResult r = load(xenha(twoDomains() + """
        constraints {
          order = [ { first = web1, then = web2 },
                    { first = web1, then = webx } ]
        }
        """));
    assertProblem(r, 10, "xenha.constraints.order[1].then", "unknown resource 'webx' (did you mean 'web1'?)");
  }

  @Test
  void locationOnUnknownNodeIsAWarning() {
    LoadResult r = load(xenha(twoDomains() + """
        constraints.location = [ { resource = web1, node = node3, score = 50 },
                                 { resource = web2, node = node2, score = -INFINITY } ]
        """));
    assertTrue(r.ok(), () -> r.problems().toString());
    Problem w = assertProblem(r, 8, "xenha.constraints.location[0].node", "unknown node 'node3'");
    assertTrue(w.warning());
    assertTrue(w.format().contains(": warning: unknown node 'node3', constraint ignored"), w.format());
    assertEquals(List.of(new XenhaConfig.LocationConstraint("web2", "node2", Score.MINUS_INFINITY)),
        r.config().orElseThrow().locations());
  }

  @Test
  void duplicateResourceIdInOneFile() {
    LoadResult r = load(xenha("""
        resources {
          vm { type = domain, domain-xml = vm.xml }
          other { type = domain, domain-xml = other.xml }
          vm { priority = 2 }
        }
        """));
    assertProblem(r, 9, "xenha.resources.vm", "duplicate resource id 'vm' (first defined at line 7)");
  }

  @Test
  void duplicateResourceIdAcrossAnInclude() throws IOException {
    Files.writeString(dir.resolve("more.conf"), "vm { priority = 2 }\n");
    LoadResult r = load(xenha("""
        resources {
          vm { type = domain, domain-xml = vm.xml }
          include "more.conf"
        }
        """));
    Problem p = assertProblem(r, 1, "xenha.resources.vm", "duplicate resource id 'vm' (defined in ");
    assertEquals(dir.resolve("more.conf"), p.file());
  }

  @Test
  void pathExpressionsOnOneResourceAreNoDuplicate() {
    XenhaConfig c = loadOk(xenha("""
        resources.vm.type = domain
        resources.vm.domain-xml = vm.xml
        resources { other { type = domain, domain-xml = other.xml } }
        """));
    assertEquals(2, c.resources().size());
  }

  @Test
  void duplicateNode() {
    LoadResult r = load("""
        xenha.nodes {
          node1 { address = "127.0.0.1:2551" }
          node1 { address = "127.0.0.1:2552" }
        }
        """);
    assertProblem(r, 3, "xenha.nodes.node1", "duplicate node 'node1' (first defined at line 2)");
  }

  @Test
  void twoResourcesWithTheSameLibvirtDomain() throws IOException {
    Files.writeString(dir.resolve("copy.xml"), "<domain type='test'><name>vm</name></domain>");
    LoadResult r = load(xenha("""
        resources {
          vm { type = domain, domain-xml = vm.xml }
          copy { type = domain, domain-xml = copy.xml }
        }
        """));
    assertProblem(r, 8, "xenha.resources.copy.domain-xml", "duplicate libvirt domain 'vm': resource 'vm' manages it already");
  }

  @Test
  void missingDomainXml() {
    LoadResult r = load(xenha("resources {\n  vm { type = domain, domain-xml = \"nope/vm.xml\" }\n}"));
    assertProblem(r, 7, "xenha.resources.vm.domain-xml", "cannot read domain XML " + dir.resolve("nope/vm.xml") + ": no such file");
  }

  @Test
  void invalidDomainXml() throws IOException {
    Files.writeString(dir.resolve("broken.xml"), "<domain type='xen'>\n<name>x</name>\n</domian>\n");
    Files.writeString(dir.resolve("root.xml"), "<network><name>x</name></network>");
    Files.writeString(dir.resolve("notype.xml"), "<domain><name>x</name></domain>");
    Files.writeString(dir.resolve("noname.xml"), "<domain type='xen'><name> </name></domain>");
    LoadResult r = load(xenha("""
        resources {
          a { type = domain, domain-xml = broken.xml }
          b { type = domain, domain-xml = root.xml }
          c { type = domain, domain-xml = notype.xml }
          d { type = domain, domain-xml = noname.xml }
        }
        """));
    Problem p = assertProblem(r, 7, "xenha.resources.a.domain-xml", "invalid domain XML " + dir.resolve("broken.xml") + ": line 3: ");
    assertTrue(p.message().contains("must be terminated"), p.message());
    assertProblem(r, 8, "xenha.resources.b.domain-xml", "root element is <network>, expected <domain>");
    assertProblem(r, 9, "xenha.resources.c.domain-xml", "no type attribute");
    assertProblem(r, 10, "xenha.resources.d.domain-xml", "no <name>");
  }

  @Test
  void domainXmlIsRelativeToTheIncludedFile() throws IOException {
    Files.createDirectories(dir.resolve("sub/vms"));
    Files.writeString(dir.resolve("sub/vms/inc.xml"), "<domain type='test'><name>inc</name></domain>");
    Files.writeString(dir.resolve("sub/res.conf"), "inc { type = domain, domain-xml = \"vms/inc.xml\" }\n");
    XenhaConfig c = loadOk(xenha("resources { include \"sub/res.conf\" }"));
    assertEquals("inc", c.resources().get("inc").domainName());
  }

  @Test
  void badDurationScoreEnumAndTypes() {
    LoadResult r = load(xenha("""
        properties {
          failure-timeout = soon
          default-resource-stickiness = 1.5
          no-quorum-policy = freez
          stonith-enabled = maybe
          batch-limit = { a = 1 }
          dc-deadtime = 20
        }
        resources.vm { type = domain, domain-xml = vm.xml, ops.stop.timeout = -5s, priority = high }
        """));
    assertProblem(r, 7, "xenha.properties.failure-timeout", "invalid duration 'soon'");
    assertProblem(r, 8, "xenha.properties.default-resource-stickiness", "invalid score '1.5'");
    assertProblem(r, 9, "xenha.properties.no-quorum-policy", "invalid value 'freez' (one of stop | freeze | ignore) (did you mean 'freeze'?)");
    assertProblem(r, 10, "xenha.properties.stonith-enabled", "expected true or false");
    assertProblem(r, 11, "xenha.properties.batch-limit", "expected an integer, got an object");
    assertProblem(r, 12, "xenha.properties.dc-deadtime", "duration '20' has no unit (write e.g. 20s)");
    assertProblem(r, 14, "xenha.resources.vm.ops.stop.timeout", "must be more than 0");
    assertProblem(r, 14, "xenha.resources.vm.priority", "expected an integer");
    assertEquals(8, r.errors().size(), () -> r.problems().toString());
  }

  @Test
  void wrongTypeOfASection() {
    LoadResult r = load(xenha("resources = [ vm ]\njmx = 9010"));
    assertProblem(r, 6, "xenha.resources", "expected an object { ... }, got a list");
    assertProblem(r, 7, "xenha.jmx", "expected an object { ... }, got a number (9010)");
  }

  @Test
  void orderCycle() {
    LoadResult r = load(xenha(twoDomains() + """
        resources.third { type = stonith, agent = "builtin:kill" }
        constraints.order = [
          { first = web1, then = web2 }
          { first = web2, then = third, kind = optional }
          { first = third, then = web1 }
        ]
        """));
    assertProblem(r, 12, "xenha.constraints.order[2]", "order cycle: web1 -> web2 -> third -> web1");
    assertEquals(1, r.errors().size(), () -> r.problems().toString());
  }

  @Test
  void unknownKeysEverywhere() {
    LoadResult r = load("""
        xenha {
          nodes { node1 { address = "127.0.0.1:2551", hypervisr = "xen:///" } }
          propertes {}
          properties { stonith_enabled = false }
          resources.vm { type = domain, domain-xml = vm.xml, stickyness = 5
                         ops { monitor { intervall = 5s }, start { interval = 1s } } }
          constraints { order = [ { first = vm, then = vm2, kin = optional } ], locaton = [] }
          cluster { stable-afte = 1s }
          jmx { prot = 1 }
        }
        """);
    assertProblem(r, 2, "xenha.nodes.node1.hypervisr", "unknown key 'hypervisr' (did you mean 'hypervisor'?)");
    assertProblem(r, 3, "xenha.propertes", "unknown key 'propertes' (did you mean 'properties'?)");
    assertProblem(r, 4, "xenha.properties.stonith_enabled", "unknown key 'stonith_enabled' (did you mean 'stonith-enabled'?)");
    assertProblem(r, 5, "xenha.resources.vm.stickyness", "unknown key 'stickyness' (did you mean 'resource-stickiness'?)");
    assertProblem(r, 6, "xenha.resources.vm.ops.monitor.intervall", "unknown key 'intervall' (did you mean 'interval'?)");
    assertProblem(r, 6, "xenha.resources.vm.ops.start.interval", "key 'interval' applies to monitor only");
    assertProblem(r, 7, "xenha.constraints.order[0].kin", "unknown key 'kin' (did you mean 'kind'?)");
    assertProblem(r, 7, "xenha.constraints.locaton", "unknown key 'locaton' (did you mean 'location'?)");
    assertProblem(r, 7, "xenha.constraints.order[0].then", "unknown resource 'vm2' (did you mean 'vm'?)");
    assertProblem(r, 8, "xenha.cluster.stable-afte", "unknown key 'stable-afte' (did you mean 'stable-after'?)");
    assertProblem(r, 9, "xenha.jmx.prot", "unknown key 'prot' (did you mean 'port'?)");
  }

  @Test
  void keysOfTheOtherResourceType() {
    LoadResult r = load(xenha("resources.f { type = stonith, agent = \"builtin:kill\", domain-xml = vm.xml }"));
    assertProblem(r, 6, "xenha.resources.f.domain-xml", "key 'domain-xml' does not apply to type stonith");
  }

  @Test
  void notSupportedYet() {
    LoadResult r = load(xenha(twoDomains() + """
        resources {
          ilo { type = stonith, agent = fence_foo }
          web3 { type = domian }
        }
        """));
    assertProblem(r, 9, "xenha.resources.ilo.agent", "fence agent 'fence_foo' not found (install fence-agents)");
    assertProblem(r, 10, "xenha.resources.web3.type",
        "unknown type 'domian' (domain, stonith, ocf, builtin, group) (did you mean 'domain'?)");
  }

  @Test
  void nodeProblems() {
    LoadResult r = load("""
        xenha.nodes {
          a { address = "10.0.0.1" }
          b { address = "10.0.0.2:99999" }
          c { hypervisor = "xen:///system" }
          d { address = "10.0.0.4:2551" }
          e { address = "10.0.0.4:2551" }
        }
        """);
    assertProblem(r, 2, "xenha.nodes.a.address", "invalid address '10.0.0.1' (expected host:port");
    assertProblem(r, 3, "xenha.nodes.b.address", "invalid port '99999'");
    assertProblem(r, 4, "xenha.nodes.c.address", "missing key 'address'");
    assertProblem(r, 6, "xenha.nodes.e.address", "address 10.0.0.4:2551 is also used by node 'd'");
  }

  @Test
  void portZeroForInJvmClustersAndSharedJmxPortWarns() {
    LoadResult r = load("""
        xenha.nodes {
          a { address = "127.0.0.1:0" }
          b { address = "127.0.0.1:0" }
          c { address = "127.0.0.1:2551" }
          d { address = "127.0.0.1:2552" }
        }
        """);
    assertTrue(r.ok(), () -> r.problems().toString());
    assertTrue(assertProblem(r, 5, "xenha.nodes.d.address", "JMX port 9010 is also used by node 'c'").warning());
    assertEquals(1, r.problems().size(), () -> r.problems().toString());
  }

  @Test
  void noNodes() {
    LoadResult r = load("xenha {\n  cluster-name = x\n  nodes {}\n}\n");
    assertProblem(r, 3, "xenha.nodes", "no nodes defined");
    LoadResult empty = load("");
    assertProblem(empty, 1, "xenha.nodes", "no nodes defined");
  }

  @Test
  void unknownNodeName() {
    LoadResult r = load(xenha("node-name = nod1"));
    assertProblem(r, 6, "xenha.node-name", "node 'nod1' is not one of xenha.nodes (node1, node2) (did you mean 'node1'?)");
    LoadResult opt = ConfigLoader.load(GOOD, Optional.of("gamma"));
    assertProblem(opt, 1, "xenha.node-name", "node 'gamma' (from --node) is not one of xenha.nodes");
  }

  @Test
  void syntaxErrorIsOneProblem() throws IOException {
    Path f = write("xenha {\n  cluster-name = demo\n  nodes { node1 { address = \"a:1\" }\n  resources = { x = [ }\n}\n");
    LoadResult r = ConfigLoader.load(f);
    assertEquals(1, r.problems().size(), () -> r.problems().toString());
    Problem p = r.problems().get(0);
    assertEquals(f, p.file());
    assertEquals(4, p.line());
    assertTrue(r.config().isEmpty());
  }

  @Test
  void undefinedSubstitution() throws IOException {
    Path f = write(xenha("cluster-name = ${CLUSTER_NAME_THAT_IS_NOT_SET}"));
    LoadResult r = ConfigLoader.load(f);
    assertEquals(1, r.problems().size(), () -> r.problems().toString());
    assertEquals(6, r.problems().get(0).line());
    assertTrue(r.problems().get(0).message().contains("CLUSTER_NAME_THAT_IS_NOT_SET"));
  }

  @Test
  void unreadableFile() {
    Path f = dir.resolve("missing.conf");
    LoadResult r = ConfigLoader.load(f);
    assertEquals(List.of(Problem.error(f, 1, "", "cannot read configuration file: no such file")), r.problems());
    assertEquals(f + ":1: cannot read configuration file: no such file", r.problems().get(0).format());
    assertProblem(ConfigLoader.load(dir), 1, "", "is a directory");
  }

  @Test
  void unknownTopLevelKeyIsAWarning() {
    LoadResult r = load(xenha("}\nakka.loglevel = DEBUG\nxenha {"));
    assertTrue(r.ok());
    Problem w = assertProblem(r, 7, "akka", "unknown top-level key 'akka' is ignored");
    assertTrue(w.warning());
  }

  @Test
  void problemFormat() {
    assertEquals("a.conf:3: xenha.jmx.port: bad", Problem.error(Path.of("a.conf"), 3, "xenha.jmx.port", "bad").format());
    assertEquals("a.conf:1: xenha.x: warning: odd", Problem.warn(Path.of("a.conf"), 0, "xenha.x", "odd").format());
  }

  // ---- helpers

  /** `xenha { two nodes (lines 2, 3) ... inner ... }`; inner starts at line 6. */
  static String xenha(String inner) {
    return """
        xenha {
          nodes.node1 { address = "127.0.0.1:2551" }
          nodes.node2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          properties { stonith-enabled = false, self-fence-deadline = 2m }
          cluster-name = t
        """ + inner + "\n}\n";
  }

  /** Two domains at lines 6 and 7; the caller's text continues at line 8. */
  static String twoDomains() {
    return """
        resources.web1 { type = domain, domain-xml = web1.xml }
        resources.web2 { type = domain, domain-xml = web2.xml }
        """;
  }

  Path write(String text) throws IOException {
    for (String vm : List.of("vm", "other", "web1", "web2")) {
      Path x = dir.resolve(vm + ".xml");
      if (!Files.exists(x)) Files.writeString(x, "<domain type='test'><name>" + vm + "</name></domain>\n");
    }
    Path f = dir.resolve("xenha.conf");
    Files.writeString(f, text);
    return f;
  }

  LoadResult load(String body) {
    try {
      return ConfigLoader.load(write(body));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  XenhaConfig loadOk(String body) {
    LoadResult r = load(body);
    assertTrue(r.ok(), () -> r.problems().toString());
    return r.config().orElseThrow();
  }

  static Problem assertProblem(LoadResult r, int line, String key, String messagePart) {
    for (Problem p : r.problems()) {
      if (p.key().equals(key) && p.message().contains(messagePart)) {
        assertEquals(line, p.line(), () -> "line of " + p.format());
        if (!p.warning()) assertTrue(r.config().isEmpty(), "an error leaves no config");
        return p;
      }
    }
    fail("no problem '" + key + ": ..." + messagePart + "' in:\n"
        + String.join("\n", r.problems().stream().map(Problem::format).toList()));
    return null;
  }
}
