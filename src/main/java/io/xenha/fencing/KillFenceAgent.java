package io.xenha.fencing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code builtin:kill} fence device: kills the target node's agent process, found through the pid file in
 * the target's state directory. For the demo and tests, where all "dom0s" are processes on one machine. A missing
 * pid file or a process that is already gone counts as success ("already off"). A pid whose command line does not
 * match {@code processMatch} is not killed: it is not our agent (the pid was reused), which is also "already off".
 */
public final class KillFenceAgent {
  public static final String PID_FILE = "xenha.pid";

  private KillFenceAgent() {}

  /** Blocking: call on the blocking dispatcher. Returns a human-readable outcome, throws when the fence failed. */
  public static String fence(Path targetStateDir, String processMatch, Duration timeout) throws Exception {
    Path pidFile = targetStateDir.resolve(PID_FILE);
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).trim());
    } catch (NoSuchFileException e) {
      return "no pid file " + pidFile + ": already off";
    } catch (NumberFormatException | IOException e) {
      throw new IOException("cannot read pid file " + pidFile + ": " + e.getMessage(), e);
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return "pid " + pid + " not running: already off";
    }
    String cmd = handle.get().info().commandLine().orElse("");
    if (!cmd.contains(processMatch)) {
      return "pid " + pid + " is not a xenha agent (" + abbreviate(cmd) + "): already off";
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new IllegalStateException("refusing to fence this very process (pid " + pid + ")");
    }
    handle.get().destroyForcibly();
    try {
      handle.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("pid " + pid + " still alive " + timeout.toSeconds() + "s after SIGKILL");
    }
    return "killed pid " + pid;
  }

  /** Whether the pid file names a live process matching processMatch (status of the "node"). */
  public static boolean isRunning(Path targetStateDir, String processMatch) {
    try {
      long pid = Long.parseLong(Files.readString(targetStateDir.resolve(PID_FILE)).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .map(h -> h.info().commandLine().orElse("").contains(processMatch)).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
