package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import java.io.IOException;
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
    HostPort at;
    try {
      at = jmxTarget.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha reload: " + e.getMessage());
      return 2;
    }
    try (JmxClient client = JmxClient.connect(at.host(), at.port(), JmxTarget.CONNECT_TIMEOUT)) {
      out.println(client.reload());
      return 0;
    } catch (JmxClient.Refused e) {
      err.println("xenha reload: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("xenha reload: cannot ask xenha at " + at + ": " + e.getMessage());
      return 1;
    }
  }
}
