package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.jmx.FakeConsole;
import io.xenha.jmx.JmxServer;
import io.xenha.status.ClusterStatus.FencingRecord;
import io.xenha.status.History;
import io.xenha.status.HistoryRecord;
import io.xenha.status.StatusJson;
import io.xenha.status.StatusSamples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `xenha fence` and `xenha history` against a JMX server with a fake console. */
class FencingCommandsTest {

  static final FencingRecord OK = new FencingRecord("node2", "ipmi-node2", "node1", "reboot", "success", "2026-11-22T10:05:00Z");
  static final FencingRecord FAILED = new FencingRecord("node2", "ipmi-node2", "node3", "off", "failed", "2026-11-22T09:00:00Z");
  static final FencingRecord OTHER = new FencingRecord("node6", "ilo-node6", "node1", "reboot", "success", "2026-11-22T09:30:00Z");

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private FakeConsole console;
  private JmxServer server;
  private String jmx;

  @BeforeEach
  void start() throws IOException {
    console = new FakeConsole("node1", StatusSamples.busy());
    int port = freePort();
    server = JmxServer.start("127.0.0.1", port, console, List.of("node1", "node2", "node6"), List.of(), io.xenha.security.TestCredentials.shared().access());
    jmx = "127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private int fence(String... args) {
    FenceCommand c = new FenceCommand();
    return run(c, () -> { c.out = stream(out); c.err = stream(err); }, args);
  }

  private int history(String... args) {
    HistoryCommand c = new HistoryCommand();
    return run(c, () -> { c.out = stream(out); c.err = stream(err); }, args);
  }

  private static int run(Callable<Integer> command, Runnable wire, String... args) {
    wire.run();
    String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
        "--credentials", io.xenha.security.TestCredentials.shared().adminFile().toString())).toArray(String[]::new);
    return new CommandLine(command).execute(all);
  }

  private static PrintStream stream(ByteArrayOutputStream b) {
    return new PrintStream(b, true, StandardCharsets.UTF_8);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void fenceWithoutYesIsRefusedAndFencesNothing() {
    console.fenceRecord = OK;
    assertEquals(1, fence("node2", "--jmx", jmx));
    assertEquals("refusing to fence node2 without --yes (it powers the node off or reboots it)\n", err());
    assertEquals("", out());
    assertEquals(List.of(), console.fenced);
  }

  @Test
  void fenceWithYesPrintsTheRecord() {
    console.fenceRecord = OK;
    assertEquals(0, fence("node2", "--yes", "--jmx", jmx));
    assertEquals("fenced node2 with ipmi-node2 from node1 (reboot)\n", out());
    assertEquals("", err());
    assertEquals(List.of("node2"), console.fenced);
  }

  @Test
  void fenceRefusedSaysWhy() {
    console.fenceFailure = new IllegalStateException("node1 runs the Controller: fence it from another node");
    assertEquals(1, fence("--yes", "node1", "--jmx", jmx));
    assertEquals("xenha fence node1: node1 runs the Controller: fence it from another node\n", err());
    assertEquals("", out());

    err.reset();
    console.fenceFailure = null;
    console.fenceRecord = FAILED;
    assertEquals(1, fence("--yes", "node2", "--jmx", jmx));
    assertEquals("xenha fence node2: fencing node2 failed: off with ipmi-node2 from node3 at 2026-11-22T09:00:00Z\n", err());
  }

  @Test
  void unreachableAgentExitsOne() throws IOException {
    int port = freePort();
    assertEquals(1, fence("node2", "--yes", "--jmx", "127.0.0.1:" + port));
    assertEquals("cannot reach xenha at 127.0.0.1:" + port + ": Connection refused\n", err());
    err.reset();
    assertEquals(1, history("--jmx", "127.0.0.1:" + port));
    assertEquals("cannot reach xenha at 127.0.0.1:" + port + ": Connection refused\n", err());
  }

  @Test
  void historyTableNewestFirst() {
    console.history = List.of(FAILED, OK, OTHER);
    assertEquals(0, history("--jmx", jmx));
    assertEquals(
        """
        TIME                  NODE   RESOURCE    OPERATION             RESULT  REASON
        2026-11-22T10:05:00Z  node1  ipmi-node2  fence node2 (reboot)  ok      -
        2026-11-22T09:30:00Z  node1  ilo-node6   fence node6 (reboot)  ok      -
        2026-11-22T09:00:00Z  node3  ipmi-node2  fence node2 (off)     failed  -
        """,
        out());
    assertEquals("", err());

    out.reset();
    assertEquals(0, history("--node", "node6", "--jmx", jmx));
    assertEquals(
        """
        TIME                  NODE   RESOURCE   OPERATION             RESULT  REASON
        2026-11-22T09:30:00Z  node1  ilo-node6  fence node6 (reboot)  ok      -
        """,
        out());

    // a fence counts for the node that ran it too
    out.reset();
    assertEquals(0, history("--node", "node3", "--jmx", jmx));
    assertTrue(out().contains("node3  ipmi-node2  fence node2 (off)"), out());

    out.reset();
    assertEquals(0, history("--node", "node4", "--jmx", jmx));
    assertEquals("No history\n", out());
  }

  @Test
  void historyJson() {
    console.history = List.of(FAILED, OK, OTHER);
    assertEquals(0, history("--json", "--jmx", jmx));
    History h = StatusJson.historyFromJson(out());
    assertEquals(List.of("2026-11-22T10:05:00Z", "2026-11-22T09:30:00Z", "2026-11-22T09:00:00Z"),
        h.records().stream().map(HistoryRecord::at).toList());
    out.reset();
    assertEquals(0, history("--json", "--resource", "ilo-node6", "--jmx", jmx));
    h = StatusJson.historyFromJson(out());
    assertEquals(List.of("node6"), h.records().stream().map(HistoryRecord::target).toList());
  }

  @Test
  void missingNodesAreNamedNotFatal() {
    History h = new History(
        List.of(new HistoryRecord("2026-11-22T10:05:00Z", HistoryRecord.OPERATION, "node1", "web1", "start", null, "ok", "started")),
        List.of("node2: no agent running, its history is missing (it stays in its journal)"));
    assertEquals(
        """
        TIME                  NODE   RESOURCE  OPERATION  RESULT  REASON
        2026-11-22T10:05:00Z  node1  web1      start      ok      started
        missing: node2: no agent running, its history is missing (it stays in its journal)
        """,
        HistoryCommand.table(h));
  }

  @Test
  void registeredInMain() {
    CommandLine main = new CommandLine(new io.xenha.Main());
    assertTrue(main.getSubcommands().containsKey("fence"));
    assertTrue(main.getSubcommands().containsKey("history"));
  }
}
