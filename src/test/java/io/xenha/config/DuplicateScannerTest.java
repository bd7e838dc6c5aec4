package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DuplicateScannerTest {
  @Test
  void findsBlocksThroughPathsCommentsStringsAndArrays() {
    String text = """
        # a comment with { braces
        xenha {
          resources {
            web1 { type = domain, domain-xml = "a{b}.xml" }   // trailing { comment
            list = [ { x = 1 }, "]" ]
            "quoted.id" { s = \"\"\"multi
        line { \"\"\" }
            web1 = { priority = 2 }
          }
          resources.web1 { x = ${?Y} }
          resources.db.type = domain
        }
        """;
    Map<List<String>, List<Integer>> defs = DuplicateScanner.objectDefinitions(text);
    assertEquals(List.of(4, 8, 10), defs.get(List.of("xenha", "resources", "web1")));
    assertEquals(List.of(6), defs.get(List.of("xenha", "resources", "quoted.id")));
    assertEquals(List.of(3), defs.get(List.of("xenha", "resources")));
    assertEquals(null, defs.get(List.of("xenha", "resources", "db")));
  }
}
