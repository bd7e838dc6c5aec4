package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  @TempDir Path dir;
  Path config;

  /** One run: exit code, stdout lines with blanks collapsed (the column padding is not the point), stderr. */
  record Run(int exit, List<String> lines, String err) {}

  static Run simulate(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      String[] full = new String[args.length + 1];
      full[0] = "simulate";
      System.arraycopy(args, 0, full, 1, args.length);
      int exit = Main.run(full);
      List<String> lines = out.toString(StandardCharsets.UTF_8).lines()
          .map(l -> l.strip().replaceAll("\\s+", " ")).toList();
      return new Run(exit, lines, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  @BeforeEach
  void smallCluster() throws IOException {
    Files.writeString(dir.resolve("web.xml"), "<domain type='test'><name>web</name></domain>");
    Files.writeString(dir.resolve("db.xml"), "<domain type='test'><name>db</name></domain>");
    config = dir.resolve("small.conf");
    Files.writeString(config, """
        xenha {
          nodes {
            n1 { address = "127.0.0.1:2551", hypervisor = "test:///default", jmx-port = 9011 }
            n2 { address = "127.0.0.1:2552", hypervisor = "test:///default", jmx-port = 9012 }
          }
          resources {
            ping { type = builtin, agent = ping, clone {}, params { host-list = ["10.0.0.254", "10.0.0.253"], multiplier = 50 } }
            db  { type = domain, domain-xml = db.xml }
            web { type = domain, domain-xml = web.xml, allow-migrate = true }
            fence { type = stonith, agent = "builtin:kill", hosts = [n2] }
          }
          constraints {
            order = [ { first = db, then = web } ]
            location = [
              { resource = web, rule = "-INFINITY: not_defined pingd or pingd lte 0" }
              { resource = db, rule = "-INFINITY: not_defined pingd or pingd lt 100" }
              { resource = db, node = n2, score = 50 }
              { resource = web, node = n1, score = 50 }
            ]
          }
        }
        """);
  }

  @Test
  void emptyClusterStartsEverythingWithAssumedPingAttributes() {
    // 2 hosts x multiplier 50 = 100: both rules let the domains run
    Run r = simulate("--config", config.toString());
    assertEquals(0, r.exit(), r.err());
    // Pacemaker's order: by priority, then as configured
    assertEquals(List.of(
        "Transition Summary:",
        "* Start ping:0 ( n1 )",
        "* Start ping:1 ( n2 )",
        "* Start db ( n2 )",
        "* Start web ( n1 )",
        "* Start fence ( n1 )"), r.lines());
  }

  @Test
  void stateGivesNodesResourcesAndAttributes() throws IOException {
    Path state = dir.resolve("state.json");
    Files.writeString(state, """
        { "nodes": { "n1": "standby" },
          "resources": { "web": ["n1"], "db": { "active-on": ["n2"], "fail-counts": { "n2": 1 } }, "ping": ["n1", "n2"] },
          "attributes": { "n1": { "pingd": 100 }, "n2": { "pingd": "100" } } }
        """);
    Run r = simulate("--config", config.toString(), "--state", state.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("Transition Summary:", r.lines().get(0));
    assertTrue(r.lines().contains("* Stop ping:0 ( n1 ) due to node availability"), r.lines()::toString);
    assertTrue(r.lines().stream().anyMatch(l -> l.contains("web") && l.contains("n1 -> n2")), r.lines()::toString);
    assertTrue(r.lines().stream().noneMatch(l -> l.contains(" db ")), r.lines()::toString);
  }

  @Test
  void explicitEmptyAttributesKeepRuledResourcesStopped() throws IOException {
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{ \"attributes\": {} }");
    Run r = simulate("--config", config.toString(), "--state", state.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("Transition Summary:", "* Start ping:0 ( n1 )", "* Start ping:1 ( n2 )", "* Start fence ( n1 )"),
        r.lines());
  }

  @Test
  void badStateIsRefusedWithExitTwo() throws IOException {
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{ \"nodes\": { \"n7\": \"online\" } }");
    Run unknownNode = simulate("--config", config.toString(), "--state", state.toString());
    assertEquals(2, unknownNode.exit());
    assertTrue(unknownNode.err().contains("unknown node 'n7'"), unknownNode.err());
    assertEquals(List.of(), unknownNode.lines());

    Files.writeString(state, "{ \"resources\": { \"nope\": [\"n1\"] } }");
    assertEquals(2, simulate("--config", config.toString(), "--state", state.toString()).exit());
    Files.writeString(state, "{ \"nodes\": { \"n1\": \"sleeping\" } }");
    assertEquals(2, simulate("--config", config.toString(), "--state", state.toString()).exit());
    Files.writeString(state, "{ not json");
    assertEquals(2, simulate("--config", config.toString(), "--state", state.toString()).exit());
    assertEquals(2, simulate("--config", config.toString(), "--state", dir.resolve("none.json").toString()).exit());
  }

  @Test
  void badConfigurationExitsTwoWithProblemsOnStderr() throws IOException {
    Path bad = dir.resolve("bad.conf");
    Files.writeString(bad, "xenha { nodes { n1 { address = \"127.0.0.1:2551\" } }, properties.batch-limit = -1 }\n");
    Run r = simulate("--config", bad.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("xenha.properties.batch-limit"), r.err());
    assertEquals(List.of(), r.lines());
    assertEquals(2, simulate("--config", dir.resolve("missing.conf").toString()).exit());
  }

  @Test
  void cibPrintsCrmSimulatesTransitionSummary() throws IOException {
    // two dom0s, a domU running on host1 that a location moves to host2: one Move, in crm_simulate's wording
    Path cib = dir.resolve("cib.xml");
    Files.writeString(cib, """
        <cib have-quorum="true" validate-with="pacemaker-3.0">
          <configuration>
            <crm_config><cluster_property_set id="o">
              <nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
            <nodes><node id="1" uname="host1"/><node id="2" uname="host2"/></nodes>
            <resources><primitive id="sles" class="ocf" provider="heartbeat" type="Xen"/></resources>
            <constraints><rsc_location id="l" rsc="sles" node="host2" score="100"/></constraints>
          </configuration>
          <status>
            <node_state id="1" uname="host1" in_ccm="true" crmd="online" join="member" expected="member">
              <lrm id="1"><lrm_resources><lrm_resource id="sles" class="ocf" provider="heartbeat" type="Xen">
                <lrm_rsc_op id="s" operation="start" call-id="1" rc-code="0" op-status="0" interval="0"
                    transition-key="1:1:0:x"/>
              </lrm_resource></lrm_resources></lrm>
            </node_state>
            <node_state id="2" uname="host2" in_ccm="true" crmd="online" join="member" expected="member"/>
          </status>
        </cib>
        """);
    Run r = simulate("--cib", cib.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("Transition Summary:", "* Move sles ( host1 -> host2 )"),
        r.lines().stream().map(l -> l.trim().replaceAll("\\s+", " ")).toList());
  }

  @Test
  void aCibThatIsNotXmlIsRefusedWithItsLine() throws IOException {
    Path cib = dir.resolve("broken.xml");
    Files.writeString(cib, "<cib>\n  <configuration>\n</cib>\n");
    Run r = simulate("--cib", cib.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains(cib + ":3:"), r.err());
  }

  @Test
  void hasiExampleStartsEveryCloneInstanceAndTheDomUs() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/fence_ilo")), "fence-agents not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/EvmsSCC")), "resource-agents not installed");
    Run r = simulate("--config", "conf/examples/hasi.conf");
    assertEquals(0, r.exit(), r.err());
    assertEquals("Transition Summary:", r.lines().get(0));
    // which instance number lands on which node is the engine's choice (Pacemaker's); every node gets one
    List<String> unnumbered = r.lines().stream().map(l -> l.replaceAll(":\\d+ ", ":N ")).toList();
    for (String line : List.of(
        "* Start pingd:N ( host1 )", "* Start pingd:N ( host2 )",
        "* Start evms:N ( host1 )", "* Start evms:N ( host2 )",
        "* Start configpool:N ( host1 )", "* Start configpool:N ( host2 )",
        "* Start ilo-host1 ( host2 )", "* Start ilo-host2 ( host1 )")) {
      assertTrue(unnumbered.contains(line), () -> line + " not in " + r.lines());
    }
    assertTrue(unnumbered.contains("* Start nfs ( host1 )") && unnumbered.contains("* Start sles ( host2 )")
        || unnumbered.contains("* Start nfs ( host2 )") && unnumbered.contains("* Start sles ( host1 )"), r.lines()::toString);
  }
}
