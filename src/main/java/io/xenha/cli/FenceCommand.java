package io.xenha.cli;

import com.typesafe.config.ConfigException;
import io.xenha.jmx.JmxClient;
import io.xenha.jmx.JmxClient.HostPort;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `xenha fence NODE`: manual fencing through the Controller, like `stonith_admin --reboot NODE`. */
@Command(
    name = "fence",
    mixinStandardHelpOptions = true,
    description = {
      "Fence NODE now with its fence device (the cluster's stonith-action: reboot or off) and wait for the outcome.",
      "Needs --yes: it powers the node off or reboots it, and every domU on it goes down with it."
    })
public final class FenceCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "NODE", description = "The node to fence.")
  String node;

  @Option(names = "--yes", description = "Really fence the node.")
  boolean yes;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    // always asked, also on a terminal: a script that forgets it must not power off a dom0 by accident
    if (!yes) {
      err.println("refusing to fence " + node + " without --yes (it powers the node off or reboots it)");
      return 1;
    }
    HostPort target;
    try {
      target = jmxTarget.resolve();
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("xenha fence: " + e.getMessage());
      return 2;
    }
    JmxClient client;
    try {
      client = jmxTarget.connect(target);
    } catch (JmxClient.Denied e) {
      err.println("xenha fence " + node + ": refused: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot reach xenha at " + target + ": " + e.getMessage());
      return 1;
    }
    try (client) {
      out.println(client.fence(node));
      out.flush();
      return 0;
    } catch (JmxClient.Refused e) {
      err.println("xenha fence " + node + ": " + e.getMessage());
      return 1;
    } catch (IOException e) {
      // the fence may have gone ahead: the Controller finishes it without us
      err.println(
          "lost xenha at " + target + " while fencing " + node + ": " + e.getMessage() + " (see `xenha history --node "
              + node + "` for the outcome)");
      return 1;
    }
  }
}
