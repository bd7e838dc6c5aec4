package io.xenha.cli;

import com.typesafe.config.ConfigFactory;
import io.xenha.agent.XenhaNode;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import io.xenha.executor.NodeAgent;
import io.xenha.jmx.JmxServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
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
    XenhaNode.writePidFile(cfg.node(name).stateDir());
    XenhaNode agent = XenhaNode.start(
        cfg, name, ConfigFactory.parseMap(Map.of("pekko.coordinated-shutdown.exit-jvm", "off")),
        NodeAgent.Settings.DEFAULT, Clock.systemUTC());
    XenhaConfig.NodeSpec self = cfg.node(name);
    JmxServer jmx = JmxServer.start(self.jmxHost(), self.jmxPort(), agent.console(),
        new ArrayList<>(cfg.nodes().keySet()), new ArrayList<>(cfg.resources().keySet()),
        io.xenha.security.Security.jmxAccess(cfg, name));
    reloadOnHangup(agent);
    agent.system().getWhenTerminated().toCompletableFuture().join();
    jmx.close();
    return 0;
  }

  /** SIGHUP: the same as `xenha reload` from this node; the outcome goes to the log. */
  private static void reloadOnHangup(XenhaNode agent) {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentCommand.class);
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
        Thread t = new Thread(() -> {
          try {
            io.xenha.controller.Admin.Reply r = agent.console().reload();
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
