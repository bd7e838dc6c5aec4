package io.xenha.cli;

import io.xenha.cib.CibImport;
import io.xenha.cib.HaresourcesImport;
import io.xenha.cib.ImportResult;
import io.xenha.config.Problem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `xenha import cib|haresources`: translate a Pacemaker / Heartbeat configuration to xenha HOCON (docs/import.md). */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Translate a Pacemaker or Heartbeat 2.x CIB, or a Heartbeat v1 haresources file, to xenha HOCON.",
      "Exit code 0: translated; 2: bad input (every problem is printed as FILE:LINE: ...)."
    },
    subcommands = {ImportCommand.Cib.class, ImportCommand.Haresources.class})
public final class ImportCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Where the configuration goes; shared by both subcommands. */
  static class Output {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
        description = "write the configuration to FILE instead of stdout (paths in it become relative to FILE)")
    Path output;

    @Option(names = "--force", description = "overwrite files written before (domain XML, secrets, --output)")
    boolean force;

    /** Prints errors and notes, writes the files and the configuration; returns the exit code. */
    int finish(ImportResult r) {
      PrintStream err = System.err;
      for (String e : r.errors()) err.println(e);
      if (!r.ok()) {
        int n = r.errors().size();
        err.println(n + (n == 1 ? " problem" : " problems") + "; nothing written");
        return 2;
      }
      for (String n : r.notes()) err.println("note: " + n);
      try {
        if (output != null && !force && Files.exists(output)) {
          err.println(output + " exists (use --force to overwrite it)");
          return 2;
        }
        for (Path p : r.writeFiles(force)) {
          err.println((r.secrets().contains(p) ? "wrote secret (mode 0600): " : "wrote: ") + p);
        }
        if (output != null) {
          if (output.toAbsolutePath().getParent() != null) Files.createDirectories(output.toAbsolutePath().getParent());
          Files.writeString(output, r.hocon(), StandardCharsets.UTF_8);
          err.println("wrote: " + output);
          warnings(output, output, err);
        } else {
          System.out.print(r.hocon());
          System.out.flush();
          // paths in it are absolute without --output, so a copy anywhere reads the same files
          Path copy = Files.createTempFile("xenha-import-", ".conf");
          try {
            Files.writeString(copy, r.hocon(), StandardCharsets.UTF_8);
            warnings(copy, Path.of("<stdout>"), err);
          } finally {
            Files.deleteIfExists(copy);
          }
        }
      } catch (IOException e) {
        err.println("cannot write: " + e.getMessage());
        return 2;
      }
      return 0;
    }

    /**
     * What `xenha verify` would warn about in the configuration written, as verify prints it (to stderr, with
     * {@code shownAs} for the file). Errors here come from this machine (an agent that is not installed), not from
     * the translation; they are counted, not listed.
     */
    private static void warnings(Path written, Path shownAs, PrintStream err) {
      Verification.Result v = Verification.run(written, java.util.Optional.empty());
      for (Problem p : v.problems()) {
        if (p.warning()) {
          Path file = p.file().equals(written) ? shownAs : p.file();
          err.println(new Problem(file, p.line(), p.key(), p.message(), true).format());
        }
      }
      long errors = v.errors();
      if (errors > 0) {
        err.println("note: `xenha verify` finds " + errors + (errors == 1 ? " error" : " errors") + " in it on this"
            + " machine (e.g. an agent that is not installed here); run it where the cluster runs");
      }
    }

    Path dir() {
      Path parent = output == null ? null : output.toAbsolutePath().getParent();
      return parent != null ? parent : Path.of("").toAbsolutePath();
    }
  }

  /** `xenha import cib CIB.xml`. */
  @Command(name = "cib", mixinStandardHelpOptions = true,
      description = "Translate a Pacemaker (1.0 and later) or Heartbeat 2.1 CIB (cibadmin -Q) to xenha HOCON.")
  static final class Cib implements Callable<Integer> {
    @Parameters(paramLabel = "CIB.xml", description = "the CIB") Path cib;

    @CommandLine.Mixin Output output = new Output();

    @Option(names = "--out-dir", paramLabel = "DIR",
        description = "where placeholder domain XML files are written (default: next to --output, else the current directory)")
    Path outDir;

    @Option(names = "--secrets-dir", paramLabel = "DIR",
        description = "where clear-text passwords of the CIB are written, one file each, mode 0600 (default: as --out-dir)")
    Path secretsDir;

    @Override
    public Integer call() {
      Path out = outDir != null ? outDir : output.dir();
      Path secrets = secretsDir != null ? secretsDir : out;
      Path configDir = output.output == null ? null : output.dir();
      return output.finish(CibImport.translate(cib, new CibImport.Options(out, secrets, configDir)));
    }
  }

  /** `xenha import haresources FILE`. */
  @Command(name = "haresources", mixinStandardHelpOptions = true,
      description = "Translate a Heartbeat v1 haresources file to xenha HOCON.")
  static final class Haresources implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the haresources file") Path file;

    @CommandLine.Mixin Output output = new Output();

    @Option(names = "--nodes", split = ",", paramLabel = "NODE",
        description = "more nodes of the cluster (ha.cf's node lines); haresources names only the preferred ones")
    List<String> nodes = new ArrayList<>();

    @Override
    public Integer call() {
      return output.finish(HaresourcesImport.translate(file, nodes));
    }
  }
}
