package io.xenha.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.Main;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.Score;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.ColocationConstraint;
import io.xenha.config.XenhaConfig.OrderConstraint;
import io.xenha.config.XenhaConfig.ResourceSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `xenha import`: each translation loads without errors, refusals name the element and line, secrets stay out. */
class ImportTest {
  static final Path RESOURCES = Path.of("src/test/resources/import");
  @TempDir Path dir;

  @BeforeAll
  static void agents() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/fence_ilo")), "fence-agents not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/EvmsSCC")), "resource-agents not installed");
  }

  @Test
  void heartbeat21Cib() throws IOException {
    Path conf = dir.resolve("out/hasi.conf");
    assertEquals(0, run("import", "cib", "-o", conf.toString(), RESOURCES.resolve("heartbeat21.xml").toString()));
    String text = Files.readString(conf);
    assertFalse(text.contains("S3cr3t"), "no clear-text password in the output");
    Path secret = dir.resolve("out/ilo-host1.secret");
    assertEquals("S3cr3t-host1\n", Files.readString(secret));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    XenhaConfig c = loadOk(conf);

    assertEquals(List.of("host1", "host2"), List.copyOf(c.nodes().keySet()));
    assertEquals(Map.of("rack", "2"), c.node("host1").attributes());
    assertTrue(c.properties().stonithEnabled());
    assertEquals(Score.INFINITY, c.properties().defaultResourceStickiness());
    // the cloned external/ssh (hostlist host1,host2): one device per node, each runs on the other node
    assertFalse(c.resources().containsKey("fencing-ssh"));
    for (String node : List.of("host1", "host2")) {
      ResourceSpec ssh = c.resources().get("fencing-ssh-" + node);
      assertEquals("builtin:ssh", ssh.agent());
      assertEquals(List.of(node), ssh.hosts());
      assertEquals(Duration.ofSeconds(5), ssh.ops().monitorInterval());
    }
    ResourceSpec ilo = c.resources().get("ilo-host1");
    assertEquals("fence_ilo", ilo.agent());
    assertEquals(secret.toAbsolutePath().toString(), ilo.params().get("password-file"));
    assertEquals("host1-ilo", ilo.params().get("ip"));
    ResourceSpec pingd = c.resources().get("pingd");
    assertTrue(pingd.isBuiltin() && pingd.isClone());
    assertEquals("100", pingd.params().get("multiplier"));
    assertTrue(c.resources().get("evms").cloneSet().notifyEnabled());
    ResourceSpec nfs = c.resources().get("nfs");
    assertTrue(nfs.isDomain() && nfs.allowMigrate());
    assertEquals("nfs", nfs.domainName());
    assertEquals(Duration.ofSeconds(90), nfs.ops().migrateTimeout());
    ResourceSpec sles = c.resources().get("sles");
    assertEquals("Stopped", sles.targetRole());
    assertFalse(sles.managed());
    assertEquals(Duration.ofSeconds(10), sles.startDelay());
    assertEquals(Duration.ZERO, sles.ops().monitorInterval());
    // from=configpool to=evms (type after): evms first; score 0: optional
    assertEquals(List.of(
        new OrderConstraint("evms", "configpool", "optional", true, "start", "start", true, null, "configpool_after_evms"),
        new OrderConstraint("configpool", "nfs", "optional", true, "start", "start", true, null, "nfs_after_configpool"),
        new OrderConstraint("evms", "sles", "mandatory", true, "start", "start", true, null, "evms_before_sles")),
        c.orders());
    assertEquals(List.of(new ColocationConstraint("nfs", "configpool", Score.INFINITY, "nfs_with_configpool")),
        c.colocations());
    assertEquals("-INFINITY: not_defined pingd or pingd lte 0", c.locations().get(1).rule().text());
  }

  @Test
  void theSeedsClonedSshDeviceIsOneDevicePerNodeAndImportWarnsOnlyOfTheTwoNodes() throws IOException {
    Path conf = dir.resolve("out/hasi.conf");
    Captured r = capture("import", "cib", "-o", conf.toString(), RESOURCES.resolve("heartbeat21.xml").toString());
    assertEquals(0, r.exit(), r.err());
    List<String> warnings = r.err().lines().filter(l -> l.contains(": warning: ")).toList();
    int nodesLine = lineOf(conf, "nodes {");
    assertEquals(List.of(conf + ":" + nodesLine + ": xenha.cluster.split-brain-resolver: warning: 2 nodes with"
        + " split-brain-resolver = quorum: 1 of 2 votes is no majority, so the loss of either node stops every resource"
        + " (as in Pacemaker without two_node); set cluster.split-brain-resolver ="
        + " two-node (with fencing) or add a third node (docs/operations.md, \"Two-node clusters\")"), warnings);
  }

  @Test
  void importPrintsWhatVerifyWouldWarnAboutInWhatItWrote() throws IOException {
    Path cib = dir.resolve("cib.xml");
    Files.writeString(cib, """
        <cib validate-with="pacemaker-3.0">
          <configuration>
            <crm_config/>
            <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
            <resources>
              <primitive id="ssh" class="stonith" type="external/ssh">
                <instance_attributes id="ssh-ia"><nvpair id="ssh-h" name="hostlist" value="n1,n2,n3"/></instance_attributes>
              </primitive>
            </resources>
          </configuration>
        </cib>
        """);
    String warning = "xenha.resources.ssh.hosts: warning: fence device 'ssh' can never be placed: a device never"
        + " runs on a node it fences, and it fences every node (n1, n2, n3); give each node its own device"
        + " (hosts = [NODE]) or leave hosts out (a device without hosts fences any node, from another one)";

    Path conf = dir.resolve("x.conf");
    Captured file = capture("import", "cib", "-o", conf.toString(), cib.toString());
    assertEquals(0, file.exit(), file.err());
    assertEquals(List.of(conf + ":" + lineOf(conf, "hosts = [n1, n2, n3]") + ": " + warning),
        file.err().lines().filter(l -> l.contains(": warning: ")).toList());

    Captured stdout = capture("import", "cib", cib.toString());
    assertEquals(0, stdout.exit(), stdout.err());
    int line = stdout.out().lines().map(String::strip).toList().indexOf("hosts = [n1, n2, n3]") + 1;
    assertEquals(List.of("<stdout>:" + line + ": " + warning),
        stdout.err().lines().filter(l -> l.contains(": warning: ")).toList());
  }

  @Test
  void aClonedFenceDeviceWithAHostMapIsSplitAndItsTopologyAndLocationsFollow() throws IOException {
    Path cib = dir.resolve("cib.xml");
    Files.writeString(cib, """
        <cib validate-with="pacemaker-3.0">
          <configuration>
            <crm_config/>
            <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
            <resources>
              <clone id="pdu-clone">
                <primitive id="pdu" class="stonith" type="fence_virsh">
                  <instance_attributes id="pdu-ia">
                    <nvpair id="pdu-m" name="pcmk_host_map" value="n1:vm1;n2:vm2"/>
                    <nvpair id="pdu-ip" name="ip" value="10.0.0.9"/>
                    <nvpair id="pdu-pw" name="password" value="Geheim"/>
                  </instance_attributes>
                </primitive>
              </clone>
            </resources>
            <constraints>
              <rsc_location id="no-n3" rsc="pdu-clone" node="n3" score="-INFINITY"/>
              <rsc_order id="o" first="pdu-clone" then="pdu-clone"/>
            </constraints>
            <fencing-topology>
              <fencing-level id="l1" target="n1" index="1" devices="pdu"/>
              <fencing-level id="l2" target="n3" index="1" devices="pdu-clone"/>
            </fencing-topology>
          </configuration>
        </cib>
        """);
    ImportResult r = CibImport.translate(cib, new CibImport.Options(dir, dir, dir));
    assertEquals(List.of(
        cib + ":18: <rsc_order id=\"o\">: 'pdu-clone' is a cloned fence device, written as one device per node"
            + " (pdu-clone-n1, pdu-clone-n2): write this constraint for each of them by hand",
        cib + ":22: <fencing-level id=\"l2\">: device 'pdu-clone' does not fence n3"), r.errors());

    Files.writeString(cib, Files.readString(cib).replaceAll(".*id=\"(o|l2)\".*\n", ""));
    r = CibImport.translate(cib, new CibImport.Options(dir, dir, dir));
    assertEquals(List.of(), r.errors());
    r.writeFiles(false);
    Path conf = dir.resolve("xenha.conf");
    Files.writeString(conf, r.hocon());
    XenhaConfig c = loadOk(conf);
    assertEquals(List.of(), ConfigLoader.load(conf).warnings().stream()
        .filter(p -> p.message().contains("never be placed")).toList());
    assertEquals(Map.of("n1", "vm1"), c.resources().get("pdu-clone-n1").hostMap());
    assertEquals(List.of("n2"), c.resources().get("pdu-clone-n2").hosts());
    assertEquals(dir.resolve("pdu-clone.secret").toAbsolutePath().toString(),
        c.resources().get("pdu-clone-n2").params().get("password-file"));
    assertEquals(List.of(
        new XenhaConfig.LocationConstraint("pdu-clone-n1", "n3", Score.MINUS_INFINITY),
        new XenhaConfig.LocationConstraint("pdu-clone-n2", "n3", Score.MINUS_INFINITY)), c.locations());
    assertEquals(Map.of("n1", List.of(List.of("pdu-clone-n1"))), c.fencingTopology());
  }

  @Test
  void pacemaker2Cib() throws IOException {
    ImportResult r = CibImport.translate(RESOURCES.resolve("pacemaker2.xml"),
        new CibImport.Options(dir, dir.resolve("secrets"), dir));
    assertEquals(List.of(), r.errors());
    assertFalse(r.hocon().contains("Top-Secret"));
    r.writeFiles(false);
    Path conf = dir.resolve("xenha.conf");
    Files.writeString(conf, r.hocon());
    XenhaConfig c = loadOk(conf);

    assertEquals("webfarm", c.clusterName());
    assertTrue(c.node("node2").standby());
    assertEquals(Map.of("memory", 16384L, "vcpus", 8L), c.node("node1").utilization());
    assertEquals(2, c.properties().migrationLimit());
    assertFalse(c.properties().startFailureIsFatal());
    assertEquals(200, c.properties().defaultResourceStickiness());
    ResourceSpec web = c.resources().get("web");
    assertEquals(List.of("web-ip", "web-vm"), web.members());
    assertEquals(10, web.priority());
    ResourceSpec vm = c.resources().get("web-vm");
    assertEquals("web", vm.group());
    assertEquals(Map.of("memory", 2048L, "vcpus", 2L), vm.utilization());
    assertEquals(Duration.ofMinutes(5), vm.failureTimeout());
    assertEquals(Map.of("stop", "block"), vm.ops().onFail());
    assertEquals(Duration.ofSeconds(45), c.resources().get("web-ip").ops().startTimeout()); // op_defaults
    ResourceSpec storage = c.resources().get("storage-clone");
    assertTrue(storage.isGroup() && storage.isClone() && storage.cloneSet().interleave());
    assertEquals(List.of("storage-dummy", "storage-fs"), storage.members());
    assertEquals(dir.resolve("secrets/ipmi-node1.secret").toAbsolutePath().toString(),
        c.resources().get("ipmi-node1").params().get("password-file"));
    assertEquals(new OrderConstraint("web-ip", "ping-clone", "optional", false, "stop", "stop", true, null,
        "ip-stop-first"), c.orders().get(1));
    assertEquals(new ColocationConstraint("web", "ipmi-node1", -100, "web-not-with-ipmi"), c.colocations().get(1));
    assertEquals("pingd", c.locations().get(1).rule().scoreAttribute());
    assertEquals("-INFINITY: rack string:eq C and #uname ne node1", c.locations().get(2).rule().text());
    assertEquals(Map.of("node1", List.of(List.of("ipmi-node1"))), c.fencingTopology());
  }

  @Test
  void haresources() throws IOException {
    Path conf = dir.resolve("ha.conf");
    assertEquals(0, run("import", "haresources", "--nodes", "sarge1,sarge2", "-o", conf.toString(),
        RESOURCES.resolve("haresources").toString()));
    XenhaConfig c = loadOk(conf);
    assertEquals(List.of("sarge1", "sarge2"), List.copyOf(c.nodes().keySet()));
    ResourceSpec g1 = c.resources().get("group1");
    assertEquals(List.of("ip-151.10.39.246", "apache2", "fs-sandisk"), g1.members());
    assertEquals(Map.of("device", "/dev/sda3", "directory", "/sandisk", "fstype", "ext3"),
        c.resources().get("fs-sandisk").params());
    assertEquals("heartbeat:apache", c.resources().get("apache2").agent());
    assertEquals(Map.of("ip", "10.0.0.10", "cidr_netmask", "24", "nic", "eth0"),
        c.resources().get("ip-10.0.0.10").params());
    assertEquals("noatime", c.resources().get("fs-data").params().get("options"));
    assertEquals("sarge2", c.locations().get(1).node());
    assertFalse(c.properties().stonithEnabled());
  }

  @Test
  void haresourcesRefusals() throws IOException {
    Path f = dir.resolve("haresources");
    Files.writeString(f, "# comment\nn1 mysql\nn1 drbddisk::r0 \\\n   IPaddr::1.2.3.4/24/eth0/1.2.3.255/x\n");
    ImportResult r = HaresourcesImport.translate(f, List.of());
    assertEquals(List.of(
        f + ":2: 'mysql' is an init script (/etc/ha.d/resource.d or /etc/init.d): xenha runs no init scripts;"
            + " write it as an OCF agent (type = ocf) or a domain by hand",
        f + ":3: resource script 'drbddisk' has no known OCF counterpart with named parameters;"
            + " write it as type = ocf by hand",
        f + ":3: IPaddr takes at most 4 arguments (ip, cidr_netmask, nic, broadcast), got 5 in"
            + " 'IPaddr::1.2.3.4/24/eth0/1.2.3.255/x'"), r.errors());
    assertEquals(2, run("import", "haresources", f.toString()));
  }

  @Test
  void refusalsNameTheElementAndLine() throws IOException {
    Path cib = dir.resolve("cib.xml");
    Files.writeString(cib, """
        <cib validate-with="pacemaker-3.0">
          <configuration>
            <crm_config/>
            <nodes><node id="1" uname="n1"/></nodes>
            <resources>
              <master id="ms"><primitive id="drbd" class="ocf" provider="linbit" type="drbd"/></master>
              <primitive id="web" class="lsb" type="apache2"/>
              <primitive id="db" class="ocf" provider="heartbeat" type="mysql">
                <instance_attributes id="db-ia"><nvpair id="db-pw" name="replication_passwd" value="hunter2"/></instance_attributes>
              </primitive>
            </resources>
            <constraints>
              <rsc_ticket id="t" rsc="db" ticket="x"/>
              <rsc_location id="l" rsc="db"><rule id="r" score="10"><date_expression id="d" operation="in_range"/></rule></rsc_location>
              <rsc_order id="o"><resource_set id="s"/></rsc_order>
            </constraints>
            <acls/>
          </configuration>
        </cib>
        """);
    ImportResult r = CibImport.translate(cib, new CibImport.Options(dir, dir, null));
    List<String> e = r.errors();
    assertTrue(e.contains(cib + ":17: <acls>: <acls> is not translated (xenha has no equivalent)"), e::toString);
    assertTrue(e.contains(cib + ":6: <master id=\"ms\">: promotable clones (<master>) are not supported by xenha"), e::toString);
    assertTrue(e.stream().anyMatch(s -> s.startsWith(cib + ":7: <primitive id=\"web\">: lsb resources cannot be run")), e::toString);
    assertTrue(e.stream().anyMatch(s -> s.startsWith(cib + ":9: <nvpair id=\"db-pw\">: parameter 'replication_passwd'")), e::toString);
    assertTrue(e.stream().anyMatch(s -> s.startsWith(cib + ":13: <rsc_ticket id=\"t\">")), e::toString);
    assertTrue(e.stream().anyMatch(s -> s.startsWith(cib + ":14: <date_expression id=\"d\">")), e::toString);
    assertTrue(e.stream().anyMatch(s -> s.startsWith(cib + ":15: <rsc_order id=\"o\">: resource sets")), e::toString);
    assertFalse(String.join("\n", e).contains("hunter2"));
    assertEquals("", r.hocon());
    assertTrue(r.files().isEmpty());
    assertEquals(2, run("import", "cib", cib.toString()));
  }

  @Test
  void notWellFormed() throws IOException {
    Path cib = dir.resolve("bad.xml");
    Files.writeString(cib, "<cib>\n  <configuration>\n</cib>\n");
    ImportResult r = CibImport.translate(cib, new CibImport.Options(dir, dir, null));
    assertEquals(1, r.errors().size());
    assertTrue(r.errors().get(0).startsWith(cib + ":3: not well-formed XML"), r.errors()::toString);
  }

  @Test
  void legacyOrderAndColocationAreRewritten() throws Exception {
    Path cib = dir.resolve("legacy.xml");
    Files.writeString(cib, """
        <cib>
          <configuration>
            <constraints>
              <rsc_order id="a" from="x" to="y"/>
              <rsc_order id="b" from="x" type="before" to="y" action="stop" to_action="stop"/>
              <rsc_colocation id="c" from="x" to="y" from_role="started" score="INFINITY"/>
            </constraints>
          </configuration>
        </cib>
        """);
    CibXml x = CibXml.read(cib);
    List<org.w3c.dom.Element> orders = CibXml.children(CibXml.path(x.root(), "configuration", "constraints"), "rsc_order");
    assertEquals("y", orders.get(0).getAttribute("first"));
    assertEquals("x", orders.get(0).getAttribute("then"));
    assertEquals("x", orders.get(1).getAttribute("first"));
    assertEquals("stop", orders.get(1).getAttribute("then-action"));
    assertFalse(orders.get(1).hasAttribute("from"));
    assertEquals(4, CibXml.line(orders.get(0)));
    org.w3c.dom.Element col = CibXml.child(CibXml.path(x.root(), "configuration", "constraints"), "rsc_colocation");
    assertEquals("x", col.getAttribute("rsc"));
    assertEquals("y", col.getAttribute("with-rsc"));
    assertEquals("Started", col.getAttribute("rsc-role"));
  }

  // ---- helpers

  static XenhaConfig loadOk(Path conf) {
    LoadResult r = ConfigLoader.load(conf, Optional.empty());
    assertEquals(List.of(), r.errors().stream().map(Problem::format).toList());
    return r.config().orElseThrow();
  }

  record Captured(int exit, String out, String err) {}

  /** Runs the command line with stdout and stderr captured apart. */
  static Captured capture(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Captured(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** The line number (from 1) of the first line of {@code file} that contains {@code text}. */
  static int lineOf(Path file, String text) throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) return i + 1;
    }
    throw new AssertionError("no line with '" + text + "' in " + file);
  }

  /** Runs the command line with stdout and stderr captured (stderr is printed on failure for the test log). */
  static int run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
      return Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
