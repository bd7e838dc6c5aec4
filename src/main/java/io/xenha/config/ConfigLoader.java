package io.xenha.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Loads a xenha configuration file: HOCON with includes, over the defaults of reference.conf, checked
 * completely. Bad input never throws; it comes back as problems with FILE:LINE and key path.
 */
public final class ConfigLoader {
  /** Where `xenha agent` and `xenha verify` look when no --config is given. */
  public static final Path DEFAULT_PATH = Path.of("/etc/xenha/xenha.conf");

  /** Top-level keys of a user's file; pekko is handed to Pekko as it is. */
  private static final Set<String> TOP_LEVEL = Set.of("xenha", "pekko");

  private ConfigLoader() {}

  public static LoadResult load(Path file) {
    return load(file, Optional.empty());
  }

  /** As {@link #load(Path)}; a present {@code nodeName} (from --node) overrides xenha.node-name. */
  public static LoadResult load(Path file, Optional<String> nodeName) {
    return load(file, nodeName, UnaryOperator.identity());
  }

  /**
   * As {@link #load(Path, Optional)}, with {@code adjust} applied to the parsed file before the defaults
   * are added, e.g. `xenha demo` replacing xenha.nodes: {@code c -> generated.withFallback(c.withoutPath("xenha.nodes"))}.
   */
  public static LoadResult load(Path file, Optional<String> nodeName, UnaryOperator<Config> adjust) {
    try {
      return doLoad(file, nodeName, adjust);
    } catch (RuntimeException e) {
      // A bug in the checks must not look like a crash of the operator's command.
      return new LoadResult(Optional.empty(),
          List.of(Problem.error(file, 1, "", "internal error while checking the configuration: " + e)));
    }
  }

  /**
   * The file over reference.conf, resolved: what an ActorSystem of this node is started with (the user's
   * pekko section included). Call it after {@link #load} succeeded; it throws ConfigException otherwise.
   */
  public static Config resolve(Path file) {
    return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
        .withFallback(reference())
        .resolve();
  }

  private static LoadResult doLoad(Path file, Optional<String> nodeName, UnaryOperator<Config> adjust) {
    Problems problems = new Problems(file);
    Optional<Problem> unreadable = checkReadable(file);
    if (unreadable.isPresent()) return new LoadResult(Optional.empty(), List.of(unreadable.get()));
    DuplicateScanner.Scan scan = scan(file);
    IncludeCheck.check(file, scan, problems);
    // a required include that is missing stops the parser at the missing file's line 1; it is reported above
    if (problems.hasErrors()) return new LoadResult(Optional.empty(), problems.all());

    Config parsed;
    Config merged;
    try {
      parsed = adjust.apply(ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
      for (String k : parsed.root().keySet()) { // not entrySet: it hashes the whole tree
        if (!TOP_LEVEL.contains(k)) {
          problems.warning(parsed.root().get(k).origin(), k,
              "unknown top-level key '" + k + "' is ignored (xenha reads xenha and pekko)" + Names.didYouMean(k, TOP_LEVEL));
        }
      }
      merged = parsed.withFallback(reference()).resolve();
    } catch (ConfigException e) {
      problems.add(fromException(file, problems, e));
      return new LoadResult(Optional.empty(), problems.all());
    }

    ConfigValue x = merged.root().get("xenha");
    if (x == null || x.valueType() != ConfigValueType.OBJECT) {
      problems.error(x == null ? null : x.origin(), "xenha", "expected an object xenha { ... }, got " + Section.describe(x));
      return new LoadResult(Optional.empty(), problems.all());
    }
    Set<String> referenceKeys = reference().getObject("xenha").keySet();
    XenhaConfig config =
        new ModelBuilder(file, (ConfigObject) x, referenceKeys, nodeName, problems, scan.definitions()).build();
    return new LoadResult(Optional.ofNullable(config), problems.all(),
        config == null ? Map.of() : resourcePlaces((ConfigObject) x, problems));
  }

  /** Where each resource's block is (its first line when it is set in several places). */
  private static Map<String, LoadResult.Place> resourcePlaces(ConfigObject xenha, Problems problems) {
    ConfigValue rs = xenha.get("resources");
    if (rs == null || rs.valueType() != ConfigValueType.OBJECT) return Map.of();
    Map<String, LoadResult.Place> places = new java.util.HashMap<>();
    for (String id : ((ConfigObject) rs).keySet()) {
      ConfigOrigin o = ((ConfigObject) rs).get(id).origin();
      places.put(id, new LoadResult.Place(problems.fileOf(o), problems.lineOf(o)));
    }
    return places;
  }

  private static Optional<Problem> checkReadable(Path file) {
    String why = null;
    if (Files.isDirectory(file)) {
      why = "is a directory";
    } else {
      try (var in = Files.newInputStream(file)) {
        in.read();
      } catch (NoSuchFileException e) {
        why = "no such file";
      } catch (AccessDeniedException e) {
        why = "permission denied";
      } catch (IOException e) {
        why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      }
    }
    return why == null ? Optional.empty()
        : Optional.of(Problem.error(file, 1, "", "cannot read configuration file: " + why));
  }

  /** Object blocks of the main file by path (xenha.resources.web1 -> lines), to find duplicates, and its includes. */
  private static DuplicateScanner.Scan scan(Path file) {
    try {
      return DuplicateScanner.scan(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return new DuplicateScanner.Scan(Map.of(), List.of()); // a bad encoding is the parser's to report
    }
  }

  /** A parse or resolve failure as one problem; the exception's message repeats its origin, which is dropped. */
  private static Problem fromException(Path file, Problems problems, ConfigException e) {
    ConfigOrigin o = e.origin();
    if (e instanceof ConfigException.Parse) {
      // Typesafe reports an unclosed { at the end of the file, as a missing ')'; name the bracket instead
      Path where = problems.fileOf(o);
      try {
        Optional<Brackets.Unclosed> u = Brackets.unclosed(Files.readString(where));
        if (u.isPresent()) return Problem.error(where, u.get().line(), u.get().key(), u.get().message());
      } catch (IOException | RuntimeException ignored) {
        // keep the parser's own message
      }
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (o != null && msg.startsWith(o.description() + ": ")) msg = msg.substring(o.description().length() + 2);
    String key = "";
    if (e instanceof ConfigException.UnresolvedSubstitution) {
      msg = msg.replace("Could not resolve substitution to a value", "undefined substitution");
    }
    return Problem.error(problems.fileOf(o), problems.lineOf(o), key, msg);
  }

  /** reference.conf of every library on the classpath, xenha's included; resolved once and cached by Typesafe. */
  private static Config reference() {
    return ConfigFactory.defaultReference(ConfigLoader.class.getClassLoader());
  }
}
