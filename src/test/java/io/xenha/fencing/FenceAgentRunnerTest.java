package io.xenha.fencing;

import static io.xenha.fencing.FenceTestFiles.alive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's protocol, secrets and timeouts, against scripted agents (no hardware, no simulator). */
class FenceAgentRunnerTest {

  private static final String SECRET = "Tr0ub4dor&3-not-in-logs";

  @TempDir
  Path dir;
  private Path fake;
  private Path record;

  @BeforeEach
  void setUp() throws IOException {
    fake = FenceTestFiles.executable("fake-agent.sh", dir);
    record = dir.resolve("actions.log");
  }

  private Map<String, String> params(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("record", record.toString());
    m.put("password", SECRET);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private List<String> recorded() throws IOException {
    return Files.exists(record) ? Files.readAllLines(record) : List.of();
  }

  @Test
  void offOfATargetThatIsOnRunsStatusThenOff() throws Exception {
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(fake, "off", params("status_rc", "0"), Duration.ofSeconds(10));
    assertTrue(o.ok(), o.summary());
    assertEquals(0, o.exitCode());
    assertEquals(List.of("status", "off"), recorded());
    assertTrue(o.summary().startsWith("fake-agent.sh off: ok"), o.summary());
  }

  @Test
  void offAndRebootOfATargetThatIsOffAreAlreadyDone() throws Exception {
    for (String action : List.of("off", "reboot")) {
      FenceAgentRunner.Outcome o = FenceAgentRunner.run(fake, action, params("status_rc", "2", "rc", "1"),
          Duration.ofSeconds(10));
      assertTrue(o.ok(), o.summary());
      assertTrue(o.summary().contains("already off"), o.summary());
    }
    // the agent was never asked to act: a failing "rc=1" action did not run
    assertEquals(List.of("status", "status"), recorded());
  }

  @Test
  void statusReportsOnAsOkAndOffAsExitTwo() throws Exception {
    FenceAgentRunner.Outcome on = FenceAgentRunner.run(fake, "status", params("status_rc", "0"), Duration.ofSeconds(10));
    assertTrue(on.ok());
    assertTrue(on.summary().contains(": on"), on.summary());
    FenceAgentRunner.Outcome off = FenceAgentRunner.run(fake, "status", params("status_rc", "2"), Duration.ofSeconds(10));
    assertFalse(off.ok());
    assertEquals(FenceAgentRunner.STATUS_OFF, off.exitCode());
    assertTrue(off.summary().contains(": off"), off.summary());
  }

  @Test
  void aFailureSaysWhatTheAgentSaidWithThePasswordMasked() throws Exception {
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(fake, "on", params("rc", "1"), Duration.ofSeconds(10));
    assertFalse(o.ok());
    assertEquals(1, o.exitCode());
    assertTrue(o.summary().contains("failed (exit 1)"), o.summary());
    assertTrue(o.summary().contains("Failed: device refused user with password ****"), o.summary());
    assertFalse(o.summary().contains(SECRET), o.summary());
    assertFalse(o.summary().contains("\n"), "one line: " + o.summary());
  }

  @Test
  void theDebugLogHasTheAgentsOutputButNotThePassword() throws Exception {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FenceAgentRunner.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
        new ch.qos.logback.core.read.ListAppender<>();
    events.start();
    ch.qos.logback.classic.Level before = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    logger.addAppender(events);
    try {
      FenceAgentRunner.run(fake, "on", params("rc", "1"), Duration.ofSeconds(10));
    } finally {
      logger.detachAppender(events);
      logger.setLevel(before);
    }
    String logged = events.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .reduce("", (a, b) -> a + b + "\n");
    assertTrue(logged.contains("device refused user with password ****"), logged);
    assertFalse(logged.contains(SECRET), logged);
  }

  @Test
  void aFloodingAgentIsDrainedAndBounded() throws Exception {
    long t0 = System.nanoTime();
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(fake, "monitor", params("flood", "1"), Duration.ofSeconds(10));
    assertTrue(o.ok(), o.summary());
    assertTrue(o.summary().length() < 400, o.summary());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
  }

  @Test
  void aHangingAgentAndItsChildAreKilledAtTheTimeout() throws Exception {
    Path hang = FenceTestFiles.executable("hang-agent.sh", dir);
    Path pids = dir.resolve("hang.pids");
    Duration timeout = Duration.ofSeconds(1);
    long t0 = System.nanoTime();
    // off runs status first: the deadline covers both calls
    FenceAgentRunner.Outcome o = FenceAgentRunner.run(hang, "off", Map.of("pidfile", pids.toString()), timeout);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertFalse(o.ok());
    assertEquals(FenceAgentRunner.TIMED_OUT, o.exitCode());
    assertEquals("hang-agent.sh off: timed out after 1s", o.summary());
    assertTrue(took.compareTo(timeout.plusMillis(1500)) < 0, "took " + took);
    String[] both = Files.readString(pids).trim().split(" ");
    long agent = Long.parseLong(both[0]);
    long child = Long.parseLong(both[1]);
    assertTrue(FenceTestFiles.await(1000, () -> !alive(agent) && !alive(child)),
        "agent " + agent + " alive=" + alive(agent) + ", child " + child + " alive=" + alive(child));
  }

  @Test
  void badInputIsRejectedWithoutNamingSecrets() throws Exception {
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> FenceAgentRunner.run(fake, "status", params("password", SECRET + "\nplug=x"), Duration.ofSeconds(5)));
    assertFalse(bad.getMessage().contains(SECRET), bad.getMessage());
    assertTrue(bad.getMessage().contains("password"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FenceAgentRunner.run(fake, "explode", params(), Duration.ofSeconds(5)));
    IOException missing = assertThrows(IOException.class,
        () -> FenceAgentRunner.run(dir.resolve("fence_nothing"), "status", params(), Duration.ofSeconds(5)));
    assertFalse(missing.getMessage().contains(SECRET));
  }

  @Test
  void secretsComeFromAFileOrTheEnvironment() throws Exception {
    Path file = dir.resolve("ilo.secret");
    Files.writeString(file, SECRET + "\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> fromFile = FenceAgentRunner.withSecrets(Map.of("ip", "127.0.0.1", "password-file", file.toString()));
    assertEquals(SECRET, fromFile.get("password"));
    assertFalse(fromFile.containsKey("password-file"));
    assertEquals("127.0.0.1", fromFile.get("ip"));

    String home = System.getenv("HOME");
    if (home != null && !home.isEmpty()) {
      assertEquals(home, FenceAgentRunner.withSecrets(Map.of("password-env", "HOME")).get("password"));
    }
    IOException unset = assertThrows(IOException.class,
        () -> FenceAgentRunner.withSecrets(Map.of("password-env", "XENHA_TEST_SURELY_UNSET_VAR")));
    assertTrue(unset.getMessage().contains("XENHA_TEST_SURELY_UNSET_VAR"));
    assertThrows(IOException.class, () -> FenceAgentRunner.withSecrets(Map.of("password-file", dir.resolve("nope").toString())));
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
        () -> FenceAgentRunner.withSecrets(Map.of("password", SECRET, "password-file", file.toString())));
    assertFalse(both.getMessage().contains(SECRET));
    Map<String, String> plain = Map.of("ip", "127.0.0.1");
    assertEquals(plain, FenceAgentRunner.withSecrets(plain));
  }

  @Test
  void stdinCarriesTheActionFirstAndNeverTheSecretReferences() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("action", "on");
    p.put("ip", "127.0.0.1");
    p.put("password-file", "/etc/xenha/x.secret");
    assertEquals("action=off\nip=127.0.0.1\n", FenceAgentRunner.stdin("off", p));
    assertEquals("a **** b ****", FenceAgentRunner.mask("a " + SECRET + " b " + SECRET, FenceAgentRunner.secretValues(Map.of("passwd", SECRET))));
    assertEquals("a **** b", FenceAgentRunner.mask("a " + SECRET + " b", FenceAgentRunner.secretValues(Map.of("passwd", SECRET))));
  }

  @Test
  void agentNamesResolveToSbin() {
    assertEquals(Path.of("/usr/sbin/fence_ipmilan"), FenceAgentRunner.resolve("fence_ipmilan"));
    assertEquals(Path.of("/opt/fence/fence_x"), FenceAgentRunner.resolve("/opt/fence/fence_x"));
    assertThrows(IllegalArgumentException.class, () -> FenceAgentRunner.resolve("fence ipmilan; rm"));
  }
}
