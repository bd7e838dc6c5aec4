package io.xenha.cli;

import io.xenha.jmx.JmxClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `xenha export`: the running configuration plus the runtime overrides, as HOCON that `xenha verify` accepts. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Print the configuration the cluster runs with, followed by its runtime overrides (standby, maintenance,",
      "target-role, is-managed, migrate constraints) as HOCON: used as the configuration it restores the same state."
    })
public final class ExportCommand implements Callable<Integer> {

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
  Path output;

  @Mixin JmxTarget jmxTarget = new JmxTarget();

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    AdminCall.Answer a = AdminCall.ask(jmxTarget, "xenha export", err, JmxClient::exportConfig);
    if (a.text() == null) {
      return a.code();
    }
    if (output == null) {
      out.print(a.text());
      out.flush();
      return 0;
    }
    try {
      Files.writeString(output, a.text());
    } catch (IOException e) {
      err.println("xenha export: cannot write " + output + ": " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
