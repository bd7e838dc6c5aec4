package io.xenha.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.status.History;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared journal option: two nodes writing their journals to one real PostgreSQL server (tables created on
 * first start, the password read from a file), and a node that restarts recovers its history from there.
 */
@Tag("slow")
class PostgresJournalTest {

  @Test
  void nodesJournalToPostgresqlAndRecoverFromIt(@TempDir Path dir) throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String persistence = """
          persistence {
            journal = postgresql
            postgresql { url = "%s", user = %s, password-file = "%s" }
          }
          """.formatted(pg.url(), PostgresServer.USER, pg.passwordFile());
      Map<String, FaultyHypervisor> faulty = new ConcurrentHashMap<>();
      List<String> domains = List.of("vm1", "vm2");
      // three nodes: with two, the survivor of a leave has 1 of 2 votes, no quorum, and stops everything
      try (InJvmCluster c = new InJvmCluster(dir, 3, domains, "", persistence, "",
          n -> hv -> faulty.computeIfAbsent(n, k -> new FaultyHypervisor(hv)))) {
        Map<String, List<String>> before = awaitRunningOnce(c, domains);
        c.awaitConverged(Duration.ofSeconds(30));
        String home = before.get("vm1").get(0);
        String other = FencingTest.other(c, home);
        // vm1 dies once on its node and is recovered in place (migration-threshold 3): a monitor failure on record
        faulty.get(home).real().destroy("vm1", Duration.ofSeconds(5)).toCompletableFuture().get();
        HistoryTest.awaitHistory(c, other, "vm1", null, h -> HistoryTest.has(h, home, "vm1", "monitor", "failed"),
            Duration.ofSeconds(30), "vm1's failure in the history");

        try (Connection db = DriverManager.getConnection(pg.url(), PostgresServer.USER, PostgresServer.PASSWORD);
            ResultSet rs = db.createStatement().executeQuery("SELECT DISTINCT persistence_id FROM event_journal")) {
          Set<String> ids = new TreeSet<>();
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
          assertTrue(Set.of("node-agent|n1", "node-agent|n2", "node-agent|n3").containsAll(ids) && ids.size() >= 2
              && ids.contains("node-agent|" + home), "each node journals under its own id: " + ids);
        }

        c.leave(home);
        awaitRunningOnce(c, domains);
        faulty.remove(home);
        c.restart(home);
        c.awaitConverged(Duration.ofSeconds(30));
        History h = HistoryTest.awaitHistory(c, home, "vm1", home, x -> HistoryTest.has(x, home, "vm1", "monitor", "failed")
                && x.missing().isEmpty(), Duration.ofSeconds(60), home + "'s history recovered from PostgreSQL");
        assertTrue(HistoryTest.has(h, home, "vm1", "stop", "ok"), "the stop before the restart: " + h);
        assertTrue(c.violations.isEmpty(), "double-active: " + c.violations);
      }
    }
  }

  private static Map<String, List<String>> awaitRunningOnce(InJvmCluster c, List<String> domains) throws Exception {
    return HistoryTest.awaitRunningOnce(c, domains);
  }
}
