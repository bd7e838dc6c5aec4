package io.xenha.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.xenha.config.ConfigLoader;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeJournal;
import io.xenha.fencing.FenceResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's journal on the embedded H2 file: tables created on first use, snapshots every N events (older events
 * deleted), and a new incarnation recovers the same state from snapshot plus events.
 */
class NodeJournalTest {

  @Test
  void recoversFailCountsAndBoundedHistoryFromSnapshotsAndEvents(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("xenha.conf");
    Files.writeString(f, "xenha { nodes { n1 { address = \"127.0.0.1:0\", state-dir = \"" + dir.resolve("n1") + "\" } } }\n");
    XenhaConfig config = ConfigLoader.load(f).config().orElseThrow();
    Journal.prepare(config, "n1");
    var pekko = Journal.pekkoConfig(config, "n1").withFallback(ConfigFactory.load());

    Instant t = Instant.parse("2026-11-30T00:00:00Z");
    NodeJournal.State written;
    ActorTestKit first = ActorTestKit.create("journal1", pekko);
    try {
      // snapshot every 3 events, 4 records of history kept
      ActorRef<NodeJournal.Command> j = first.spawn(NodeJournal.create("n1", 3, 4));
      for (int i = 0; i < 7; i++) {
        j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm1", "start", i % 2 == 0, "r" + i, t.plusSeconds(i))));
      }
      j.tell(new NodeJournal.Record(new NodeJournal.FailCountChanged("vm1", List.of(t, t.plusSeconds(1)), false)));
      j.tell(new NodeJournal.Record(new NodeJournal.FailCountChanged("vm2", List.of(), true)));
      j.tell(new NodeJournal.Record(new NodeJournal.FenceRecorded(
          new FenceResult("n2", "fence", "n1", "reboot", true, "killed", t.plusSeconds(9).toString()))));
      TestProbe<NodeJournal.State> probe = first.createTestProbe();
      j.tell(new NodeJournal.Recall(probe.getRef()));
      written = probe.receiveMessage(Duration.ofSeconds(30));
    } finally {
      first.shutdownTestKit();
    }
    assertEquals(4, written.operations().size());
    assertEquals("r3", written.operations().get(0).reason());
    assertEquals(Map.of("vm1", new NodeJournal.FailCount(List.of(t, t.plusSeconds(1)), false),
        "vm2", new NodeJournal.FailCount(List.of(), true)), written.failCounts());

    Journal.Target target = Journal.target(config, "n1");
    try (var db = java.sql.DriverManager.getConnection(target.url(), target.user(), target.password());
        var st = db.createStatement()) {
      var snapshots = st.executeQuery("SELECT COUNT(*) FROM \"snapshot\"");
      snapshots.next();
      assertTrue(snapshots.getInt(1) >= 1, "snapshots were taken");
      var events = st.executeQuery("SELECT COUNT(*) FROM \"event_journal\" WHERE \"deleted\" = FALSE");
      events.next();
      assertTrue(events.getInt(1) < 10, "events before the snapshots kept are deleted: " + events.getInt(1));
    }

    ActorTestKit second = ActorTestKit.create("journal2", pekko);
    try {
      ActorRef<NodeJournal.Command> j = second.spawn(NodeJournal.create("n1", 3, 4));
      TestProbe<NodeJournal.State> probe = second.createTestProbe();
      j.tell(new NodeJournal.Recall(probe.getRef()));
      assertEquals(written, probe.receiveMessage(Duration.ofSeconds(30)), "the same state after a restart");
    } finally {
      second.shutdownTestKit();
    }
  }

  /**
   * #15 (found by the fault-injection lab): a record the journal has acknowledged is in the file at once, so an agent
   * killed right after (kill -9, no shutdown hook) loses nothing. H2's default write delay (500 ms) lost such records.
   * The writer is a separate JVM that halts as soon as its record is acknowledged.
   */
  @Test
  void anAcknowledgedRecordSurvivesAnAgentKilledAtOnce(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("xenha.conf");
    Files.writeString(f, "xenha { nodes { n1 { address = \"127.0.0.1:0\", state-dir = \"" + dir.resolve("n1") + "\" } } }\n");
    Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WriteThenHalt.class.getName(), f.toString())
        .redirectErrorStream(true).start();
    String out = new String(writer.getInputStream().readAllBytes());
    assertTrue(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
    assertTrue(out.contains("acknowledged 3"), out);

    XenhaConfig config = ConfigLoader.load(f).config().orElseThrow();
    Journal.prepare(config, "n1");
    ActorTestKit kit = ActorTestKit.create("journal-after-kill", Journal.pekkoConfig(config, "n1")
        .withFallback(ConfigFactory.load()));
    try {
      ActorRef<NodeJournal.Command> j = kit.spawn(NodeJournal.create("n1", 1000, 100));
      TestProbe<NodeJournal.State> probe = kit.createTestProbe();
      j.tell(new NodeJournal.Recall(probe.getRef()));
      assertEquals(List.of("vm0", "vm1", "vm2"), probe.receiveMessage(Duration.ofSeconds(30)).operations().stream()
          .map(NodeJournal.OperationRecorded::resource).toList(), "every acknowledged record after the kill");
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** The writer of {@link #anAcknowledgedRecordSurvivesAnAgentKilledAtOnce}: records three events and halts. */
  public static final class WriteThenHalt {
    public static void main(String[] args) throws Exception {
      XenhaConfig config = ConfigLoader.load(Path.of(args[0])).config().orElseThrow();
      Journal.prepare(config, "n1");
      ActorTestKit kit = ActorTestKit.create("journal-killed", Journal.pekkoConfig(config, "n1")
          .withFallback(ConfigFactory.load()));
      ActorRef<NodeJournal.Command> j = kit.spawn(NodeJournal.create("n1", 1000, 100));
      TestProbe<NodeJournal.State> probe = kit.createTestProbe();
      for (int i = 0; i < 3; i++) {
        j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm" + i, "start", true, "ok", Instant.now())));
      }
      // the state answers only after every event before the Recall was persisted
      j.tell(new NodeJournal.Recall(probe.getRef()));
      System.out.println("acknowledged " + probe.receiveMessage(Duration.ofSeconds(30)).operations().size());
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
  }

  /**
   * #14: a journal write that fails while the agent runs (the state disk filled up, for real: a tmpfs) is one ERROR
   * and a state problem the node's reports carry into `xenha status`, not Pekko's stack trace per retry. Once there
   * is space again the journal writes again by itself (H2 closes its database after a write error: the connection
   * pool must notice and open it again; it used to stay failed until the agent restarted).
   */
  @Test
  void aWriteThatFailsIsOneLineAndAStateProblemWithoutStackTraces(@TempDir Path dir) throws Exception {
    io.xenha.testutil.Tmpfs.with(dir, "size=4m", disk -> {
      Path f = dir.resolve("xenha.conf");
      Files.writeString(f, "xenha { nodes { n1 { address = \"127.0.0.1:0\", state-dir = \"" + disk.resolve("n1")
          + "\" } } }\n");
      XenhaConfig config = ConfigLoader.load(f).config().orElseThrow();
      Journal.prepare(config, "n1");
      var pekko = Journal.pekkoConfig(config, "n1").withFallback(ConfigFactory.load());
      ActorTestKit kit = ActorTestKit.create("journal-full", pekko);
      var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
      logged.start();
      root.addAppender(logged);
      try {
        ActorRef<NodeJournal.Command> j = kit.spawn(NodeJournal.create("n1", 1000, 100));
        StateProblems problems = StateProblems.get(kit.system());
        TestProbe<NodeJournal.State> probe = kit.createTestProbe();
        j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm1", "start", true, "ok", Instant.now())));
        j.tell(new NodeJournal.Recall(probe.getRef()));
        assertEquals(1, probe.receiveMessage(Duration.ofSeconds(30)).operations().size());
        assertTrue(problems.list().isEmpty(), problems.list().toString());

        io.xenha.testutil.Tmpfs.fill(disk.resolve("filler"));
        String big = "x".repeat(16_000);
        probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(300), () -> {
          j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm1", "monitor", false, big, Instant.now())));
          assertTrue(problems.list().stream().anyMatch(p -> p.startsWith("journal of n1 cannot be written (")
              && p.contains("not recorded until it can be written again")), problems.list().toString());
          return null;
        });
        assertEquals(1, problems.list().stream().filter(p -> p.startsWith("journal of n1 cannot be written")).count(),
            "said once: " + problems.list());
        for (int i = 0; i < 5; i++) { // more failing writes: still one line, no stack trace for any retry
          j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm1", "monitor", false, big, Instant.now())));
          Thread.sleep(300);
        }
        // each episode of failing writes is one ERROR line: H2 may free some space when it closes its file after the
        // error, so a write between two failures can succeed ("written again") and the next failure is said anew
        List<String> errors = logged.list.stream()
            .filter(e -> e.getFormattedMessage().contains("cannot be written")).map(e -> e.getFormattedMessage()).toList();
        long writtenAgain = logged.list.stream().filter(e -> e.getFormattedMessage().contains("is written again")).count();
        assertEquals(writtenAgain + 1, errors.size(), "one ERROR line per episode: " + errors);
        List<String> traces = logged.list.stream()
            .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN) && e.getThrowableProxy() != null)
            .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        assertTrue(traces.isEmpty(), "no stack trace on the console: " + traces);

        // space again: the journal writes again by itself (no agent restart), the problem goes, the record is kept
        Files.delete(disk.resolve("filler"));
        probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
          j.tell(new NodeJournal.Record(new NodeJournal.OperationRecorded("vm2", "start", true, "ok", Instant.now())));
          j.tell(new NodeJournal.Recall(probe.getRef()));
          NodeJournal.State state = probe.receiveMessage(Duration.ofSeconds(10));
          assertTrue(state.operations().stream().anyMatch(o -> o.resource().equals("vm2")), state.operations().toString());
          assertTrue(problems.list().isEmpty(), problems.list().toString());
          return null;
        });
      } finally {
        root.detachAppender(logged);
        kit.shutdownTestKit();
      }
    });
  }
}
