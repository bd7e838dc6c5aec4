package io.xenha.agents;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one agent process in its own process group with a given environment, a deadline and bounded output capture;
 * the same approach as the fence-agent runner.
 */
final class AgentProcess {

  /** What one run gave: exit code (meaningless when timedOut), captured output, run time. */
  record Exec(int exitCode, boolean timedOut, String stdout, String stderr, Duration took) {}

  static final int MAX_OUTPUT = 64 * 1024;

  /**
   * Initialized on first use, not with the class: setting up logging costs about half a second of CPU, which
   * `xenha verify` (the agents' meta-data, logging nothing) does not need to pay.
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);
  }
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  // how long killed processes get to disappear, and how long we wait for output after the agent exited
  private static final Duration REAP = Duration.ofSeconds(2);

  private AgentProcess() {}

  /**
   * Runs {@code agent arg} with exactly {@code env} as its environment, working directory / and stdin at EOF. At the
   * timeout the agent's whole process group (and every descendant still attached) is killed with SIGKILL.
   */
  static Exec run(Path agent, String arg, Map<String, String> env, Duration timeout, int maxOutput)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    boolean ownGroup = Files.isExecutable(SETSID);
    if (ownGroup) {
      // own session and process group: a timeout kills the agent and everything it started
      cmd.add(SETSID.toString());
      cmd.add("-w");
    }
    cmd.add(agent.toString());
    cmd.add(arg);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File("/"))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Process p = pb.start();
    OutputCapture out = OutputCapture.start(p.getInputStream(), agent.getFileName() + "-stdout", maxOutput);
    OutputCapture err = OutputCapture.start(p.getErrorStream(), agent.getFileName() + "-stderr", maxOutput);
    try {
      boolean exited = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!exited) {
        killTree(p, ownGroup);
      }
      // a daemon a start action left behind may still hold the pipes: it is the resource, so it is not killed;
      // we just stop waiting for its output (the drain thread keeps discarding it until it closes them)
      long until = System.nanoTime() + REAP.toNanos();
      boolean drained = out.await(until) & err.await(until);
      if (!drained && exited) {
        Log.LOG.debug("{} {}: a process it started still holds its output open; not waiting for it", agent, arg);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return new Exec(exited ? p.exitValue() : -1, !exited, out.text(), err.text(), took);
    } catch (InterruptedException | RuntimeException | Error e) {
      killTree(p, ownGroup);
      throw e;
    }
  }

  static void killTree(Process p, boolean ownGroup) throws InterruptedException {
    ProcessTrees.killTree(p, ownGroup);
  }

  static boolean running(ProcessHandle h) {
    return ProcessTrees.running(h);
  }
}
