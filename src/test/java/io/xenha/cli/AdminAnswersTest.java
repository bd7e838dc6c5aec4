package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.controller.Admin;
import io.xenha.jmx.FakeConsole;
import io.xenha.jmx.JmxServer;
import io.xenha.status.StatusSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The three answers of an admin command as the operator reads them: done, refused (nothing changed), unknown (the
 * Controller died mid-way, or a majority did not confirm) — never a raw exception.
 */
class AdminAnswersTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private FakeConsole console;
  private JmxServer server;
  private String jmx;

  @BeforeEach
  void start() throws IOException {
    console = new FakeConsole("node1", StatusSamples.busy());
    int port = FencingCommandsTest.freePort();
    server = JmxServer.start("127.0.0.1", port, console, List.of("node1", "node2"), List.of("nfs"),
        io.xenha.security.TestCredentials.shared().access());
    jmx = "127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int migrate() {
    ResourceCommand c = new ResourceCommand();
    c.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    c.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(c).execute("migrate", "nfs", "--node", "node2", "--jmx", jmx,
        "--credentials", io.xenha.security.TestCredentials.shared().adminFile().toString());
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aControllerThatDiesMidWayGivesAnUnknownOutcomeNotARefusal() {
    // what the agent's ask to the Controller singleton throws when the Controller dies before answering
    console.adminFailure = new AskTimeoutException(
        "Ask timed out on [Actor[pekko://x/system/singletonProxyController]] after [15000 ms]. A typical reason for "
            + "`AskTimeoutException` is that the recipient actor didn't send a reply.");
    assertEquals(1, migrate());
    assertEquals(1, console.admin.size(), "asked once");
    assertTrue(err().startsWith("xenha resource migrate nfs: unknown: resource-migrate nfs: no answer from the Controller"),
        err());
    assertTrue(err().contains("check `xenha status`"), err());
    assertFalse(err().contains("refused"), err());
    assertFalse(err().contains("AskTimeoutException"), err());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aWriteNoMajorityConfirmedIsUnknownNotRefused() {
    console.adminReply = Admin.Reply.unknown("not confirmed by a majority of nodes within 10s (UpdateTimeout): it is "
        + "recorded on node1 and takes effect if it replicates");
    assertEquals(1, migrate());
    assertEquals("xenha resource migrate nfs: unknown: not confirmed by a majority of nodes within 10s (UpdateTimeout): "
        + "it is recorded on node1 and takes effect if it replicates; check `xenha status`\n", err());
  }

  @Test
  void aRefusalSaysRefusedAndADoneSaysWhatWasDone() {
    console.adminReply = new Admin.Reply(false, "nfs already runs on node2");
    assertEquals(1, migrate());
    assertEquals("xenha resource migrate nfs: refused: nfs already runs on node2\n", err());
    err.reset();
    console.adminReply = new Admin.Reply(true, "nfs: prefers node2 (cli-prefer-nfs)");
    assertEquals(0, migrate());
    assertEquals("nfs: prefers node2 (cli-prefer-nfs)\n", out.toString(StandardCharsets.UTF_8));
    assertEquals("", err());
  }

  @Test
  void dryRunAsksForTheTransitionAndChangesNothing() {
    console.adminReply = new Admin.Reply(true, "dry run, nothing changed: node2 is in standby\nTransition Summary:\n"
        + "  * Stop       nfs        ( node2 )  due to node availability");
    NodeCommand c = new NodeCommand();
    c.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    c.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = new CommandLine(c).execute("standby", "node2", "--dry-run", "--jmx", jmx,
        "--credentials", io.xenha.security.TestCredentials.shared().adminFile().toString());
    assertEquals(0, code, err());
    assertEquals(List.of(new Admin.Request("node-standby", "node2", null, null, true)), console.admin);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("* Stop       nfs        ( node2 )"), out.toString());
  }
}
