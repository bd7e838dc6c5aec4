package io.xenha.config;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What loading a configuration gave: the model when there were no errors, every problem found, and where each
 * resource is defined (for checks made after loading, such as verify's agent meta-data; empty after errors).
 */
public record LoadResult(Optional<XenhaConfig> config, List<Problem> problems, Map<String, Place> resourcePlaces) {

  /** A file and a line of the user's configuration. */
  public record Place(Path file, int line) {}

  public LoadResult(Optional<XenhaConfig> config, List<Problem> problems) {
    this(config, problems, Map.of());
  }

  /**
   * By file and line, as a compiler prints them (and as `sort -t: -k1,1 -k2,2n` would); on one line errors before
   * warnings.
   */
  public static final Comparator<Problem> ORDER =
      Comparator.comparing((Problem p) -> p.file().toString())
          .thenComparingInt(Problem::line)
          .thenComparing(Problem::warning);

  public LoadResult {
    problems = problems.stream().sorted(ORDER).toList();
    resourcePlaces = Map.copyOf(resourcePlaces);
  }

  /** True when there is no error (warnings are allowed). */
  public boolean ok() {
    return errors().isEmpty();
  }

  public List<Problem> errors() {
    return problems.stream().filter(p -> !p.warning()).toList();
  }

  public List<Problem> warnings() {
    return problems.stream().filter(Problem::warning).toList();
  }
}
