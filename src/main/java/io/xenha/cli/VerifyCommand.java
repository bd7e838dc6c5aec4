package io.xenha.cli;

import io.xenha.config.ConfigLoader;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `xenha verify`: checks a configuration and prints every problem as FILE:LINE: key: message (crm_verify). */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check a configuration and print every problem as FILE:LINE: path.to.key: message.",
      "Exit code 0: valid (warnings may be printed); 2: errors."
    })
public final class VerifyCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
  Path config = ConfigLoader.DEFAULT_PATH;

  @Option(names = {"-n", "--node"}, paramLabel = "NAME", description = "check as this node (overrides xenha.node-name)")
  String node;

  @Override
  public Integer call() {
    // System.out looked up at call time so that callers (and tests) can redirect it.
    PrintStream out = System.out;
    Verification.Result result = Verification.run(config, Optional.ofNullable(node), true);
    for (Problem p : result.problems()) out.println(p.format());
    if (!result.ok()) {
      long n = result.errors();
      out.flush();
      // stdout holds problem lines only, for scripts; the count goes to stderr
      System.err.println(n + (n == 1 ? " error" : " errors") + " in " + config);
      return 2;
    }
    XenhaConfig c = result.config().get();
    out.println("configuration valid: " + c.nodes().size() + " nodes, " + c.resources().size() + " resources");
    out.flush();
    return 0;
  }
}
