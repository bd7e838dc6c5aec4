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

  @Test
  void recordsIncludesWithTheirObjectAndLineAndReadsIncludeAsAKeyToo() {
    String text = """
        xenha {
          include "base"
          resources { include required(file("/etc/xenha/vms.conf")), web { type = domain } }
          include = 5
          nodes { include classpath("nodes.conf") }
        }
        """;
    DuplicateScanner.Scan scan = DuplicateScanner.scan(text);
    assertEquals(List.of(
        new DuplicateScanner.Include(List.of("xenha"), 2, "include \"base\"", false, "", "base"),
        new DuplicateScanner.Include(List.of("xenha", "resources"), 3,
            "include required(file(\"/etc/xenha/vms.conf\"))", true, "file", "/etc/xenha/vms.conf"),
        new DuplicateScanner.Include(List.of("xenha", "nodes"), 5, "include classpath(\"nodes.conf\")", false,
            "classpath", "nodes.conf")), scan.includes());
    // the rest of an include's line is read on: web's block is found
    assertEquals(List.of(3), scan.definitions().get(List.of("xenha", "resources", "web")));
  }

  @Test
  void bracketsFindsTheUnclosedOneAndIgnoresStringsCommentsAndSubstitutions() {
    assertEquals(java.util.Optional.empty(), Brackets.unclosed("a { b = \"}\" } # {\nc = ${?X}\n"));
    assertEquals(new Brackets.Unclosed(2, "xenha.constraints.order", "unclosed '[': no ']' closes it before the '}' at"
        + " line 3"), Brackets.unclosed("xenha {\n  constraints.order = [ { first = a, then = b }\n}\n").orElseThrow());
    assertEquals(new Brackets.Unclosed(1, "a", "unclosed '[': no ']' closes it before the end of the file"),
        Brackets.unclosed("a = [ 1, 2\n").orElseThrow());
  }
}
