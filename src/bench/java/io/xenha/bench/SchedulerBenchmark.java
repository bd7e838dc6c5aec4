package io.xenha.bench;

import io.xenha.cib.CibXml;
import io.xenha.scheduler.engine.CibInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.PolicyEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The policy engine on generated CIBs ({@link CibGenerator}), in-process: {@code plan} is PolicyEngine.run alone
 * (a fresh Input is built before each call, outside the measurement, since the engine works on it in place),
 * {@code readInput} is CibInput.read on the parsed CIB and {@code parseCib} is CibXml.read of the file. The CIBs are
 * read from the directory in -Dxenha.bench.cibs (cib-NxM-VARIANT.xml, as scripts/bench-scheduler.sh writes them)
 * or generated into a temporary directory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// -Xss: the engine's ordering propagation recurses deeper than the default 1 MiB stack on 32x5000 failover
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx8g", "-Xss1g"})
public class SchedulerBenchmark {
  @Param({"16x1000", "32x5000", "100x10000"})
  public String size;

  @Param({"initial", "failover"})
  public String variant;

  Path file;
  CibXml xml;

  @Setup(Level.Trial)
  public void load() throws CibXml.Invalid {
    file = cib(size, variant);
    xml = CibXml.read(file);
  }

  /** An Input the engine has not touched yet, for each call of plan. */
  @State(Scope.Thread)
  public static class FreshInput {
    Input input;

    @Setup(Level.Invocation)
    public void build(SchedulerBenchmark b) {
      input = CibInput.read(b.xml);
    }
  }

  @Benchmark
  public PolicyEngine.Result plan(FreshInput fresh) {
    return PolicyEngine.run(fresh.input);
  }

  @Benchmark
  public Input readInput() {
    return CibInput.read(xml);
  }

  @Benchmark
  public CibXml parseCib() throws CibXml.Invalid {
    return CibXml.read(file);
  }

  /** The CIB for "NxM" and a variant: from -Dxenha.bench.cibs when it is there, else generated now. */
  static Path cib(String size, String variant) {
    String name = "cib-" + size + "-" + variant + ".xml";
    String dir = System.getProperty("xenha.bench.cibs");
    try {
      if (dir != null && Files.exists(Path.of(dir, name))) return Path.of(dir, name);
      Path out = Files.createTempDirectory("xenha-bench-").resolve(name);
      String[] nm = size.split("x");
      new CibGenerator(Integer.parseInt(nm[0]), Integer.parseInt(nm[1]), 42).write(out, variant.equals("failover"), false);
      out.getParent().toFile().deleteOnExit(); // deleted in reverse order: the file, then its directory
      out.toFile().deleteOnExit();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
