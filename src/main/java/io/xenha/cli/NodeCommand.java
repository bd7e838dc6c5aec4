package io.xenha.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `xenha node standby|online|maintenance|ready NODE`: crm node standby / online / maintenance / ready. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Change a node's runtime state (kept in the cluster, survives restarts):",
      "  standby      move its resources away (live migration where allowed) and keep them off",
      "  online       let it run resources again (nothing moves back by itself: stickiness)",
      "  maintenance  leave its domUs alone: not started, stopped, monitored or recovered",
      "  ready        manage its domUs again"
    })
public final class NodeCommand implements Callable<Integer> {

  enum Action { standby, online, maintenance, ready }

  @Parameters(index = "0", paramLabel = "ACTION", description = "standby, online, maintenance or ready")
  Action action;

  @Parameters(index = "1", paramLabel = "NODE", description = "The node.")
  String node;

  @picocli.CommandLine.Option(names = "--dry-run",
      description = "Print what it would make the cluster do (crm_simulate's Transition Summary); change nothing.")
  boolean dryRun;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    return AdminCall.run(jmxTarget, "node-" + action.name(), node, null, null, dryRun, out, err);
  }
}
