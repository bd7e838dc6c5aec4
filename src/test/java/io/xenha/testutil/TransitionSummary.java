package io.xenha.testutil;

import java.util.ArrayList;
import java.util.List;

/** crm_simulate's (and `xenha simulate`'s) Transition Summary, as the scheduler tests compare it. */
public final class TransitionSummary {

  private TransitionSummary() {}

  /** The lines between "Transition Summary:" and "Executing Cluster Transition:", whitespace collapsed. */
  public static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : text.split("\n")) {
      if (line.startsWith("Transition Summary:")) {
        in = true;
        continue;
      }
      if (line.startsWith("Executing Cluster Transition:")) break;
      if (in && !line.isBlank()) out.add(line.trim().replaceAll("\\s+", " "));
    }
    return out;
  }
}
