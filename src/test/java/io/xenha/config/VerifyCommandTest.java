package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cli.VerifyCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyCommandTest {
  @TempDir Path dir;

  record Run(int exit, List<String> lines) {}

  static Run verify(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int exit = new CommandLine(new VerifyCommand()).execute(args);
      return new Run(exit, buf.toString(StandardCharsets.UTF_8).lines().toList());
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void demoConfigurationIsValid() {
    Run r = verify("--config", "conf/demo.conf");
    assertEquals(0, r.exit());
    assertEquals(List.of("configuration valid: 3 nodes, 9 resources"), r.lines());
  }

  @Test
  void sortedByFileAndLineWarningsAmongErrorsExitTwo() throws IOException {
    Files.writeString(dir.resolve("vm.xml"), "<domain type='test'><name>vm</name></domain>");
    Path f = dir.resolve("bad.conf");
    Files.writeString(f, """
        xenha {
          nodes { node1 { address = "127.0.0.1:2551" } }
          resources { vm { type = domain, domain-xml = vm.xml } }
          constraints.location = [ { resource = vm, node = node7, score = 10 } ]
          jmx.port = 0
          properties { stonith-action = off, batch-limit = -1 }
        }
        """);
    Run r = verify("--config", f.toString());
    assertEquals(2, r.exit());
    assertEquals(List.of(
        f + ":4: xenha.constraints.location[0].node: warning: unknown node 'node7', constraint ignored (did you mean 'node1'?)",
        f + ":5: xenha.jmx.port: must be between 1 and 65535, got 0",
        f + ":6: xenha.properties.batch-limit: must be 1 or more, got -1"),
        r.lines());
  }

  @Test
  void warningsAloneStillValid() throws IOException {
    Path f = dir.resolve("warn.conf");
    Files.writeString(f, "xenha.nodes.n1.address = \"h:1\"\nextra = 1\n");
    // n1's key material (checked when verify knows the node), as `xenha keys init` writes it
    Path keys = dir.resolve("keys");
    io.xenha.cli.KeysCommand.write(ConfigLoader.load(f).config().orElseThrow(), keys, java.time.Duration.ofDays(90));
    Files.delete(keys.resolve("ca.key"));
    Files.writeString(f, "xenha.security { tls-dir = \"" + keys + "\", credentials = \"" + keys.resolve("jmx.credentials")
        + "\" }\n", java.nio.file.StandardOpenOption.APPEND);
    Run r = verify("-c", f.toString(), "--node", "n1");
    assertEquals(0, r.exit());
    assertEquals(2, r.lines().size(), r.lines()::toString);
    assertTrue(r.lines().get(0).startsWith(f + ":2: extra: warning: "), r.lines().get(0));
    assertEquals("configuration valid: 1 nodes, 0 resources", r.lines().get(1));
  }

  @Test
  void missingFileAndUnknownNode() {
    Run missing = verify("--config", dir.resolve("none.conf").toString());
    assertEquals(2, missing.exit());
    assertEquals(List.of(dir.resolve("none.conf") + ":1: cannot read configuration file: no such file"), missing.lines());

    Run node = verify("--config", "conf/demo.conf", "--node", "node4");
    assertEquals(2, node.exit());
    assertTrue(node.lines().get(0).startsWith("conf/demo.conf:1: xenha.node-name: node 'node4' (from --node)"),
        node.lines().get(0));
  }
}
