package io.xenha.cli;

import io.xenha.status.ClusterStatus;
import io.xenha.status.StatusText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `xenha demo`: a local cluster of agent processes on libvirt's test driver, running until Ctrl-C. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Start N agents as local processes on 127.0.0.1 with libvirt's test driver; Ctrl-C stops them all.")
public final class DemoCommand implements Callable<Integer> {

  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Number of agents (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--config", paramLabel = "FILE", description = "Cluster configuration to run (default: the bundled demo).")
  Path config;

  @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "2551", description = "Cluster port of node1; node i gets PORT+i-1 (default ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--jmx-base-port", paramLabel = "PORT", defaultValue = "9011", description = "JMX port of node1; node i gets PORT+i-1 (default ${DEFAULT-VALUE}).")
  int jmxBasePort;

  @Option(names = "--dir", paramLabel = "DIR", description = "Working directory (default: a new /tmp/xenha-demo-*).")
  Path dir;

  @Option(names = "--insecure", description = "Plain TCP between the agents instead of mutual TLS (to compare).")
  boolean insecure;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() throws Exception {
    Path workDir = dir != null ? dir : Files.createTempDirectory("xenha-demo-");
    DemoCluster demo;
    try {
      demo = DemoCluster.prepare(nodes, workDir, basePort, jmxBasePort, config, insecure);
    } catch (IllegalArgumentException | IOException e) {
      err.println("xenha demo: " + e.getMessage());
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    if (!DemoSignals.onStop(stop::countDown)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "xenha-demo-stop"));
    }
    // whatever way the JVM ends, no agent is left behind
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "xenha-demo-cleanup"));
    try {
      demo.startAll();
    } catch (IllegalStateException | IOException e) {
      err.println("xenha demo: " + e.getMessage());
      demo.close();
      return 1;
    }
    // the CLI of this user finds the demo's credentials here on its own; nobody else can read them
    java.util.List<String> endpoints = demo.nodes().stream().map(n -> DemoCluster.HOST + ":" + demo.jmxPort(n)).toList();
    Path record = io.xenha.security.CliCredentials.registerDemo("demo-" + ProcessHandle.current().pid(),
        demo.credentials().user(), demo.credentials().password(), endpoints);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> io.xenha.security.CliCredentials.forgetDemo(record),
        "xenha-demo-forget"));
    for (String node : demo.nodes()) {
      out.println("node " + node + " pid " + demo.pid(node) + " jmx " + DemoCluster.HOST + ":" + demo.jmxPort(node));
    }
    out.println("xenha demo: " + (insecure ? "INSECURE plain TCP between the agents" : "mutual TLS between the agents")
        + " with a CA made for this run, in " + demo.keysDir() + "; JMX user admin, its password in "
        + demo.credentialsFile() + " (the xenha commands of " + System.getProperty("user.name")
        + " find it on their own; any other user is refused)");
    out.println("xenha demo: configuration " + demo.configFile() + "; waiting up to " + SETTLE_TIMEOUT.toSeconds()
        + " s for every domU to start");
    out.flush();
    try {
      int rc = awaitSettled(demo, stop);
      if (rc != 0) return rc;
      stop.await();
    } finally {
      out.println("xenha demo: stopping every agent");
      out.flush();
      demo.close();
      io.xenha.security.CliCredentials.forgetDemo(record);
    }
    return 0;
  }

  /** Waits for a Controller and every domain started; 0 to go on, 1 when an agent died on the way. */
  private int awaitSettled(DemoCluster demo, CountDownLatch stop) throws InterruptedException {
    String first = demo.nodes().get(0);
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    ClusterStatus last = null;
    String lastError = "no answer yet";
    while (System.nanoTime() < deadline) {
      for (String node : demo.nodes()) {
        Integer code = demo.exitCode(node);
        if (code != null) {
          err.println("xenha demo: " + node + " stopped with exit code " + code + "; the end of " + demo.log(node) + ":");
          err.println(demo.logTail(node, 30));
          return 1;
        }
      }
      try {
        last = demo.status(first);
        if (DemoCluster.settled(last)) break;
      } catch (IOException e) {
        lastError = e.getMessage();
      }
      if (stop.await(1, TimeUnit.SECONDS)) return 0;
    }
    if (last == null) {
      out.println("xenha demo: " + first + " did not answer within " + SETTLE_TIMEOUT.toSeconds() + " s (" + lastError + ")");
    } else {
      if (!DemoCluster.settled(last)) {
        out.println("xenha demo: not settled after " + SETTLE_TIMEOUT.toSeconds() + " s; the status now:");
      }
      out.println();
      out.print(StatusText.render(last));
    }
    out.println();
    out.println("kill -9 PID to fail a node; watch with: xenha status --watch --jmx "
        + DemoCluster.HOST + ":" + demo.jmxPort(first));
    out.println("start a killed node again with: sh " + demo.dir().resolve("NODE").resolve("start.sh")
        + " (Ctrl-C does not stop nodes started by hand)");
    out.println("Ctrl-C stops the demo; logs in " + demo.dir());
    out.flush();
    return 0;
  }
}
