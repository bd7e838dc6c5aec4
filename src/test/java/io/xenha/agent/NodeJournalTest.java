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
}
