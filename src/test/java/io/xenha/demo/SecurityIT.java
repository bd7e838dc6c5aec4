package io.xenha.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xenha.Main;
import io.xenha.cli.DemoCluster;
import io.xenha.security.CliCredentials;
import io.xenha.security.Security;
import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusJson;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xenha demo` as a user runs it, secured: the agents talk mutual TLS with a CA made for the run; the README's
 * commands work for the user who started it without any option; another local user (nobody) is refused; no process
 * can attach to an agent; the JMX port serves no platform bean; and no password, key or credential shows up in any
 * output: logs, status, export, history, command lines, the journal, error messages. Ports: cluster 27751-27753,
 * JMX 30751-30753 (used by no other test).
 */
class SecurityIT {

  static final int CLUSTER = 27751;
  static final int JMX = 30751;
  Process demo;
  final List<String> demoOut = new CopyOnWriteArrayList<>();
  String registry;

  @AfterEach
  void stop() throws Exception {
    if (demo != null && demo.isAlive()) {
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) demo.destroyForcibly();
    }
    if (registry == null) System.clearProperty("xenha.demo-registry");
  }

  record Run(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run xenha(String... args) {
    io.xenha.cli.CliRun.Run r = io.xenha.cli.CliRun.xenha(args);
    return new Run(r.code(), r.out(), r.err());
  }

  static Run exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd + " did not end");
    return new Run(p.exitValue(), out, err);
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  @Test
  void theDemoIsSecureForItsUserClosedToOthersAndLeaksNoSecret(@TempDir Path dir) throws Exception {
    Path demoDir = dir.resolve("demo");
    Path reg = dir.resolve("registry");
    registry = System.getProperty("xenha.demo-registry");
    System.setProperty("xenha.demo-registry", reg.toString());
    demo = new ProcessBuilder(java(), "-XX:+DisableAttachMechanism", "-Dxenha.demo-registry=" + reg, "-cp",
        System.getProperty("java.class.path"), "io.xenha.Main", "demo", "--nodes", "3", "--base-port",
        Integer.toString(CLUSTER), "--jmx-base-port", Integer.toString(JMX), "--dir", demoDir.toString())
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) demoOut.add(line);
      } catch (IOException e) {
        // the demo ended
      }
    }, "demo-output");
    reader.setDaemon(true);
    reader.start();
    String at = "127.0.0.1:" + JMX;

    // the README's quick tour, unchanged: the CLI finds the demo's credentials on its own
    ClusterStatus settled = awaitSettled(at, Duration.ofSeconds(120));
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String line : demoOut) {
      String[] f = line.split(" ");
      if (f.length >= 4 && f[0].equals("node") && f[2].equals("pid")) pids.put(f[1], Long.parseLong(f[3]));
    }
    assertEquals(3, pids.size(), demoOut::toString);
    assertTrue(demoOut.stream().anyMatch(l -> l.contains("mutual TLS between the agents")), demoOut::toString);
    Run text = xenha("status", "--jmx", at);
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("node1") && !text.out().contains("INSECURE"), text.out());
    Run json = xenha("status", "--json", "--jmx", "127.0.0.1:" + (JMX + 1));
    assertEquals(0, json.code(), json.err());
    Run history = xenha("history", "--jmx", at);
    assertEquals(0, history.code(), history.err());
    Run historyJson = xenha("history", "--json", "--jmx", at);
    Run export = xenha("export", "--jmx", at);
    assertEquals(0, export.code(), export.err());
    Run standby = xenha("node", "standby", "node3", "--jmx", at);
    assertEquals(0, standby.code(), standby.err());
    assertEquals(0, xenha("node", "online", "node3", "--jmx", at).code());

    // another local user: no credentials anywhere it can read
    Path jar = Path.of("target", "xenha.jar").toAbsolutePath();
    assumeTrue(Files.isReadable(jar) && onPath("runuser"), "needs target/xenha.jar (mvn package) and runuser");
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jarCopy = Files.copy(jar, shared.resolve("xenha.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(jarCopy, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> asNobody = List.of("runuser", "-u", "nobody", "--", java(), "-jar", jarCopy.toString());
    Run nobodyStatus = exec(concat(asNobody, "status", "--jmx", at));
    assertEquals(1, nobodyStatus.code(), nobodyStatus.all());
    assertEquals("xenha status: refused: no credentials: /etc/xenha/cli.credentials (the default) does not exist (a user"
        + " with the monitor or admin role: give --credentials FILE or set XENHA_CREDENTIALS)\n", nobodyStatus.err());
    Run nobodyFence = exec(concat(asNobody, "fence", "node3", "--yes", "--jmx", at));
    assertEquals(1, nobodyFence.code(), nobodyFence.all());
    assertTrue(nobodyFence.err().startsWith("xenha fence node3: refused: no credentials"), nobodyFence.err());
    Run nobodyDemoFile = exec(concat(asNobody, "status", "--jmx", at, "--credentials",
        demoDir.resolve("keys/cli.credentials").toString()));
    assertEquals(1, nobodyDemoFile.code(), nobodyDemoFile.all());
    assertTrue(nobodyDemoFile.err().contains("permission denied reading " + demoDir.resolve("keys/cli.credentials")),
        nobodyDemoFile.err());
    // a guessed password: refused, and the agent logs the attempt (not the password)
    Path guess = shared.resolve("guess.credentials");
    Files.writeString(guess, "user = admin\npassword = Guessed-Pa55word-41\n");
    Files.setPosixFilePermissions(guess, PosixFilePermissions.fromString("rw-r--r--"));
    Run guessed = exec(concat(asNobody, "node", "standby", "node2", "--jmx", at, "--credentials", guess.toString()));
    assertEquals(1, guessed.code(), guessed.all());
    assertTrue(guessed.err().contains("refused: authentication failed: unknown user or wrong password"), guessed.err());
    assertTrue(awaitLog(demoDir.resolve("node1/agent.log"), "JMX: authentication failed for user 'admin' from 127.0.0.1"),
        "the failed login is in node1's log");
    assertEquals(List.of("online", "online", "online"), xenhaStatus(at).nodes().stream().map(ClusterStatus.NodeStatus::state)
        .toList(), "nothing changed");

    // nobody can attach to an agent to load code into it (root neither)
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Files.isExecutable(jcmd)) {
      Run attach = exec(List.of(jcmd.toString(), Long.toString(pids.get("node1")), "VM.version"));
      assertNotEquals(0, attach.code(), attach.all());
      assertTrue(attach.all().contains("does not support the attach mechanism"), attach.all());
    }
    // the JMX port serves xenha's beans only
    CliCredentials admin = CliCredentials.read(demoDir.resolve("keys/cli.credentials"));
    try (var c = Security.connect("127.0.0.1", JMX, Duration.ofSeconds(5), admin)) {
      assertFalse(c.connection().isRegistered(new ObjectName("java.lang:type=Runtime")));
      assertFalse(c.connection().isRegistered(new ObjectName("com.sun.management:type=DiagnosticCommand")));
      assertTrue(c.connection().queryNames(new ObjectName("pekko*:*"), null).isEmpty());
    }

    // no secret anywhere: every output of the run
    List<String> secrets = new ArrayList<>();
    secrets.add(admin.password());
    secrets.add(CliCredentials.read(demoDir.resolve("keys/monitor.credentials")).password());
    secrets.add("Guessed-Pa55word-41");
    for (String line : Files.readAllLines(demoDir.resolve("keys/jmx.credentials"))) {
      if (!line.startsWith("#")) secrets.add(line.split(" ")[2]);
    }
    for (String n : pids.keySet()) {
      String body = Files.readAllLines(demoDir.resolve("keys/" + n + ".key")).stream().filter(l -> !l.startsWith("-----"))
          .reduce("", String::concat);
      secrets.add(body.substring(0, 40));
      secrets.add(body.substring(body.length() - 40));
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("status", text.all());
    outputs.put("status --json", json.all());
    outputs.put("history", history.all());
    outputs.put("history --json", historyJson.all());
    outputs.put("export", export.all());
    outputs.put("node standby", standby.all());
    outputs.put("nobody", nobodyStatus.all() + nobodyFence.all() + nobodyDemoFile.all() + guessed.all());
    outputs.put("ps", exec(List.of("ps", "-eo", "args")).out());
    outputs.put("demo output", String.join("\n", demoOut));
    for (String n : pids.keySet()) {
      try (Stream<Path> files = Files.walk(demoDir.resolve(n))) {
        // the agent's log, its journal (H2), its Distributed Data store, its start script
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          outputs.put(demoDir.relativize(f).toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    }
    assertTrue(outputs.keySet().stream().anyMatch(k -> k.contains("journal")), "the journal is among them: " + outputs.keySet());
    for (Map.Entry<String, String> o : outputs.entrySet()) {
      for (String s : secrets) {
        assertFalse(o.getValue().contains(s), "a secret in " + o.getKey());
      }
    }

    // Ctrl-C: the demo stops and forgets its credentials
    demo.destroy();
    assertTrue(demo.waitFor(60, TimeUnit.SECONDS));
    try (Stream<Path> left = Files.list(reg)) {
      assertEquals(List.of(), left.toList(), "the demo's record is gone");
    }
  }

  static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  ClusterStatus xenhaStatus(String at) {
    Run r = xenha("status", "--json", "--jmx", at);
    if (r.code() != 0) throw new IllegalStateException(r.err());
    return StatusJson.fromJson(r.out());
  }

  ClusterStatus awaitSettled(String at, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      assertTrue(demo.isAlive(), "the demo stopped: " + demoOut);
      try {
        ClusterStatus s = xenhaStatus(at);
        if (DemoCluster.settled(s)) return s;
        last = s.toString();
      } catch (RuntimeException e) {
        last = e.getMessage();
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the demo did not settle within " + max + ": " + last + "\n" + demoOut);
  }

  static boolean awaitLog(Path log, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) return true;
      Thread.sleep(100);
    }
    return false;
  }
}
