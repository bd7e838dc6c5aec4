package io.xenha.cli;

import com.typesafe.config.ConfigFactory;
import io.xenha.agent.XenhaNode;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeAgent;
import io.xenha.jmx.ForwardingConsole;
import io.xenha.jmx.JmxServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `xenha agent`: runs this dom0's agent in the foreground until it is stopped (SIGTERM / Ctrl-C). */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run this dom0's agent in the foreground.")
public final class AgentCommand implements Callable<Integer> {

  @Option(names = "--config", description = "configuration file (default: ${DEFAULT-VALUE})")
  Path config = Path.of("/etc/xenha/xenha.conf");

  @Option(names = "--node", description = "this node's name (default: xenha.node-name, else the host name)")
  String node;

  @Override
  public Integer call() throws Exception {
    LoadResult loaded = ConfigLoader.load(config, Optional.ofNullable(node));
    for (Problem p : loaded.problems()) {
      System.err.println(p.format());
    }
    if (!loaded.ok() || loaded.config().isEmpty()) {
      System.err.println("xenha agent: configuration has errors, not starting");
      return 2;
    }
    XenhaConfig cfg = loaded.config().get();
    String name = node != null ? node : cfg.nodeName().orElse(InetAddress.getLocalHost().getHostName());
    if (!cfg.nodes().containsKey(name)) {
      System.err.println(config + ":1: xenha.nodes: this node '" + name + "' is not in the configuration (known: "
          + String.join(", ", cfg.nodes().keySet()) + "); use --node");
      return 2;
    }
    if (!io.xenha.security.Security.checkKeys(cfg, name, System.err)) return 2; // key files, credentials
    String stateDir = stateDirProblem(cfg.node(name).stateDir());
    if (stateDir != null) {
      System.err.println(stateDir);
      System.err.println("xenha agent: cannot keep its state, not starting");
      return 2;
    }
    XenhaNode.writePidFile(cfg.node(name).stateDir());
    java.util.concurrent.atomic.AtomicReference<XenhaNode> running = new java.util.concurrent.atomic.AtomicReference<>(
        start(cfg, name));
    XenhaConfig.NodeSpec self = cfg.node(name);
    JmxServer jmx = JmxServer.start(self.jmxHost(), self.jmxPort(), new ForwardingConsole(() -> running.get().console()),
        new ArrayList<>(cfg.nodes().keySet()), new ArrayList<>(cfg.resources().keySet()),
        io.xenha.security.Security.jmxAccess(cfg, name));
    reloadOnHangup(running);
    exitZeroOnSigterm(running, cfg.cluster().shutdownTimeout().plusMinutes(11));
    while (true) {
      XenhaNode agent = running.get();
      awaitTerminated(agent);
      if (!rejoins(agent)) {
        break;
      }
      // Downed (a partition without quorum, or lost by the others): Pekko lets no member come back, so this agent
      // starts a new incarnation, which waits for quorum before it joins, as a restarted corosync would.
      org.slf4j.LoggerFactory.getLogger(AgentCommand.class).warn(
          "{} was removed from the cluster: starting again to rejoin it once it has quorum", name);
      running.set(start(agent.currentConfig(), name));
    }
    jmx.close();
    return 0;
  }

  private static XenhaNode start(XenhaConfig cfg, String name) throws Exception {
    return XenhaNode.start(cfg, name, ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.exit-jvm", "off")),
        NodeAgent.Settings.DEFAULT, Clock.systemUTC());
  }

  /** Whether the agent stopped because the cluster downed it (not because it was told to stop). */
  static boolean rejoins(XenhaNode agent) {
    var reason = org.apache.pekko.actor.CoordinatedShutdown.get(agent.system().classicSystem()).getShutdownReason();
    return reason.map(r -> r.equals(org.apache.pekko.actor.CoordinatedShutdown.clusterDowningReason())).orElse(false)
        && !shutdownRequested;
  }

  /**
   * Whether the state directory can hold the journal, the runtime overrides and the pid file: it is created when
   * missing, and a file is written, synced and removed in it. Null when it can; else one line saying why
   * ({@code state-dir /x: read-only file system}), instead of a stack trace at the first write.
   */
  static String stateDirProblem(Path dir) {
    try {
      java.nio.file.Files.createDirectories(dir);
      Path probe = dir.resolve(".xenha-write-test");
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(probe,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
          java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[4096]));
        ch.force(true);
      } finally {
        java.nio.file.Files.deleteIfExists(probe);
      }
      return null;
    } catch (java.nio.file.FileSystemException e) {
      String why = e.getReason() != null ? e.getReason().toLowerCase(java.util.Locale.ROOT) : e.getClass().getSimpleName();
      return "state-dir " + dir + ": " + why + (e.getFile() != null && !e.getFile().equals(dir.toString())
          ? " (" + e.getFile() + ")" : "");
    } catch (java.io.IOException | RuntimeException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return "state-dir " + dir + ": " + (why.toLowerCase(java.util.Locale.ROOT).contains("no space")
          ? "no space left on device" : why);
    }
  }

  /** How long a system whose coordinated shutdown has begun may take to terminate before the process gives up on it. */
  static final Duration TERMINATION_LIMIT = Duration.ofMinutes(2);

  /**
   * Waits until the agent's actor system has terminated. Pekko 1.7 can wait forever for an inbound TLS stream to
   * complete when it terminates (fixed upstream in 2.0: "bound Artery stream shutdown", apache/pekko#3317); a downed
   * agent would then hang, neither a member nor starting again, its port still bound. Once the shutdown has begun, it
   * gets {@link #TERMINATION_LIMIT}; then the process exits 70 so that the service manager starts it afresh.
   */
  private static void awaitTerminated(XenhaNode agent) throws InterruptedException {
    java.util.concurrent.CompletableFuture<?> terminated = agent.system().getWhenTerminated().toCompletableFuture();
    var shutdown = org.apache.pekko.actor.CoordinatedShutdown.get(agent.system().classicSystem());
    long begun = 0;
    while (!terminated.isDone()) {
      try {
        terminated.get(1, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
        if (shutdown.getShutdownReason().isEmpty() || shutdownRequested) {
          continue; // running, or being stopped by the operator (exitZeroOnSigterm has its own limit)
        }
        if (begun == 0) {
          begun = System.nanoTime();
        } else if (System.nanoTime() - begun > TERMINATION_LIMIT.toNanos()) {
          org.slf4j.LoggerFactory.getLogger(AgentCommand.class).error("the agent's actor system has not terminated "
              + "{} s after its shutdown began (Pekko waiting on a cluster link); exiting 70 so that the service "
              + "manager starts the agent again", TERMINATION_LIMIT.toSeconds());
          System.exit(70);
        }
      }
    }
  }

  /** Set when the JVM is being stopped (SIGTERM, Ctrl-C): a downing then is no reason to start again. */
  private static volatile boolean shutdownRequested;

  /**
   * SIGTERM is a clean stop (exit 0, as contract.md says and as systemd expects), not the JVM's 143: once Pekko's own
   * hook has drained this node and left the cluster, the process ends with 0.
   */
  private static void exitZeroOnSigterm(java.util.concurrent.atomic.AtomicReference<XenhaNode> running, Duration max) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdownRequested = true;
      try {
        running.get().system().getWhenTerminated().toCompletableFuture().get(max.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        return; // not terminated in time: the JVM's own exit status stands
      }
      Runtime.getRuntime().halt(0);
    }, "xenha-sigterm"));
  }

  /** SIGHUP: the same as `xenha reload` from this node; the outcome goes to the log. */
  private static void reloadOnHangup(java.util.concurrent.atomic.AtomicReference<XenhaNode> running) {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentCommand.class);
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
        Thread t = new Thread(() -> {
          try {
            io.xenha.controller.Admin.Reply r = running.get().console().reload();
            if (r.ok()) {
              log.info("SIGHUP: {}", r.message());
            } else {
              log.error("SIGHUP: reload refused: {}", r.message());
            }
          } catch (Exception e) {
            log.error("SIGHUP: reload failed: {}", e.toString());
          }
        }, "xenha-sighup-reload");
        t.setDaemon(true);
        t.start();
      });
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      log.warn("SIGHUP cannot be handled on this JVM ({}): use `xenha reload`", e.getMessage());
    }
  }
}
