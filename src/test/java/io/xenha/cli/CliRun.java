package io.xenha.cli;

import io.xenha.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a `xenha` command in this JVM, capturing what it prints: for tests of the CLI. */
public final class CliRun {

  /** A command's exit code and output. */
  public record Run(int code, String out, String err) {}

  private CliRun() {}

  /** Runs Main with args, System.out and System.err captured (and restored after). */
  public static synchronized Run xenha(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = System.out;
    PrintStream e = System.err;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(o);
      System.setErr(e);
    }
  }
}
