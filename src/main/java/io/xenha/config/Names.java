package io.xenha.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" suggestions for misspelt keys, resource ids and node names. */
public final class Names {
  private Names() {}

  /**
   * The candidate closest to {@code name} when it is close enough to be a likely typo, compared
   * case-insensitively with '_' read as '-' (Heartbeat and old Pacemaker spell options with '_').
   * A candidate's trailing words count too, so "stickyness" finds "resource-stickiness".
   */
  public static Optional<String> closest(String name, Collection<String> candidates) {
    String n = normalize(name);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    // sorted: a tie goes to the same candidate on every run
    for (String c : new java.util.TreeSet<>(candidates)) {
      int d = distanceToCandidate(n, normalize(c));
      if (d < bestDistance && close(n, d)) {
        best = c;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** " (did you mean 'x'?)" or "" when nothing is close. */
  public static String didYouMean(String name, Collection<String> candidates) {
    return closest(name, candidates).map(c -> " (did you mean '" + c + "'?)").orElse("");
  }

  private static boolean close(String name, int distance) {
    // a short name that must be rewritten entirely is no typo
    return distance < name.length() && (distance <= 2 || distance * 3 <= name.length());
  }

  private static int distanceToCandidate(String name, String candidate) {
    int d = levenshtein(name, candidate);
    for (int i = candidate.indexOf('-'); i >= 0; i = candidate.indexOf('-', i + 1)) {
      d = Math.min(d, levenshtein(name, candidate.substring(i + 1)));
    }
    return d;
  }

  private static String normalize(String s) {
    return s.toLowerCase().replace('_', '-');
  }

  /** Edit distance with insertions, deletions and substitutions, two rows of memory. */
  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
