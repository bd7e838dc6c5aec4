package io.xenha.cli;

import io.xenha.jmx.JmxClient;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `xenha reload`: every node re-reads its configuration file; it takes effect only when all agree. */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Every running agent re-reads its configuration file (SIGHUP to one agent does the same). The change takes",
      "effect only when every node's file is valid and the same, and the change is allowed while running (no node",
      "or cluster section changes; a resource is removed only once it is stopped); otherwise nothing changes and",
      "the reason is printed (exit 1)."
    })
public final class ReloadCommand implements Callable<Integer> {

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    return AdminCall.print(jmxTarget, "xenha reload", out, err, JmxClient::reload);
  }
}
