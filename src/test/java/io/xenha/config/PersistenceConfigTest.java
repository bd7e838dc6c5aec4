package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** xenha.persistence: the embedded default, the PostgreSQL option, and `FILE:LINE: key: message` for bad settings. */
class PersistenceConfigTest {

  @TempDir Path dir;

  private LoadResult load(String persistence) throws Exception {
    Path f = dir.resolve("xenha.conf");
    Files.writeString(f, "xenha {\n  nodes { n1 { address = \"127.0.0.1:2551\" } }\n" + persistence + "\n}\n");
    return ConfigLoader.load(f);
  }

  private List<String> errors(LoadResult r) {
    return r.errors().stream().map(Problem::format).toList();
  }

  @Test
  void embeddedH2ByDefault() throws Exception {
    LoadResult r = load("");
    assertTrue(r.ok(), () -> r.problems().toString());
    XenhaConfig.PersistenceSettings p = r.config().orElseThrow().persistence();
    assertEquals("h2", p.journal());
    assertEquals(100, p.snapshotEvery());
    assertEquals(1000, p.historySize());
    assertEquals(Duration.ofSeconds(30), p.recoveryTimeout());
    assertNull(p.url());
  }

  @Test
  void postgresqlWithAPasswordFile() throws Exception {
    Files.writeString(dir.resolve("journal.secret"), "pw\n");
    LoadResult r = load("""
        persistence {
          journal = postgresql
          postgresql { url = "jdbc:postgresql://db1:5432/xenha", user = xenha, password-file = journal.secret }
          history-size = 50
        }""");
    assertTrue(r.ok(), () -> r.problems().toString());
    XenhaConfig.PersistenceSettings p = r.config().orElseThrow().persistence();
    assertEquals("postgresql", p.journal());
    assertEquals("jdbc:postgresql://db1:5432/xenha", p.url());
    assertEquals("xenha", p.user());
    assertEquals(dir.resolve("journal.secret").toAbsolutePath(), p.passwordFile());
    assertEquals(50, p.historySize());
  }

  @Test
  void badSettingsNameFileLineAndKey() throws Exception {
    Path conf = dir.resolve("xenha.conf");
    LoadResult r = load("""
        persistence {
          journal = postgresql
          postgresql { url = "jdbc:mysql://db1/xenha", password-file = nope.secret }
          snapshot-every = 0
        }""");
    assertFalse(r.ok());
    List<String> e = errors(r);
    assertTrue(e.contains(conf + ":5: xenha.persistence.postgresql.url: not a PostgreSQL JDBC URL: 'jdbc:mysql://db1/xenha'"
        + " (expected jdbc:postgresql://HOST:PORT/DATABASE)"), e.toString());
    assertTrue(e.stream().anyMatch(m -> m.startsWith(conf + ":5: xenha.persistence.postgresql.password-file: cannot read password file ")
        && m.endsWith("nope.secret: no such file")), e.toString());
    assertTrue(e.stream().anyMatch(m -> m.startsWith(conf + ":") && m.contains("xenha.persistence.postgresql.user")), e.toString());
    assertTrue(e.stream().anyMatch(m -> m.startsWith(conf + ":6: xenha.persistence.snapshot-every: ")), e.toString());

    LoadResult typo = load("persistence { journal = sqlite }");
    assertTrue(errors(typo).stream().anyMatch(m -> m.startsWith(conf + ":3: xenha.persistence.journal: invalid value 'sqlite'")),
        typo.problems().toString());
    LoadResult missing = load("persistence { journal = postgresql }");
    assertTrue(errors(missing).stream().anyMatch(m -> m.contains("xenha.persistence.postgresql")), missing.problems().toString());
  }
}
