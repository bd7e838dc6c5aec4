package io.xenha.cli;

import io.xenha.agents.MetadataCache;
import io.xenha.agents.OcfAgentRunner;
import io.xenha.config.ConfigLoader;
import io.xenha.config.LoadResult;
import io.xenha.config.Problem;
import io.xenha.config.XenhaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything `xenha verify` reports about a file: the loader's problems and, for a valid file, each OCF resource's
 * params checked against its agent's meta-data (as crm_verify does). Shared by verify and import (which warns about
 * what it wrote). Problems come sorted by file and line.
 */
final class Verification {
  /** The meta-data action only describes the agent; an agent that takes longer is broken. */
  static final Duration METADATA_TIMEOUT = Duration.ofSeconds(20);

  /** The model when there is no error, and every problem in file and line order. */
  record Result(Optional<XenhaConfig> config, List<Problem> problems) {
    boolean ok() {
      return config.isPresent() && problems.stream().noneMatch(p -> !p.warning());
    }

    long errors() {
      return problems.stream().filter(p -> !p.warning()).count();
    }
  }

  private Verification() {}

  static Result run(Path config, Optional<String> node) {
    return run(config, node, false);
  }

  /** localKeys: also check this node's key and credential files (verify on a node; not import's output). */
  static Result run(Path config, Optional<String> node, boolean localKeys) {
    LoadResult loaded = ConfigLoader.load(config, node);
    List<Problem> all = new ArrayList<>(loaded.problems());
    if (loaded.ok() && loaded.config().isPresent()) {
      all.addAll(checkOcfParameters(config, loaded.config().get(), loaded.resourcePlaces()));
      if (localKeys) {
        all.addAll(io.xenha.security.KeyFiles.checkLocal(loaded.config().get()));
      }
    }
    all.sort(LoadResult.ORDER);
    return new Result(loaded.ok() ? loaded.config() : Optional.empty(), List.copyOf(all));
  }

  /**
   * Each OCF resource's params against its agent's meta-data (the one action that only describes the agent; nothing
   * is started), asked once per agent. Only `verify` does this: loading a configuration in the agent runs no agents.
   */
  static List<Problem> checkOcfParameters(Path config, XenhaConfig c, Map<String, LoadResult.Place> places) {
    List<Problem> problems = new ArrayList<>();
    if (c.resources().values().stream().noneMatch(XenhaConfig.ResourceSpec::isOcf)) return problems;
    Path tmp;
    try {
      tmp = Files.createTempDirectory("xenha-verify-");
    } catch (IOException e) {
      problems.add(Problem.error(config, 1, "xenha.resources", "cannot create a temporary directory for the agents' "
          + "meta-data: " + e.getMessage()));
      return problems;
    }
    try {
      MetadataCache metadata = new MetadataCache(METADATA_TIMEOUT, tmp);
      for (XenhaConfig.ResourceSpec r : c.resources().values()) {
        if (!r.isOcf()) continue;
        String key = "xenha.resources." + r.id();
        LoadResult.Place place = places.getOrDefault(r.id(), new LoadResult.Place(config, 1));
        Path file = place.file();
        int line = place.line();
        try {
          OcfAgentRunner.Metadata md = metadata.get(OcfAgentRunner.resolve(r.agent(), c.ocfRoot()));
          for (String msg : OcfAgentRunner.checkParams(md, r.params())) {
            boolean warning = msg.startsWith("warning: ");
            String text = r.agent() + ": " + (warning ? msg.substring("warning: ".length()) : msg);
            problems.add(warning ? Problem.warn(file, line, key + ".params", text)
                : Problem.error(file, line, key + ".params", text));
          }
        } catch (RuntimeException e) {
          problems.add(Problem.error(file, line, key + ".agent",
              "cannot read the meta-data of " + r.agent() + ": " + e.getMessage()));
        }
      }
    } finally {
      deleteTree(tmp);
    }
    return problems;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing the check for
    }
  }
}
