package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void levenshtein() {
    assertEquals(0, Names.levenshtein("abc", "abc"));
    assertEquals(3, Names.levenshtein("kitten", "sitting"));
    assertEquals(4, Names.levenshtein("", "abcd"));
  }

  @Test
  void suggestions() {
    List<String> keys = ModelBuilder.PROPERTY_KEYS;
    assertEquals(Optional.of("stonith-enabled"), Names.closest("stonith-enable", keys));
    assertEquals(Optional.of("no-quorum-policy"), Names.closest("no_quorum_policy", keys));
    assertEquals(Optional.of("default-resource-stickiness"), Names.closest("resource-stickyness", keys));
    assertEquals(Optional.empty(), Names.closest("colour", keys));
    assertEquals(Optional.empty(), Names.closest("ab", List.of("xy")));
    assertEquals(" (did you mean 'web1'?)", Names.didYouMean("webx", List.of("web2", "web1", "db")));
    assertEquals("", Names.didYouMean("zzzzzz", List.of("web2", "web1", "db")));
  }
}
