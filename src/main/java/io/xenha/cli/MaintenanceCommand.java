package io.xenha.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `xenha maintenance on|off`: Pacemaker's maintenance-mode property, as a runtime override. */
@Command(
    name = "maintenance",
    mixinStandardHelpOptions = true,
    description = {
      "Cluster-wide maintenance mode: 'on' stops managing every resource and leaves every domU as it is, also",
      "when agents are stopped (e.g. to upgrade xenha itself); 'off' manages them again."
    })
public final class MaintenanceCommand implements Callable<Integer> {

  enum Switch { on, off }

  @Parameters(index = "0", paramLabel = "on|off")
  Switch state;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    return AdminCall.run(jmxTarget, "maintenance-" + state.name(), null, null, null, out, err);
  }
}
