package io.xenha.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OcfAgentRunnerTest {

  private static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
  private static final Duration T = Duration.ofSeconds(20);

  @TempDir Path dir;
  private Path state;
  private Path agent;

  @BeforeEach
  void setUp() throws IOException {
    state = dir.resolve("state");
    agent = executable("test-agent.sh");
  }

  private static void assumeResourceAgents() {
    assumeTrue(Files.isExecutable(DUMMY),
        "resource-agents is not installed (" + DUMMY + " missing; apt-get install resource-agents): skipped");
  }

  @Test
  void resolvesAgentNames() {
    Path root = Path.of("/opt/ocf");
    assertEquals(Path.of("/opt/ocf/resource.d/heartbeat/Dummy"), OcfAgentRunner.resolve("heartbeat:Dummy", root));
    assertEquals(Path.of("/opt/ocf/resource.d/heartbeat/LVM-activate"),
        OcfAgentRunner.resolve("ocf:heartbeat:LVM-activate", root));
    assertEquals(Path.of("/srv/agents/mine"), OcfAgentRunner.resolve("/srv/agents/mine", root));
    for (String bad : List.of("Dummy", "lsb:heartbeat:Dummy", "heartbeat:../../bin/sh", "..:Dummy", "heartbeat:",
        "a:b:c:d")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OcfAgentRunner.resolve(bad, root));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void dummyMetadataIsParsed() {
    assumeResourceAgents();
    OcfAgentRunner.Metadata md = OcfAgentRunner.metadata(OcfAgentRunner.resolve("ocf:heartbeat:Dummy",
        OcfAgentRunner.DEFAULT_OCF_ROOT), T, state);
    OcfAgentRunner.Metadata.Parameter st = md.parameter("state");
    assertTrue(st != null && st.unique() && !st.required(), String.valueOf(st));
    assertEquals("State file", st.shortDesc());
    assertTrue(st.defaultValue().endsWith(".state"), st.defaultValue());
    for (String a : List.of("start", "stop", "monitor", "reload", "migrate_to", "migrate_from", "meta-data",
        "validate-all")) {
      assertTrue(md.action(a) != null, "action " + a + " in " + md.actions());
    }
    assertEquals(Duration.ofSeconds(20), md.action("start").timeout());
    assertEquals(Duration.ofSeconds(10), md.action("monitor").interval());
    assertEquals(Duration.ZERO, md.action("stop").interval());
    assertEquals(List.of(), OcfAgentRunner.checkParams(md, Map.of("state", "/tmp/x")));
    List<String> unknown = OcfAgentRunner.checkParams(md, Map.of("stat", "/tmp/x"));
    assertEquals(1, unknown.size(), unknown.toString());
    assertTrue(unknown.get(0).startsWith("warning: unknown parameter 'stat'"), unknown.get(0));
  }

  @Test
  void dummyStartsMonitorsAndStops() {
    assumeResourceAgents();
    Map<String, String> params = Map.of("state", dir.resolve("dummy.state").toString());
    Map<String, String> recurring = Map.of("interval", "10000");
    Map<String, String> once = Map.of("interval", "0");

    OcfOutcome probe = OcfAgentRunner.run(DUMMY, "monitor", "d1", params, once, T, state);
    assertEquals(OcfResult.NOT_RUNNING, probe.result(), probe.summary());
    assertTrue(probe.summary().startsWith("d1 (Dummy) probe: not running in "), probe.summary());

    OcfOutcome start = OcfAgentRunner.run(DUMMY, "start", "d1", params, once, T, state);
    assertEquals(OcfResult.SUCCESS, start.result(), start.summary());
    assertTrue(start.ok());
    assertEquals(0, start.exitCode());
    assertEquals("start", start.action());

    OcfOutcome up = OcfAgentRunner.run(DUMMY, "monitor", "d1", params, recurring, T, state);
    assertEquals(OcfResult.SUCCESS, up.result(), up.summary());
    assertTrue(up.summary().startsWith("d1 (Dummy) monitor: running in "), up.summary());

    OcfOutcome stop = OcfAgentRunner.run(DUMMY, "stop", "d1", params, once, T, state);
    assertEquals(OcfResult.SUCCESS, stop.result(), stop.summary());

    OcfOutcome down = OcfAgentRunner.run(DUMMY, "monitor", "d1", params, recurring, T, state);
    assertEquals(OcfResult.NOT_RUNNING, down.result(), down.summary());
    assertEquals(7, down.exitCode());
    // a recurring monitor gets Dummy's exit reason, which the summary carries
    assertTrue(down.summary().contains("(No process state file found)"), down.summary());
    assertTrue(down.took().compareTo(T) < 0);
  }

  @Test
  void dummyKeepsItsDefaultStateUnderHaRsctmp() throws IOException {
    assumeResourceAgents();
    OcfOutcome start = OcfAgentRunner.run(DUMMY, "start", "d2", Map.of(), Map.of(), T, state);
    assertEquals(OcfResult.SUCCESS, start.result(), start.summary());
    assertTrue(Files.exists(state.resolve("rsctmp").resolve("Dummy-d2.state")));
    assertEquals(OcfResult.SUCCESS, OcfAgentRunner.run(DUMMY, "stop", "d2", Map.of(), Map.of(), T, state).result());
    assertFalse(Files.exists(state.resolve("rsctmp").resolve("Dummy-d2.state")));
  }

  @Test
  void dummyValidatesItsParameters() {
    assumeResourceAgents();
    OcfOutcome ok = OcfAgentRunner.run(DUMMY, "validate-all", "d1", Map.of("state", dir.resolve("s").toString()),
        Map.of(), T, state);
    assertEquals(OcfResult.SUCCESS, ok.result(), ok.summary());
    OcfOutcome bad = OcfAgentRunner.run(DUMMY, "validate-all", "d1",
        Map.of("state", dir.resolve("no/such/dir/s").toString()), Map.of(), T, state);
    assertEquals(OcfResult.ERR_ARGS, bad.result(), bad.summary());
    assertTrue(bad.result().hard());
    assertTrue(bad.summary().contains("failed (exit 2 ERR_ARGS)") && bad.summary().contains("is not writable"),
        bad.summary());
  }

  @Test
  void aHangingStartIsKilledWithItsChildAtTheTimeout() throws Exception {
    Path pids = dir.resolve("hang.pids");
    Duration timeout = Duration.ofSeconds(1);
    long t0 = System.nanoTime();
    OcfOutcome o = OcfAgentRunner.run(agent, "start", "h1", Map.of("mode", "hang", "file", pids.toString()),
        Map.of(), timeout, state);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertEquals(OcfResult.TIMED_OUT, o.result(), o.summary());
    assertEquals(-1, o.exitCode());
    assertFalse(o.result().hard());
    assertEquals("h1 (test-agent.sh) start: timed out after 1s, killed", o.summary());
    assertTrue(took.compareTo(timeout.plusMillis(1500)) < 0, "took " + took);
    String[] both = Files.readString(pids).trim().split(" ");
    long sh = Long.parseLong(both[0]);
    long child = Long.parseLong(both[1]);
    assertTrue(await(2000, () -> !alive(sh) && !alive(child)),
        "agent " + sh + " alive=" + alive(sh) + ", child " + child + " alive=" + alive(child));
  }

  @Test
  void exit6IsAHardConfigurationErrorAndSecretsAreMasked() {
    String secret = "s3cr3t-Pa55";
    OcfOutcome o = OcfAgentRunner.run(agent, "start", "c1", Map.of("mode", "configured", "password", secret),
        Map.of(), T, state);
    assertEquals(OcfResult.ERR_CONFIGURED, o.result(), o.summary());
    assertEquals(6, o.exitCode());
    assertTrue(o.result().hard());
    assertTrue(o.summary().contains("failed (exit 6 ERR_CONFIGURED)"), o.summary());
    assertTrue(o.summary().endsWith(": password **** is not accepted"), o.summary());
    assertFalse(o.summary().contains(secret), o.summary());
  }

  @Test
  void aPasswordFileBecomesThePasswordParameter() throws IOException {
    String secret = "from-a-file-42";
    Path file = dir.resolve("agent.secret");
    Files.writeString(file, secret + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    OcfOutcome o = OcfAgentRunner.run(agent, "start", "c2", Map.of("mode", "configured", "password-file",
        file.toString()), Map.of(), T, state);
    // the agent repeated the file's content, which the summary masks
    assertTrue(o.summary().endsWith(": password **** is not accepted"), o.summary());
    assertFalse(o.summary().contains(secret), o.summary());

    OcfOutcome missing = OcfAgentRunner.run(agent, "start", "c2", Map.of("mode", "configured", "password-file",
        dir.resolve("gone.secret").toString()), Map.of(), T, state);
    assertEquals(OcfResult.ERR_CONFIGURED, missing.result(), missing.summary());
    assertTrue(missing.summary().contains("gone.secret does not exist"), missing.summary());
  }

  @Test
  void anUndefinedExitCodeIsUnknownAndSoft() {
    OcfOutcome o = OcfAgentRunner.run(agent, "monitor", "u1", Map.of("mode", "odd"), Map.of("interval", "5s"), T,
        state);
    assertEquals(OcfResult.UNKNOWN, o.result());
    assertEquals(42, o.exitCode());
    assertFalse(o.result().hard());
    assertTrue(o.summary().matches("u1 \\(test-agent\\.sh\\) monitor: failed \\(exit 42\\) in [0-9.]+s: something unexpected"),
        o.summary());
  }

  @Test
  void lotsOfOutputIsBounded() throws Exception {
    OcfOutcome o = OcfAgentRunner.run(agent, "start", "v1", Map.of("mode", "chatty"), Map.of(), T, state);
    assertEquals(OcfResult.SUCCESS, o.result(), o.summary());
    assertTrue(o.summary().length() < 400, o.summary());
    // the capture itself: the first 64 KiB of each stream, the rest drained and dropped
    Map<String, String> env = OcfAgentRunner.environment(agent, "v1", Map.of("mode", "chatty"), Map.of(), T);
    AgentProcess.Exec e = AgentProcess.run(agent, "start", env, T, OcfAgentRunner.MAX_OUTPUT);
    assertEquals(0, e.exitCode());
    String marker = "\n[output truncated at " + OcfAgentRunner.MAX_OUTPUT + " bytes]";
    assertTrue(e.stdout().endsWith(marker) && e.stderr().endsWith(marker));
    assertEquals(OcfAgentRunner.MAX_OUTPUT + marker.length(), e.stdout().length());
    assertTrue(e.stdout().startsWith("line 0 of a very chatty agent"));
  }

  @Test
  void requiredParametersComeFromTheAgentsMetadata() {
    OcfAgentRunner.Metadata md = OcfAgentRunner.metadata(agent, T, state);
    assertEquals(List.of("mode", "file", "password"), md.parameters().stream().map(p -> p.name()).toList());
    assertTrue(md.parameter("mode").required());
    assertTrue(md.parameter("file").unique());
    assertEquals("", md.parameter("file").defaultValue());
    assertNull(md.parameter("password").defaultValue());
    assertEquals(Duration.ofSeconds(10), md.action("monitor").timeout());
    assertEquals(Duration.ofSeconds(5), md.action("monitor").interval());
    assertEquals(Duration.ofMinutes(2), md.action("validate-all").timeout());

    assertEquals(List.of("missing required parameter 'mode' (What to do)"), OcfAgentRunner.checkParams(md, Map.of()));
    assertEquals(List.of("required parameter 'mode' is empty (What to do)"),
        OcfAgentRunner.checkParams(md, Map.of("mode", " ")));
    List<String> p = OcfAgentRunner.checkParams(md, Map.of("mode", "env", "modus", "x"));
    assertEquals(List.of("warning: unknown parameter 'modus': the agent does not declare it (it declares: mode, file,"
        + " password)"), p);
  }

  @Test
  void theAgentSeesACleanOcfEnvironment() throws IOException {
    Path out = dir.resolve("env.txt");
    Map<String, String> params = new HashMap<>(Map.of("mode", "env", "file", out.toString(), "with-dash", "a b"));
    Map<String, String> meta = Map.of("clone-max", "2", "clone", "1", "notify_type", "pre", "interval", "0");
    OcfOutcome o = OcfAgentRunner.run(agent, "start", "vm1:1", params, meta, Duration.ofMillis(3000), state);
    assertEquals(OcfResult.SUCCESS, o.result(), o.summary());
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(out)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    assertEquals("env", env.get("OCF_RESKEY_mode"));
    assertEquals(out.toString(), env.get("OCF_RESKEY_file"));
    assertEquals("a b", env.get("OCF_RESKEY_with-dash"));
    assertEquals("3000", env.get("OCF_RESKEY_CRM_meta_timeout"));
    assertEquals("2", env.get("OCF_RESKEY_CRM_meta_clone_max"));
    assertEquals("1", env.get("OCF_RESKEY_CRM_meta_clone"));
    assertEquals("pre", env.get("OCF_RESKEY_CRM_meta_notify_type"));
    assertEquals("0", env.get("OCF_RESKEY_CRM_meta_interval"));
    assertEquals("vm1:1", env.get("OCF_RESOURCE_INSTANCE"));
    assertEquals("test-agent.sh", env.get("OCF_RESOURCE_TYPE"));
    assertEquals("/usr/lib/ocf", env.get("OCF_ROOT"));
    assertEquals("/usr/sbin:/usr/bin:/sbin:/bin", env.get("PATH"));
    Path rsctmp = state.toAbsolutePath().resolve("rsctmp");
    assertEquals(rsctmp.toString(), env.get("HA_RSCTMP"));
    assertTrue(Files.isDirectory(rsctmp));
    assertEquals("/", env.get("xenha_test_cwd"));
    assertEquals("eof", env.get("xenha_test_stdin"));
    assertEquals("start", env.get("xenha_test_action"));
    assertNull(env.get("OCF_RESOURCE_PROVIDER"), "not inside an OCF tree");
    // nothing of the JVM's environment leaks in: these are all the agent gets
    assertEquals(java.util.Set.of("PATH", "OCF_ROOT", "OCF_RA_VERSION_MAJOR", "OCF_RA_VERSION_MINOR",
        "OCF_RESOURCE_TYPE", "OCF_RESOURCE_INSTANCE", "OCF_RESKEY_mode", "OCF_RESKEY_file", "OCF_RESKEY_with-dash",
        "OCF_RESKEY_CRM_meta_clone_max", "OCF_RESKEY_CRM_meta_clone", "OCF_RESKEY_CRM_meta_notify_type",
        "OCF_RESKEY_CRM_meta_interval", "OCF_RESKEY_CRM_meta_timeout", "HA_RSCTMP", "xenha_test_cwd",
        "xenha_test_stdin", "xenha_test_action"), env.keySet());
  }

  @Test
  void aStandardAgentGetsItsProviderAndRoot() {
    Path a = Path.of("/opt/ocf/resource.d/acme/Thing");
    Map<String, String> env = OcfAgentRunner.environment(a, "t", Map.of(), Map.of("timeout", "5000"), T);
    assertEquals("/opt/ocf", env.get("OCF_ROOT"));
    assertEquals("acme", env.get("OCF_RESOURCE_PROVIDER"));
    assertEquals("Thing", env.get("OCF_RESOURCE_TYPE"));
    assertEquals("5000", env.get("OCF_RESKEY_CRM_meta_timeout"), "a given timeout meta wins");
  }

  @Test
  void aMissingAgentIsNotInstalledAndBadInputIsRejected() {
    OcfOutcome o = OcfAgentRunner.run(dir.resolve("nothing"), "start", "m1", Map.of(), Map.of(), T, state);
    assertEquals(OcfResult.ERR_INSTALLED, o.result());
    assertTrue(o.result().hard());
    assertTrue(o.summary().contains("not installed"), o.summary());
    IllegalStateException md = assertThrows(IllegalStateException.class,
        () -> OcfAgentRunner.metadata(dir.resolve("nothing"), T, state));
    assertTrue(md.getMessage().contains("nothing meta-data: not installed"), md.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> OcfAgentRunner.run(agent, "explode", "x", Map.of(), Map.of(), T, state));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> OcfAgentRunner.run(agent, "start", "x", Map.of("a=b", "v"), Map.of(), T, state));
    assertTrue(bad.getMessage().contains("'a=b'"), bad.getMessage());
    IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
        () -> OcfAgentRunner.run(agent, "start", "x", Map.of("password", "se\0cret"), Map.of(), T, state));
    assertFalse(nul.getMessage().contains("cret"), nul.getMessage());
  }

  @Test
  void metadataThatIsNotOcfIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> OcfAgentRunner.parseMetadata("<nope/>"));
    assertThrows(IllegalArgumentException.class, () -> OcfAgentRunner.parseMetadata("usage: foo"));
    // an entity that would read a local file is never expanded
    String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + "<resource-agent><parameters><parameter name=\"p\"><shortdesc>&x;</shortdesc></parameter></parameters>"
        + "</resource-agent>";
    try {
      OcfAgentRunner.Metadata md = OcfAgentRunner.parseMetadata(xxe);
      String d = md.parameter("p").shortDesc();
      assertFalse(d != null && d.contains("root:"), d);
    } catch (IllegalArgumentException refused) {
      // refusing it is as good
    }
  }

  @Test
  void durationsInPacemakersSpellings() {
    assertEquals(Duration.ofSeconds(20), OcfAgentRunner.parseDuration("20"));
    assertEquals(Duration.ofSeconds(20), OcfAgentRunner.parseDuration("20s"));
    assertEquals(Duration.ofMillis(500), OcfAgentRunner.parseDuration("500ms"));
    assertEquals(Duration.ofMinutes(2), OcfAgentRunner.parseDuration("2min"));
    assertEquals(Duration.ofMinutes(2), OcfAgentRunner.parseDuration("2m"));
    assertEquals(Duration.ofHours(1), OcfAgentRunner.parseDuration("1h"));
    assertEquals(Duration.ofSeconds(90), OcfAgentRunner.parseDuration("PT90S"));
    assertNull(OcfAgentRunner.parseDuration(""));
    assertNull(OcfAgentRunner.parseDuration("soon"));
  }

  @Test
  void exitCodesMeanWhatPacemakerSays() {
    assertEquals(OcfResult.SUCCESS, OcfResult.of(0));
    assertEquals(OcfResult.NOT_RUNNING, OcfResult.of(7));
    assertEquals(OcfResult.FAILED_PROMOTED, OcfResult.of(9));
    assertEquals(OcfResult.UNKNOWN, OcfResult.of(10));
    assertEquals(OcfResult.UNKNOWN, OcfResult.of(-1));
    for (OcfResult r : OcfResult.values()) {
      assertEquals(r == OcfResult.ERR_ARGS || r == OcfResult.ERR_INSTALLED || r == OcfResult.ERR_CONFIGURED, r.hard(),
          r.name());
      if (r.code() >= 0) {
        assertEquals(r, OcfResult.of(r.code()));
      }
    }
  }

  @Test
  void haRsctmpIsEmptiedAfterAReboot() throws IOException {
    assumeTrue(Files.isReadable(Path.of("/proc/sys/kernel/random/boot_id")), "no boot id (not Linux)");
    Path rsctmp = OcfAgentRunner.rscTmp(state);
    Path marker = rsctmp.resolve("Dummy-x.state");
    Files.writeString(marker, "");
    assertEquals(rsctmp, OcfAgentRunner.rscTmp(state));
    assertTrue(Files.exists(marker), "same boot: kept");
    Files.writeString(rsctmp.resolve(".xenha-boot-id"), "another-boot\n");
    Files.createDirectories(rsctmp.resolve("sub"));
    OcfAgentRunner.rscTmp(state);
    assertFalse(Files.exists(marker), "after a reboot the running-markers are gone");
    assertFalse(Files.exists(rsctmp.resolve("sub")));
  }

  // ---- helpers ----

  private Path executable(String name) throws IOException {
    try (InputStream in = OcfAgentRunnerTest.class.getResourceAsStream("/agents/" + name)) {
      if (in == null) {
        throw new IOException("test resource agents/" + name + " missing");
      }
      Path p = dir.resolve(name);
      // build copies may lose the exec bit
      Files.writeString(p, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
      return p;
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(AgentProcess::running).orElse(false);
  }

  /** Polls until the condition holds or the deadline passes; returns whether it held. */
  private static boolean await(long millis, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
