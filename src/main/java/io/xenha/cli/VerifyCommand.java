package io.xenha.cli;

import io.xenha.agents.OcfAgentRunner;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    LoadResult result = ConfigLoader.load(config, Optional.ofNullable(node));
    for (Problem p : result.errors()) out.println(p.format());
    for (Problem p : result.warnings()) out.println(p.format());
    if (!result.ok() || result.config().isEmpty()) {
      int n = result.errors().size();
      out.flush();
      // stdout holds problem lines only, for scripts; the count goes to stderr
      System.err.println(n + (n == 1 ? " error" : " errors") + " in " + config);
      return 2;
    }
    XenhaConfig c = result.config().get();
    List<Problem> agentProblems = checkOcfParameters(c);
    agentProblems.addAll(io.xenha.security.KeyFiles.checkLocal(c)); // this node's keys and credentials
    agentProblems.stream().filter(p -> !p.warning()).forEach(p -> out.println(p.format()));
    agentProblems.stream().filter(Problem::warning).forEach(p -> out.println(p.format()));
    if (agentProblems.stream().anyMatch(p -> !p.warning())) {
      out.flush();
      long n = agentProblems.stream().filter(p -> !p.warning()).count();
      System.err.println(n + (n == 1 ? " error" : " errors") + " in " + config);
      return 2;
    }
    out.println("configuration valid: " + c.nodes().size() + " nodes, " + c.resources().size() + " resources");
    out.flush();
    return 0;
  }

  /**
   * crm_verify's check of each OCF resource against its agent: the agent's meta-data (the one action that only
   * describes the agent; nothing is started) lists the required parameters. Only `verify` does this, loading a
   * configuration in the agent does not run agents.
   */
  private List<Problem> checkOcfParameters(XenhaConfig c) {
    List<Problem> problems = new ArrayList<>();
    com.typesafe.config.Config raw;
    try {
      raw = com.typesafe.config.ConfigFactory.parseFile(config.toFile()).resolve();
    } catch (RuntimeException e) {
      raw = com.typesafe.config.ConfigFactory.empty();
    }
    for (XenhaConfig.ResourceSpec r : c.resources().values()) {
      if (!r.isOcf()) {
        continue;
      }
      String key = "xenha.resources." + r.id();
      int line = 1;
      Path file = config;
      String path = "xenha.resources." + com.typesafe.config.ConfigUtil.quoteString(r.id());
      if (raw.hasPath(path)) {
        com.typesafe.config.ConfigOrigin origin = raw.getValue(path).origin();
        line = Math.max(1, origin.lineNumber());
        if (origin.filename() != null) {
          file = Path.of(origin.filename());
        }
      }
      try {
        Path agent = OcfAgentRunner.resolve(r.agent(), c.ocfRoot());
        Path tmp = Files.createTempDirectory("xenha-verify-");
        OcfAgentRunner.Metadata md = OcfAgentRunner.metadata(agent, Duration.ofSeconds(20), tmp);
        for (String msg : OcfAgentRunner.checkParams(md, r.params())) {
          boolean warning = msg.startsWith("warning: ");
          String text = r.agent() + ": " + (warning ? msg.substring("warning: ".length()) : msg);
          problems.add(warning ? Problem.warn(file, line, key + ".params", text) : Problem.error(file, line, key + ".params", text));
        }
      } catch (Exception e) {
        problems.add(Problem.error(file, line, key + ".agent", "cannot read the meta-data of " + r.agent() + ": " + e.getMessage()));
      }
    }
    return problems;
  }
}
