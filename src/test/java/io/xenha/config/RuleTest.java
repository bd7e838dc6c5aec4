package io.xenha.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.scheduler.engine.Rules;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Location rules: crmsh's syntax (parsed here), Pacemaker's meaning (the scheduler's Rules), errors naming the column. */
class RuleTest {

  @Test
  void pingdRuleOfTheSeed() {
    Rule r = Rule.parse("-INFINITY: not_defined pingd or pingd lte 0");
    assertEquals(Score.MINUS_INFINITY, r.score());
    assertTrue(r.or());
    assertEquals(Score.MINUS_INFINITY, Rules.score(r, Map.of()));
    assertEquals(Score.MINUS_INFINITY, Rules.score(r, Map.of("pingd", "0")));
    assertNull(Rules.score(r, Map.of("pingd", "100")));
  }

  @Test
  void andNeedsEveryTerm() {
    Rule r = Rule.parse("50: defined pingd and pingd gt 10");
    assertFalse(r.or());
    assertEquals(50, Rules.score(r, Map.of("pingd", "100")));
    assertNull(Rules.score(r, Map.of("pingd", "5")));
    assertNull(Rules.score(r, Map.of()));
  }

  @Test
  void scoreAttributeTakesTheNodesValue() {
    Rule r = Rule.parse("pingd: defined pingd");
    assertNull(r.score());
    assertEquals("pingd", r.scoreAttribute());
    assertEquals(200, Rules.score(r, Map.of("pingd", "200")));
    assertNull(Rules.score(r, Map.of()), "a node without the attribute gets nothing");
    assertEquals(0, Rules.score(r, Map.of("pingd", "lots")), "read as Pacemaker reads a score: no leading integer is 0");
  }

  @Test
  void comparisonTypes() {
    // numbers compare as numbers by default, text as text
    assertTrue(Rules.matches(Rule.parse("1: pingd gt 9"), Map.of("pingd", "10")));
    assertFalse(Rules.matches(Rule.parse("1: pingd string:gt 9"), Map.of("pingd", "10")));
    assertTrue(Rules.matches(Rule.parse("1: pingd number:lte 0"), Map.of("pingd", "-1")));
    assertTrue(Rules.matches(Rule.parse("1: kernel version:gte 2.6.16"), Map.of("kernel", "2.6.100")));
    assertFalse(Rules.matches(Rule.parse("1: kernel version:lt 2.6"), Map.of("kernel", "2.6.0")));
    assertTrue(Rules.matches(Rule.parse("1: #uname eq \"node1\""), Map.of("#uname", "node1")));
    assertTrue(Rules.matches(Rule.parse("1: #uname ne node1"), Map.of("#uname", "node2")));
    // Pacemaker: an undefined attribute satisfies ne and nothing else
    assertTrue(Rules.matches(Rule.parse("1: site ne east"), Map.of()));
    assertFalse(Rules.matches(Rule.parse("1: site eq east"), Map.of()));
    assertEquals(Score.INFINITY, Rules.score(Rule.parse("INFINITY : #is_dc eq true"), Map.of("#is_dc", "true")));
  }

  @Test
  void errorsNameTheColumn() {
    assertError("pingd lte 0", 1, "expected SCORE: EXPRESSION");
    assertError(": defined pingd", 1, "missing score");
    assertError("-INFINITY:", 11, "missing expression");
    assertError("-INFINITY: not_defined pingd or pingd lte 0 and defined x", 45,
        "a rule joins its expressions with either and or or, not both");
    assertError("-INFINITY: pingd less 0", 18, "unknown operator 'less' after 'pingd'");
    assertError("-INFINITY: pingd float:lte 0", 18, "unknown type 'float'");
    assertError("-INFINITY: pingd lte", 21, "expected a value after 'lte' at the end");
    assertError("-INFINITY: defined", 19, "expected an attribute name after 'defined'");
    assertError("-INFINITY: defined pingd pingd", 26, "expected and or or, got 'pingd'");
    assertError("-INFINITY: date gt 2026-01-01", 12, "date expressions are not supported");
    assertError("-INFINITY: ( defined pingd )", 12, "parentheses are not supported");
    assertError("1 2: defined pingd", 1, "expected SCORE: EXPRESSION, got '1 2'");
    assertError("5x!: defined pingd", 1, "invalid score '5x!'");
  }

  private static void assertError(String rule, int column, String part) {
    Rule.Invalid e = assertThrows(Rule.Invalid.class, () -> Rule.parse(rule));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
  }
}
