package io.xenha.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `xenha resource ACTION ID [--node N]`: crm resource start / stop / restart / migrate / unmigrate / cleanup / manage / unmanage. */
@Command(
    name = "resource",
    mixinStandardHelpOptions = true,
    description = {
      "Change a resource's runtime state (kept in the cluster, survives restarts):",
      "  start | stop     target-role Started / Stopped (what depends on it stops with it)",
      "  restart          stop it, then start it again",
      "  migrate          move it to --node (prefer constraint), or ban it from where it runs; --lifetime limits it",
      "  unmigrate        clear the constraints migrate made (only the ban from --node when given)",
      "  cleanup          clear its fail counts (on --node only when given)",
      "  manage|unmanage  let xenha start, stop and recover it, or leave it alone"
    })
public final class ResourceCommand implements Callable<Integer> {

  enum Action { start, stop, restart, migrate, unmigrate, cleanup, manage, unmanage }

  @Parameters(index = "0", paramLabel = "ACTION",
      description = "start, stop, restart, migrate, unmigrate, cleanup, manage or unmanage")
  Action action;

  @Parameters(index = "1", paramLabel = "ID", description = "The resource id.")
  String id;

  @Option(names = "--node", paramLabel = "NODE", description = "migrate: where to; unmigrate, cleanup: only this node.")
  String node;

  @Option(names = "--lifetime", paramLabel = "DURATION",
      description = "migrate: how long the constraint lasts (10m, 2h, PT1H); default: until unmigrate.")
  String lifetime;

  @Option(names = "--dry-run",
      description = "Print what it would make the cluster do (crm_simulate's Transition Summary); change nothing.")
  boolean dryRun;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (node != null && (action != Action.migrate && action != Action.unmigrate && action != Action.cleanup)) {
      err.println("xenha resource " + action + ": --node applies to migrate, unmigrate and cleanup only");
      return 2;
    }
    if (lifetime != null && action != Action.migrate) {
      err.println("xenha resource " + action + ": --lifetime applies to migrate only");
      return 2;
    }
    return AdminCall.run(jmxTarget, "resource-" + action.name(), id, node, lifetime, dryRun, out, err);
  }
}
