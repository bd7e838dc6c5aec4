package io.xenha.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.xenha.config.XenhaConfig;
import io.xenha.config.XenhaConfig.PersistenceSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * The JDBC journal of one node (xenha.persistence onto pekko-persistence-jdbc): the embedded H2 file in the node's
 * state directory, or a shared PostgreSQL database. Creates the journal's tables when they are missing.
 */
public final class Journal {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Journal.class);

  private Journal() {}

  /** Where and how a node's journal is reached. */
  record Target(String url, String user, String password, String driver, String profile, String schemaResource) {}

  static Target target(XenhaConfig config, String node) throws IOException {
    PersistenceSettings p = config.persistence();
    if (p.journal().equals("postgresql")) {
      String password = p.passwordFile() == null ? "" : Files.readString(p.passwordFile(), StandardCharsets.UTF_8).strip();
      return new Target(p.url(), p.user(), password, "org.postgresql.Driver", "slick.jdbc.PostgresProfile$",
          "schema/postgres/postgres-create-schema.sql");
    }
    // DATABASE_TO_UPPER=false: the plugin's schema and Slick's H2 profile use quoted lower-case names.
    // WRITE_DELAY=0: a commit is written to the file before it returns. H2's default (500 ms) writes in the background:
    // an agent killed within that time lost records it had committed, and a write into a full disk failed silently
    // (both found by the fault-injection lab).
    Path file = config.node(node).stateDir().toAbsolutePath().resolve("journal");
    return new Target("jdbc:h2:file:" + file + ";DATABASE_TO_UPPER=false;WRITE_DELAY=0", "xenha", "", "org.h2.Driver",
        "slick.jdbc.H2Profile$", "schema/h2/h2-create-schema.sql");
  }

  /** The Pekko settings that make every persistent actor of this node write to its journal. */
  static Config pekkoConfig(Target t) {
    // "slick" is the shared database pekko-persistence-jdbc's reference.conf prepares (pool defaults included)
    String db = "pekko-persistence-jdbc.shared-databases.slick.";
    return ConfigFactory.parseMap(Map.ofEntries(
        Map.entry("pekko.persistence.journal.plugin", "jdbc-journal"),
        Map.entry("pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store"),
        Map.entry("jdbc-journal.use-shared-db", "slick"),
        Map.entry("jdbc-snapshot-store.use-shared-db", "slick"),
        Map.entry("jdbc-read-journal.use-shared-db", "slick"),
        Map.entry(db + "profile", t.profile()),
        Map.entry(db + "db.url", t.url()),
        Map.entry(db + "db.user", t.user()),
        Map.entry(db + "db.password", t.password()),
        Map.entry(db + "db.driver", t.driver()),
        // one agent writes a few events a minute: a small pool (several nodes share one JVM in tests)
        Map.entry(db + "db.numThreads", 2),
        Map.entry(db + "db.maxConnections", 2),
        Map.entry(db + "db.minConnections", 1),
        Map.entry(db + "db.connectionTimeout", 10000),
        // tried before a connection idle for a while is used: H2 closes its database after a write error (a full
        // disk) and its connections still call themselves valid; the query fails, the pool opens a new connection,
        // H2 opens the file again, and the journal writes again once there is space, without an agent restart
        Map.entry(db + "db.connectionTestQuery", "SELECT 1")));
  }

  /**
   * Creates the journal's tables from the plugin's own schema script when they are missing. Runs on the caller's
   * thread before the ActorSystem starts (never on a dispatcher). Throws when the database cannot be reached.
   */
  static void createSchemaIfMissing(Target t) throws SQLException, IOException {
    Properties props = new Properties();
    props.setProperty("user", t.user());
    props.setProperty("password", t.password());
    try (Connection c = DriverManager.getConnection(t.url(), props)) {
      if (hasJournal(c)) return;
      String script;
      try (InputStream in = Journal.class.getClassLoader().getResourceAsStream(t.schemaResource())) {
        if (in == null) throw new IOException("schema script " + t.schemaResource() + " is not on the class path");
        script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        for (String sql : script.split(";")) {
          if (!sql.isBlank()) s.execute(sql);
        }
      } catch (SQLException e) {
        // another node sharing the database created it at the same time
        if (!hasJournal(c)) throw e;
      }
      LOG.info("created the journal tables in {}", t.url());
    }
  }

  private static boolean hasJournal(Connection c) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, "event_journal", null)) {
      return rs.next();
    }
  }

  /** The journal settings of {@code node}; without them (unreadable password file) its agent keeps no history. */
  static Config pekkoConfig(XenhaConfig config, String node) {
    try {
      return pekkoConfig(target(config, node));
    } catch (IOException e) {
      LOG.error("cannot read the journal's password file {}: {}", config.persistence().passwordFile(), e.toString());
      return ConfigFactory.empty();
    }
  }

  /**
   * Creates {@code node}'s journal tables when missing. When the database cannot be reached the node still starts
   * (managing domUs does not wait for a journal): its agent runs without history until the journal answers.
   */
  static String prepare(XenhaConfig config, String node) {
    Target t;
    try {
      t = target(config, node);
      if (config.persistence().journal().equals("h2")) {
        Files.createDirectories(config.node(node).stateDir());
      }
      createSchemaIfMissing(t);
      return null;
    } catch (SQLException e) {
      if (config.persistence().journal().equals("h2") && damaged(e)) {
        return startAfresh(config, node, e);
      }
      LOG.error("the journal of {} is not usable, its agent runs without operation history for now: {}", node, e.toString());
      return null;
    } catch (IOException e) {
      LOG.error("the journal of {} is not usable, its agent runs without operation history for now: {}", node, e.toString());
      return null;
    }
  }

  /** H2's own words for a file that is not (any more) a database: corrupted, truncated, another program's bytes. */
  private static boolean damaged(SQLException e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SQLException s && (s.getErrorCode() == 90030 || s.getErrorCode() == 90048
          || s.getErrorCode() == 90049 || s.getErrorCode() == 50000 && String.valueOf(s.getMessage()).contains("corrupt"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The node's own H2 journal is damaged: it is moved aside (kept for the operator) and a new one is made, so the
   * agent keeps a history from now on. Returns the problem, as `xenha status` shows it on this node.
   */
  private static String startAfresh(XenhaConfig config, String node, SQLException e) {
    Path file = config.node(node).stateDir().toAbsolutePath().resolve("journal.mv.db");
    Path aside = file.resolveSibling("journal.mv.db.damaged-" + java.time.Instant.now().getEpochSecond());
    String problem;
    try {
      Files.move(file, aside);
      createSchemaIfMissing(target(config, node));
      problem = "journal " + file + " was damaged (" + e.getMessage().lines().findFirst().orElse("") + "): moved aside to "
          + aside.getFileName() + " and started afresh; the fail counts and history recorded before are lost";
    } catch (IOException | SQLException again) {
      problem = "journal " + file + " is damaged (" + e.getMessage().lines().findFirst().orElse("") + ") and could not "
          + "be started afresh (" + again.getMessage() + "): this agent keeps its history in memory only";
    }
    LOG.error("state-dir: {}", problem);
    return problem;
  }
}
