package io.xenha.agents;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Killing an agent process and everything it started (its process group, then each descendant), as OCF and
 * fence agents need when they overrun their timeout. Shared by the OCF and the fence-agent runners.
 */
public final class ProcessTrees {

  /**
   * Initialized on first use, not with the class: setting up logging costs about half a second of CPU, which
   * `xenha verify` (the agents' meta-data, logging nothing) does not need to pay.
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(ProcessTrees.class);
  }
  private static final Path KILL = Path.of("/usr/bin/kill");
  private static final Duration REAP = Duration.ofSeconds(2);

  private ProcessTrees() {}

  /** Kills p and all it started; returns once they are gone (or REAP passed). */
  public static void killTree(Process p, boolean ownGroup) throws InterruptedException {
    // snapshot first: once p dies its children are re-parented and no longer its descendants
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    if (ownGroup && Files.isExecutable(KILL)) {
      signalGroup(p.pid());
    }
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    // poll rather than onExit(): for processes that are not our children onExit() polls in 300 ms steps
    long until = System.nanoTime() + REAP.toNanos();
    while (p.isAlive() || tree.stream().anyMatch(ProcessTrees::running)) {
      if (System.nanoTime() > until) {
        tree.stream().filter(ProcessTrees::running).forEach(h ->
            Log.LOG.warn("pid {} (started by agent pid {}) is still alive after SIGKILL", h.pid(), p.pid()));
        return;
      }
      Thread.sleep(10);
    }
  }

  /** Alive and not a zombie: a killed orphan stays a zombie until init reaps it, which some inits do only every second. */
  public static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
      int end = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
      return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return h.isAlive(); // no /proc (not Linux) or the process just went away
    }
  }

  private static void signalGroup(long pgid) throws InterruptedException {
    try {
      Process k = new ProcessBuilder(KILL.toString(), "-KILL", "--", "-" + pgid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      k.waitFor(REAP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      Log.LOG.debug("kill -KILL -{}: {}", pgid, e.toString());
    }
  }

}
