package io.xenha.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection lab's short run for CI (#15): 3 dom0s fenced over IPMI, fixed seeds, overlapping faults, and
 * the outside checker: no domU twice, none recovered before its host's fence, everything running again within 60 s
 * of the last heal, every start the checker saw in the history. The long run is scripts/lab/chaos.
 */
class ChaosIT {

  /** One fixed seed: a run costs about two minutes, and the whole suite has to stay under 30 minutes on 2 cores. */
  static final long[] SEEDS = {11};

  @Test
  void fixedSeedsRunNothingTwiceRecoverNothingEarlyAndStallNothing(@TempDir Path dir) throws Exception {
    NetnsLab.assumeLab();
    for (long seed : SEEDS) {
      Chaos.Schedule s = Chaos.generate(seed, 3, 6, Duration.ofSeconds(40));
      Chaos.RunResult r = Chaos.run(dir.resolve("seed-" + seed), s);
      assertTrue(r.ok(), "seed " + seed + ", faults " + s.faults().stream().map(Chaos.Fault::describe).toList() + ": "
          + r.findings());
    }
  }
}
