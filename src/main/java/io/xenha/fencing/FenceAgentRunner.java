package io.xenha.fencing;

import io.xenha.agents.OutputCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real fence agent (fence-agents: fence_ipmilan, fence_ilo*, fence_redfish, ...) over the standard stdin
 * protocol: {@code action=...} and {@code key=value} lines on stdin, exit 0 = success, 1 = failure, and for
 * {@code status} 0 = on, 2 = off.
 */
public final class FenceAgentRunner {

  /** The result of one run; {@code summary} is one line for the history and never contains a secret. */
  public record Outcome(boolean ok, int exitCode, String action, String summary) {}

  public static final Set<String> ACTIONS = Set.of("off", "on", "reboot", "status", "monitor", "list");
  /** Exit code of {@code status} when the target is off. */
  public static final int STATUS_OFF = 2;
  /** exitCode of an Outcome whose agent was killed at its timeout. */
  public static final int TIMED_OUT = -1;

  static final int MAX_OUTPUT = 64 * 1024;
  static final String MASK = "****";
  static final List<Path> SEARCH_PATH = List.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/local/sbin"),
      Path.of("/usr/bin"));

  private static final Logger log = LoggerFactory.getLogger(FenceAgentRunner.class);
  private static final Pattern AGENT_NAME = Pattern.compile("[A-Za-z0-9_.+-]+");
  // the timestamp and level fence-agents' logging puts before each message
  private static final Pattern LOG_PREFIX = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d+ \\w+: ");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  // how long killed processes get to disappear, and leftovers holding the output pipes open after the agent exited
  private static final Duration REAP = Duration.ofSeconds(2);

  private FenceAgentRunner() {}

  /** Runs `agentPath` with the given action and parameters on stdin. Blocking: callers run it on the blocking dispatcher. */
  public static Outcome run(Path agentPath, String action, Map<String, String> params, Duration timeout)
      throws IOException, InterruptedException {
    if (!ACTIONS.contains(action)) {
      throw new IllegalArgumentException("unknown fence action '" + action + "', expected one of " + ACTIONS);
    }
    if (!Files.isRegularFile(agentPath) || !Files.isExecutable(agentPath)) {
      throw new IOException("fence agent " + agentPath + " is missing or not executable");
    }
    Map<String, String> p = params;
    if (!params.containsKey("verbose")) {
      // the agent's verbose output carries its tool's own error (captured, masked, logged at debug); verbose=0 opts out
      p = new LinkedHashMap<>(params);
      p.put("verbose", "1");
    }
    String input = stdin(action, p);
    List<String> secrets = secretValues(params);
    String name = agentPath.getFileName().toString();
    long deadline = System.nanoTime() + timeout.toNanos();

    if (action.equals("off") || action.equals("reboot")) {
      // a target the device reports off is fenced already: powering it on (reboot) or failing to reach a dead PSU
      // would only risk turning a success into a failure
      Exec status = exec(agentPath, "status", stdin("status", p), secrets, deadline);
      if (status.timedOut()) {
        return timedOut(name, action, timeout);
      }
      if (status.exitCode() == STATUS_OFF) {
        return new Outcome(true, 0, action, name + " " + action + ": already off (the device reports the target off)");
      }
    }
    Exec run = exec(agentPath, action, input, secrets, deadline);
    if (run.timedOut()) {
      return timedOut(name, action, timeout);
    }
    return outcome(name, action, run, secrets);
  }

  /** Resolves "fence_ipmilan" to /usr/sbin/fence_ipmilan (or the path given). */
  public static Path resolve(String agent) {
    if (agent.contains("/")) {
      return Path.of(agent);
    }
    if (!AGENT_NAME.matcher(agent).matches()) {
      throw new IllegalArgumentException("bad fence agent name '" + agent + "': give a name like fence_ipmilan or a path");
    }
    for (Path dir : SEARCH_PATH) {
      Path p = dir.resolve(agent);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return SEARCH_PATH.get(0).resolve(agent); // run() then reports it missing
  }

  /** Reads a secret: params may give password-file=PATH or password-env=VAR; the password is never in logs, outcomes or exceptions. */
  public static Map<String, String> withSecrets(Map<String, String> params) throws IOException {
    String file = params.get("password-file");
    String env = params.get("password-env");
    if (file == null && env == null) {
      return params;
    }
    int given = (file != null ? 1 : 0) + (env != null ? 1 : 0) + (params.containsKey("password") ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("give only one of password, password-file and password-env");
    }
    String password;
    if (file != null) {
      Path p = Path.of(file);
      try {
        password = Files.readString(p, StandardCharsets.UTF_8);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IOException("password-file " + p + " does not exist", e);
      } catch (java.nio.file.AccessDeniedException e) {
        throw new IOException("password-file " + p + ": permission denied", e);
      } catch (IOException e) {
        // an I/O error names the path at most, never the content
        throw new IOException("cannot read password-file " + p + ": " + e.getMessage(), e);
      }
      warnIfReadableByOthers(p);
      password = stripTrailingNewlines(password);
    } else {
      password = System.getenv(env);
      if (password == null) {
        throw new IOException("password-env: environment variable " + env + " is not set");
      }
    }
    if (password.isEmpty()) {
      throw new IOException("the password from " + (file != null ? "password-file " + file : "password-env " + env)
          + " is empty");
    }
    Map<String, String> out = new LinkedHashMap<>(params);
    out.remove("password-file");
    out.remove("password-env");
    out.put("password", password);
    return out;
  }

  /** The stdin an agent gets: action first, then the parameters, one key=value a line. */
  static String stdin(String action, Map<String, String> params) {
    StringBuilder sb = new StringBuilder("action=").append(action).append('\n');
    params.forEach((k, v) -> {
      if (k.equals("action") || k.equals("password-file") || k.equals("password-env")) {
        return; // the runner's action wins; secret references are resolved by withSecrets
      }
      if (!AGENT_NAME.matcher(k).matches()) {
        throw new IllegalArgumentException("bad fence parameter name '" + k + "'");
      }
      if (v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        // a newline would smuggle in another key; the value may be secret, so name the key only
        throw new IllegalArgumentException("fence parameter " + k + " contains a line break");
      }
      sb.append(k).append('=').append(v).append('\n');
    });
    return sb.toString();
  }

  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("passw") || k.contains("secret") || k.contains("community") || k.equals("hexadecimal_kg")
        || k.endsWith("_kg") || k.contains("token");
  }

  static List<String> secretValues(Map<String, String> params) {
    List<String> out = new ArrayList<>();
    params.forEach((k, v) -> {
      if (isSecretKey(k) && v != null && !v.isEmpty() && !k.endsWith("-file") && !k.endsWith("-env")
          && !k.endsWith("_script")) {
        out.add(v);
      }
    });
    // longest first, so a secret that contains another is masked whole
    out.sort((a, b) -> b.length() - a.length());
    return out;
  }

  static String mask(String text, List<String> secrets) {
    String s = text;
    for (String secret : secrets) {
      s = s.replace(secret, MASK);
    }
    return s;
  }

  private record Exec(int exitCode, boolean timedOut, String stdout, String stderr, long millis) {}

  private static Exec exec(Path agent, String action, String input, List<String> secrets, long deadline)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    boolean ownGroup = Files.isExecutable(SETSID);
    if (ownGroup) {
      // own session and process group: a timeout kills the agent and everything it started (ipmitool, ssh, ...)
      cmd.add(SETSID.toString());
      cmd.add("-w");
    }
    cmd.add(agent.toString());
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).start();
    OutputCapture out = OutputCapture.start(p.getInputStream(), agent.getFileName() + "-stdout", MAX_OUTPUT);
    OutputCapture err = OutputCapture.start(p.getErrorStream(), agent.getFileName() + "-stderr", MAX_OUTPUT);
    try {
      writeStdin(p, input);
      boolean exited = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!exited) {
        killTree(p, ownGroup);
      } else if (!out.await(REAP) || !err.await(REAP)) {
        // the agent is gone but something it left behind still holds the pipes: it belongs to the agent, end it
        killTree(p, ownGroup);
      }
      out.await(REAP);
      err.await(REAP);
      long ms = (System.nanoTime() - start) / 1_000_000;
      Exec e = new Exec(exited ? p.exitValue() : TIMED_OUT, !exited, out.text(), err.text(), ms);
      if (log.isDebugEnabled()) {
        log.debug("{} action={} {} after {} ms\nstdin keys: {}\nstdout:\n{}\nstderr:\n{}", agent, action,
            exited ? "exited " + e.exitCode() : "timed out, killed", ms, keys(input),
            mask(e.stdout(), secrets), mask(e.stderr(), secrets));
      }
      return e;
    } catch (InterruptedException | RuntimeException | Error e) {
      killTree(p, ownGroup);
      throw e;
    }
  }

  private static void writeStdin(Process p, String input) {
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the agent exited or closed stdin before reading: its exit code tells what happened
      log.debug("writing stdin of pid {}: {}", p.pid(), e.toString());
    }
  }

  private static String keys(String input) {
    List<String> keys = new ArrayList<>();
    for (String line : input.split("\n")) {
      int eq = line.indexOf('=');
      keys.add(eq > 0 ? line.substring(0, eq) : line);
    }
    return String.join(",", keys);
  }

  /** Kills p and all it started; returns once they are gone. */
  static void killTree(Process p, boolean ownGroup) throws InterruptedException {
    io.xenha.agents.ProcessTrees.killTree(p, ownGroup);
  }

  /** Alive and not a zombie (see ProcessTrees). */
  static boolean running(ProcessHandle h) {
    return io.xenha.agents.ProcessTrees.running(h);
  }

  private static Outcome timedOut(String name, String action, Duration timeout) {
    return new Outcome(false, TIMED_OUT, action, name + " " + action + ": timed out after " + seconds(timeout));
  }

  private static Outcome outcome(String name, String action, Exec e, List<String> secrets) {
    int rc = e.exitCode();
    String took = " in " + seconds(Duration.ofMillis(e.millis()));
    String prefix = name + " " + action + ": ";
    if (action.equals("status")) {
      if (rc == 0) {
        return new Outcome(true, rc, action, prefix + "on" + took);
      }
      if (rc == STATUS_OFF) {
        return new Outcome(false, rc, action, prefix + "off" + took);
      }
    } else if (rc == 0) {
      // agents print their result ("Success: Powered OFF") on stdout; stderr is their (verbose) log
      String said = action.equals("list") ? firstLines(e.stdout(), 5) : lastLine(e.stdout());
      return new Outcome(true, rc, action, mask(prefix + "ok" + took + (said.isEmpty() ? "" : " (" + said + ")"), secrets));
    }
    String why = failure(e);
    return new Outcome(false, rc, action,
        mask(prefix + "failed (exit " + rc + ")" + took + (why.isEmpty() ? "" : ": " + why), secrets));
  }

  /**
   * The agent's own words for a failure: its last "Failed:" line (else its last line), plus the last error its tool
   * reported in the verbose output (fence_ipmilan says "Unable to obtain correct plug status" for a wrong password;
   * ipmitool's "Unable to establish IPMI v2 / RMCP+ session" is what tells the operator to check the credentials).
   */
  private static String failure(Exec e) {
    String failed = "";
    String toolError = "";
    String last = "";
    for (String line : (e.stdout() + "\n" + e.stderr()).split("\n")) {
      String l = LOG_PREFIX.matcher(line.strip()).replaceFirst("");
      if (l.isBlank() || l.contains("DeprecationWarning") || l.startsWith("from ") || l.startsWith("Please use")) {
        continue; // python noise of the installed agents, and their usage hint
      }
      last = l;
      int err = l.indexOf("Error:");
      if (l.startsWith("Failed:")) {
        failed = l;
      } else if (err >= 0) {
        toolError = l.substring(err).strip();
      }
    }
    String why = failed.isEmpty() ? last : failed;
    if (!toolError.isEmpty() && !why.contains(toolError)) {
      why = why + " (" + toolError + ")";
    }
    return abbreviate(why, 300);
  }

  private static String lastLine(String text) {
    String last = "";
    for (String line : text.split("\n")) {
      String l = LOG_PREFIX.matcher(line.strip()).replaceFirst("");
      if (!l.isBlank() && !l.contains("DeprecationWarning") && !l.startsWith("from ")) {
        last = l;
      }
    }
    return abbreviate(last, 200);
  }

  private static String firstLines(String text, int n) {
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(n + 1L).toList();
    String joined = String.join("; ", lines.subList(0, Math.min(n, lines.size())));
    return abbreviate(joined + (lines.size() > n ? "; ..." : ""), 300);
  }

  private static String abbreviate(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  private static String stripTrailingNewlines(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static void warnIfReadableByOthers(Path p) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (perms.contains(PosixFilePermission.OTHERS_READ)) {
        log.warn("password-file {} is readable by every user: chmod 600 it", p);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not POSIX or unreadable attributes: nothing to warn about
    }
  }
}
