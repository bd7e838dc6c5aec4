package io.xenha.config;

import static io.xenha.config.VerifyCommandTest.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xenha.config.VerifyCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `xenha verify` missed before issue #14 (its point 5), each case with the exact lines it prints now: includes at
 * the include's line, an unclosed brace as such, numbers and durations out of range with the allowed range, long ids,
 * and the warnings about fencing off, two nodes and fence devices that can never be placed.
 */
class VerifyCasesTest {
  @TempDir Path dir;

  static final String ONE_NODE = "  nodes.n1 { address = \"127.0.0.1:2551\" }\n";
  static final String THREE_NODES = """
        nodes.n1 { address = "127.0.0.1:2551" }
        nodes.n2 { address = "127.0.0.1:2552", jmx-port = 9011 }
        nodes.n3 { address = "127.0.0.1:2553", jmx-port = 9012 }
      """;

  // ---- includes

  @Test
  void aMissingOptionalIncludeIsAWarningAtItsLine() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  include file(\"/nonexistent\")\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(0, r.exit());
    assertEquals(List.of(
        f + ":3: xenha: warning: include file(\"/nonexistent\"): no such file: /nonexistent.conf, /nonexistent.json or"
            + " /nonexistent.properties; what it would define is left out (write include required(...) if the file"
            + " must exist)",
        "configuration valid: 1 nodes, 0 resources"), r.lines());
  }

  @Test
  void aMissingIncludeInAnIncludedFileIsReportedInThatFile() throws IOException {
    Path sub = write("sub.conf", "# resources of the cluster\ninclude \"more-vms.conf\"\n");
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  resources {\n    include \"sub.conf\"\n  }\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(List.of(
        sub + ":2: xenha.resources: warning: include \"more-vms.conf\": no such file: " + dir.resolve("more-vms.conf")
            + "; what it would define is left out (write include required(...) if the file must exist)",
        "configuration valid: 1 nodes, 0 resources"), r.lines());
  }

  @Test
  void anIncludeOfAFileWithoutExtensionSaysThatTheFileIsNotRead() throws IOException {
    write("vms", "vm { type = domain, domain-xml = vm.xml }\n");
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  resources { include required(file(\"" + dir.resolve("vms")
        + "\")) }\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    String vms = dir.resolve("vms").toString();
    assertEquals(List.of(f + ":3: xenha.resources: include required(file(\"" + vms + "\")): no such file: " + vms
        + ".conf, " + vms + ".json or " + vms + ".properties (" + vms + " is not read: a name without .conf, .json or"
        + " .properties means one of these)"), r.lines());
  }

  @Test
  void aMissingRequiredIncludeIsAnErrorAtTheIncludeLine() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  include required(file(\"/nonexistent/x.conf\"))\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(
        f + ":3: xenha: include required(file(\"/nonexistent/x.conf\")): no such file: /nonexistent/x.conf"), r.lines());
  }

  // ---- syntax

  @Test
  void anUnclosedBraceIsReportedAtItsLine() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  properties {\n    batch-limit = 4\n\n");
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(f + ":3: xenha.properties: unclosed '{': no '}' closes it before the end of the file"),
        r.lines());
  }

  @Test
  void anUnclosedBraceInsideIsFoundByTheIndentationOfTheBraceThatClosesTheWrongBlock() throws IOException {
    Path f = write("xenha.conf", """
        xenha {
          nodes.n1 { address = "127.0.0.1:2551" }
          resources {
            a { type = ocf, agent = "heartbeat:Dummy"
          }
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(List.of(f + ":4: xenha.resources.a: unclosed '{': no '}' closes it before the end of the file"
        + " (the '}' at line 5 is indented for an outer block)"), r.lines());
  }

  // ---- numbers and durations out of range

  @Test
  void aNumberBeyondSixtyFourBitsIsOutOfRange() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE
        + "  properties.batch-limit = 99999999999999999999\n  jmx.port = -99999999999999999999\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(List.of(
        f + ":3: xenha.properties.batch-limit: out of range: must be between 1 and 2147483647, got 99999999999999999999",
        f + ":4: xenha.jmx.port: out of range: must be between 1 and 65535, got -99999999999999999999"), r.lines());
  }

  @Test
  void scoresAndThresholdsBeyondSixtyFourBitsAreInfinityAsInPacemaker() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  properties { default-resource-stickiness = -99999999999999999999,"
        + " migration-threshold = 99999999999999999999 }\n}\n");
    LoadResult r = ConfigLoader.load(f);
    assertEquals(List.of(), r.problems());
    assertEquals(Score.MINUS_INFINITY, r.config().orElseThrow().properties().defaultResourceStickiness());
    assertEquals(Integer.MAX_VALUE, r.config().orElseThrow().properties().migrationThreshold());
  }

  @Test
  void everyDurationHasARangeAndTheMessageSaysIt() throws IOException {
    write("vm.xml", "<domain type='test'><name>vm</name></domain>");
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + """
          resources.vm { type = domain, domain-xml = vm.xml
                         ops { start.timeout = 9999999999d, stop.timeout = 99999999999999999999d
                               monitor { interval = 1ms, timeout = 1ms } } }
          properties { dc-deadtime = 2h, stonith-timeout = 500ms, failure-timeout = 400d }
          cluster.heartbeat-interval = 10ms
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(
        f + ":4: xenha.resources.vm.ops.start.timeout: must be between 1s and 1d, got 9999999999d",
        f + ":4: xenha.resources.vm.ops.stop.timeout: must be between 1s and 1d, got 99999999999999999999d",
        f + ":5: xenha.resources.vm.ops.monitor.interval: must be 0 or between 100ms and 1d, got 1ms",
        f + ":5: xenha.resources.vm.ops.monitor.timeout: must be between 1s and 1d, got 1ms",
        f + ":6: xenha.properties.stonith-timeout: must be between 1s and 1h, got 500ms",
        f + ":6: xenha.properties.failure-timeout: must be 0 or between 1s and 365d, got 400d",
        f + ":6: xenha.properties.dc-deadtime: must be 0 or between 1s and 1h, got 2h",
        f + ":7: xenha.cluster.heartbeat-interval: must be between 100ms and 1m, got 10ms"), r.lines());
  }

  @Test
  void idsHaveALengthLimit() throws IOException {
    String id = "r".repeat(5000);
    String node = "n".repeat(65);
    write("vm.xml", "<domain type='test'><name>vm</name></domain>");
    Path f = write("xenha.conf", "xenha {\n" + ONE_NODE + "  nodes." + node + " { address = \"127.0.0.1:2552\" }\n"
        + "  resources." + id + " { type = domain, domain-xml = vm.xml }\n  cluster-name = " + "c".repeat(65) + "\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(
        f + ":3: xenha.nodes." + node + ": node name is 65 characters long (allowed: 1 to 64)",
        f + ":4: xenha.resources." + id + ": resource id is 5000 characters long (allowed: 1 to 128)",
        f + ":5: xenha.cluster-name: cluster name is 65 characters long (allowed: 1 to 64)"), r.lines());
  }

  // ---- safety warnings

  @Test
  void fencingSwitchedOffIsAWarningThatSaysWhy() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + THREE_NODES + "  properties.stonith-enabled = false\n}\n");
    Run r = verify("--config", f.toString());
    assertEquals(0, r.exit());
    assertEquals(List.of(
        f + ":5: xenha.properties.stonith-enabled: warning: fencing is off: a node that freezes (a hung dom0, a"
            + " stalled disk) is recovered elsewhere after self-fence-deadline, and when it resumes it still runs its"
            + " domUs until it notices it left the cluster, so each runs twice for seconds (on shared disks that"
            + " corrupts them); configure a fence device and keep stonith-enabled = true",
        "configuration valid: 3 nodes, 0 resources"), r.lines());

    // a single node recovers nothing elsewhere: nothing can run twice
    Files.writeString(f, "xenha {\n" + ONE_NODE + "  properties.stonith-enabled = false\n}\n");
    assertEquals(List.of("configuration valid: 1 nodes, 0 resources"), verify("--config", f.toString()).lines());
  }

  @Test
  void twoNodesWithoutTwoNodeModeAreAWarning() throws IOException {
    String two = """
        xenha {
          nodes {
            n1 { address = "127.0.0.1:2551" }
            n2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          }
        """;
    Path f = write("xenha.conf", two + "}\n");
    Run r = verify("--config", f.toString());
    assertEquals(0, r.exit());
    assertEquals(List.of(
        f + ":2: xenha.cluster.split-brain-resolver: warning: 2 nodes with split-brain-resolver = quorum: 1 of 2"
            + " votes is no majority, so the loss of either node stops every resource (as in Pacemaker without"
            + " two_node); set cluster.split-brain-resolver = two-node (with fencing) or add a"
            + " third node (docs/operations.md, \"Two-node clusters\")",
        "configuration valid: 2 nodes, 0 resources"), r.lines());

    // set by the user: the warning points at the setting
    Files.writeString(f, two + "  cluster.split-brain-resolver = keep-oldest\n}\n");
    assertEquals(f + ":6: xenha.cluster.split-brain-resolver: warning: 2 nodes with split-brain-resolver = keep-oldest:"
        + " when one node is lost the other cannot tell a crash from a cut link, and a loss of the node this strategy"
        + " keeps stops the whole cluster; set cluster.split-brain-resolver = two-node (with fencing) or add a third"
        + " node (docs/operations.md, \"Two-node clusters\")", verify("--config", f.toString()).lines().get(0));

    Files.writeString(f, two + "  cluster.split-brain-resolver = two-node\n}\n");
    assertEquals(List.of("configuration valid: 2 nodes, 0 resources"), verify("--config", f.toString()).lines());
  }

  @Test
  void aFenceDeviceThatFencesEveryNodeCanNeverBePlaced() throws IOException {
    Path f = write("xenha.conf", """
        xenha {
          nodes.n1 { address = "127.0.0.1:2551" }
          nodes.n2 { address = "127.0.0.1:2552", jmx-port = 9011 }
          cluster.split-brain-resolver = two-node
          resources {
            ssh-fence { type = stonith, agent = "builtin:ssh", hosts = [n1, n2] }
            pdu { type = stonith, agent = "builtin:kill", host-map = "n1:1;n2:2" }
            ssh-n1 { type = stonith, agent = "builtin:ssh", hosts = [n1] }
          }
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(0, r.exit());
    assertEquals(List.of(
        f + ":6: xenha.resources.ssh-fence.hosts: warning: fence device 'ssh-fence' can never be placed: a device"
            + " never runs on a node it fences, and it fences every node (n1, n2); give each node its own device"
            + " (hosts = [NODE]) or leave hosts out (a device without hosts fences any node, from another one)",
        f + ":7: xenha.resources.pdu.host-map: warning: fence device 'pdu' can never be placed: a device never runs"
            + " on a node it fences, and it fences every node (n1, n2); give each node its own device (hosts = [NODE])",
        "configuration valid: 2 nodes, 3 resources"), r.lines());
  }

  @Test
  void aFenceDeviceBannedFromTheNodesItDoesNotFenceCanNeverBePlaced() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + THREE_NODES + """
          resources {
            ilo-n1 { type = stonith, agent = "builtin:kill", hosts = [n1] }
            ilo-n2 { type = stonith, agent = "builtin:kill", hosts = [n2] }
          }
          constraints.location = [
            { resource = ilo-n1, node = n2, score = -INFINITY }
            { resource = ilo-n1, node = n3, score = -INFINITY }
            { resource = ilo-n2, node = n3, score = -INFINITY }
          ]
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(List.of(
        f + ":6: xenha.resources.ilo-n1.hosts: warning: fence device 'ilo-n1' can never be placed: it fences n1, and"
            + " a -INFINITY location bans it from n2, n3",
        "configuration valid: 3 nodes, 2 resources"), r.lines());

    Files.writeString(f, Files.readString(f).replace("constraints.location = [",
        "properties.symmetric-cluster = false\n  constraints.location = [ { resource = ilo-n2, node = n1, score = 0 }"));
    assertEquals(List.of(
        f + ":6: xenha.resources.ilo-n1.hosts: warning: fence device 'ilo-n1' can never be placed: it fences n1, and"
            + " a -INFINITY location bans it from n2, n3",
        "configuration valid: 3 nodes, 2 resources"), verify("--config", f.toString()).lines());
  }

  @Test
  void anOptInClusterWithoutALocationForADeviceLeavesItNowhere() throws IOException {
    Path f = write("xenha.conf", "xenha {\n" + THREE_NODES + """
          properties.symmetric-cluster = false
          resources.ilo-n1 { type = stonith, agent = "builtin:kill", hosts = [n1] }
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(List.of(
        f + ":6: xenha.resources.ilo-n1.hosts: warning: fence device 'ilo-n1' can never be placed: it fences n1, and"
            + " with symmetric-cluster = false no location allows it on n2, n3",
        "configuration valid: 3 nodes, 1 resources"), r.lines());
  }

  // ---- order

  @Test
  void outputIsSortedByFileAndLineAcrossIncludes() throws IOException {
    write("vm.xml", "<domain type='test'><name>vm</name></domain>");
    Path a = write("a-resources.conf", "vm { type = domain, domain-xml = vm.xml, priority = high }\n");
    Path f = write("xenha.conf", "xenha {\n" + THREE_NODES + """
          properties.stonith-enabled = false
          resources { include "a-resources.conf" }
          jmx.port = 0
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(
        a + ":1: xenha.resources.vm.priority: expected an integer, got 'high'",
        // on one line the error comes before the warning
        f + ":5: xenha.properties.self-fence-deadline: self-fence-deadline (30s, the default) must be longer than the"
            + " longest stop timeout of a domain (1m, resource 'vm'): with stonith-enabled = false a lost node may still"
            + " be stopping it",
        f + ":5: xenha.properties.stonith-enabled: warning: " + SafetyWarnings.FENCING_OFF,
        f + ":7: xenha.jmx.port: must be between 1 and 65535, got 0"), r.lines());
  }

  Path write(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }
}
