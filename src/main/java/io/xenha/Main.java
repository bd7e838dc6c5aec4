package io.xenha;

import io.xenha.cli.AgentCommand;
import io.xenha.cli.DemoCommand;
import io.xenha.cli.ExportCommand;
import io.xenha.cli.FenceCommand;
import io.xenha.cli.HistoryCommand;
import io.xenha.cli.ImportCommand;
import io.xenha.cli.KeysCommand;
import io.xenha.cli.MaintenanceCommand;
import io.xenha.cli.NodeCommand;
import io.xenha.cli.ReloadCommand;
import io.xenha.cli.ResourceCommand;
import io.xenha.cli.SimulateCommand;
import io.xenha.cli.StatusCommand;
import io.xenha.cli.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `xenha` command line: one subcommand per job; each lives in the cli package. */
@Command(
    name = "xenha",
    mixinStandardHelpOptions = true,
    version = "xenha 0.1.0",
    description = "High-availability cluster manager for virtual machines.",
    subcommands = {
      AgentCommand.class, DemoCommand.class, VerifyCommand.class, StatusCommand.class, FenceCommand.class,
      HistoryCommand.class, SimulateCommand.class, ImportCommand.class, NodeCommand.class, ResourceCommand.class,
      MaintenanceCommand.class, ExportCommand.class, ReloadCommand.class, KeysCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this instead of main). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
