package io.xenha.bench;

import io.xenha.cib.CibXml;
import io.xenha.scheduler.engine.CibInput;
import io.xenha.scheduler.engine.Input;
import io.xenha.scheduler.engine.PolicyEngine;
import java.nio.file.Path;

/**
 * Parses a CIB once and plans it RUNS times (a fresh Input each time), printing each phase's time: a driver to
 * profile the engine under, e.g. with -XX:StartFlightRecording.
 *
 * <pre>java -cp ... io.xenha.bench.PlanOnce CIB.xml [RUNS]</pre>
 */
public final class PlanOnce {
  public static void main(String[] args) throws Exception {
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    long t0 = System.nanoTime();
    CibXml xml = CibXml.read(Path.of(args[0]));
    long t1 = System.nanoTime();
    System.out.printf("parse %.1f ms%n", (t1 - t0) / 1e6);
    for (int i = 0; i < runs; i++) {
      long a = System.nanoTime();
      Input in = CibInput.read(xml);
      long b = System.nanoTime();
      PolicyEngine.Result r = PolicyEngine.run(in);
      long c = System.nanoTime();
      System.out.printf("run %d: read %.1f ms, plan %.1f ms, %d summary lines%n", i + 1, (b - a) / 1e6, (c - b) / 1e6,
          r.summary().size());
    }
  }
}
