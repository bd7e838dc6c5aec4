package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden scenarios: each directory under test resources {@code scheduler/} holds an {@code input.json}
 * (see {@link SnapshotFixture}) and the {@code expected.txt} summary, followed by one "Warning: ..." line
 * per warning. Whitespace runs compare equal, so column padding is free. A scenario with an {@code engine-gap.txt}
 * expects what Pacemaker does where the engine does not yet: it is skipped with that file's reason.
 */
class SchedulerScenarioTest {

  static Stream<String> scenarios() throws IOException, URISyntaxException {
    Path root = Path.of(SchedulerScenarioTest.class.getResource("/scheduler").toURI());
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.exists(d.resolve("input.json")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void scenario(String name) throws Exception {
    Path dir = Path.of(SchedulerScenarioTest.class.getResource("/scheduler/" + name).toURI());
    ClusterSnapshot snapshot = SnapshotFixture.load(dir.resolve("input.json"));

    Transition t = Scheduler.plan(snapshot);

    String actual = render(t);
    String expected = normalize(Files.readString(dir.resolve("expected.txt")));
    Path gap = dir.resolve("engine-gap.txt");
    if (Files.exists(gap)) {
      // expected.txt holds what Pacemaker does; the engine does not yet: reported, not hidden
      assertNotEquals(expected, normalize(actual), "the engine does this now: remove " + gap.getFileName());
      Assumptions.abort("engine gap: " + Files.readString(gap).strip() + "\n" + actual);
    }
    assertEquals(expected, normalize(actual), actual);
    TransitionInvariants.check(snapshot, t);
    assertEquals(t, Scheduler.plan(snapshot), "planning twice gives a different transition");
  }

  static String render(Transition t) {
    StringBuilder sb = new StringBuilder(Scheduler.format(t));
    for (String w : t.warnings()) sb.append("Warning: ").append(w).append('\n');
    return sb.toString();
  }

  static String normalize(String text) {
    return Arrays.stream(text.split("\n"))
        .map(l -> l.trim().replaceAll("\\s+", " "))
        .filter(l -> !l.isEmpty())
        .collect(Collectors.joining("\n"));
  }
}
