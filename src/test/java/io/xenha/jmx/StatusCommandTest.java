package io.xenha.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cli.StatusCommand;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusSamples;
import io.xenha.status.StatusText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StatusCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private int run(String... args) {
    // constructed after capture(): the command keeps the streams it finds
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
        "--credentials", io.xenha.security.TestCredentials.shared().adminFile().toString())).toArray(String[]::new);
    return new CommandLine(new StatusCommand()).execute(all);
  }

  @Test
  void printsTextAndJson() throws Exception {
    int port = JmxServerTest.freePort();
    FakeConsole console = new FakeConsole("node1", StatusSamples.busy());
    try (JmxServer s = JmxServer.start("127.0.0.1", port, console, List.of("node1"), List.of(), io.xenha.security.TestCredentials.shared().access())) {
      assertEquals(0, run("--jmx", "127.0.0.1:" + port));
      assertEquals(StatusText.render(StatusSamples.busy()), out.toString(StandardCharsets.UTF_8));
      out.reset();
      assertEquals(0, run("--json", "--jmx", "127.0.0.1:" + port));
      assertEquals(StatusSamples.busy(), StatusJson.fromJson(out.toString(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void unreachableExitsOneWithTheReason() throws Exception {
    int port = JmxServerTest.freePort();
    assertEquals(1, run("--jmx", "127.0.0.1:" + port));
    assertEquals(
        "cannot reach xenha at 127.0.0.1:" + port + ": Connection refused\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void takesTheAddressFromTheConfiguration(@TempDir Path dir) throws Exception {
    int port = JmxServerTest.freePort();
    Path conf = dir.resolve("xenha.conf");
    Files.writeString(conf, "xenha { cluster-name = t, jmx { host = \"127.0.0.1\", port = " + port + " } }\n");
    assertEquals(1, run("--config", conf.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("cannot reach xenha at 127.0.0.1:" + port + ": "));

    // a node's own jmx-port wins when the configuration names the local node (the demo's layout)
    err.reset();
    int nodePort = JmxServerTest.freePort();
    Files.writeString(
        conf,
        "xenha { node-name = b, jmx.port = " + port + ", nodes { a { jmx-port = 1 }, b { jmx-port = " + nodePort
            + " } } }\n");
    assertEquals(1, run("--config", conf.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("cannot reach xenha at 127.0.0.1:" + nodePort + ": "));
  }

  @Test
  void badArgumentsExitTwo(@TempDir Path dir) {
    assertEquals(2, run("--jmx", "nonsense"));
    assertEquals(2, run("--config", dir.resolve("missing.conf").toString()));
  }
}
