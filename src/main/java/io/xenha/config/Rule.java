package io.xenha.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A location rule in crmsh's syntax, {@code SCORE: EXPR}, as parsed from a configuration file.
 * score is the fixed score, or null when scoreAttribute names the node attribute whose value is the score
 * (Pacemaker's score-attribute). The expressions are joined by and ({@code or == false}) or by or, never both,
 * as a Pacemaker rule has one boolean-op. Evaluated by the scheduler ({@code scheduler.engine.Rules}), the one
 * place that gives rules their meaning.
 */
public record Rule(String text, Integer score, String scoreAttribute, boolean or, List<Expression> expressions) {
  public static final List<String> OPERATORS = List.of("lt", "gt", "lte", "gte", "eq", "ne");
  public static final List<String> TYPES = List.of("number", "integer", "string", "version");

  /** One term of a rule. */
  public sealed interface Expression permits Defined, Comparison {}

  /** {@code defined ATTR}, or {@code not_defined ATTR} when negated. */
  public record Defined(String attribute, boolean negated) implements Expression {}

  /** {@code ATTR [TYPE:]OP VALUE}; type null: Pacemaker's default (numbers for lt/gt/lte/gte, else text). */
  public record Comparison(String attribute, String op, String type, String value) implements Expression {}

  /** A rule that cannot be parsed; column is 1-based within the rule's text. */
  public static final class Invalid extends IllegalArgumentException {
    private final int column;

    Invalid(int column, String message) {
      super("column " + column + ": " + message);
      this.column = column;
    }

    public int column() {
      return column;
    }
  }

  @Override
  public String toString() {
    return text;
  }

  // ---- parsing

  private record Token(String text, int column) {}

  /** Parses {@code SCORE: EXPR}; throws {@link Invalid} naming the column and token at fault. */
  public static Rule parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new Invalid(1, "expected SCORE: EXPRESSION, e.g. \"-INFINITY: not_defined pingd or pingd lte 0\"");
    }
    String scoreText = text.substring(0, colon).strip();
    int scoreColumn = 1 + indexOfNonBlank(text);
    if (scoreText.isEmpty()) throw new Invalid(colon + 1, "missing score before ':' (an integer, INFINITY, -INFINITY or an attribute name)");
    if (scoreText.chars().anyMatch(Character::isWhitespace)) {
      throw new Invalid(scoreColumn, "expected SCORE: EXPRESSION, got '" + scoreText + "' before ':'");
    }
    Integer score = null;
    String scoreAttribute = null;
    try {
      score = Score.parse(scoreText);
    } catch (IllegalArgumentException e) {
      if (!scoreText.matches("[#A-Za-z_][A-Za-z0-9_.#-]*")) {
        throw new Invalid(scoreColumn, "invalid score '" + scoreText + "' (an integer, INFINITY, -INFINITY or an attribute name)");
      }
      scoreAttribute = scoreText;
    }
    List<Token> tokens = tokenize(text, colon + 1);
    if (tokens.isEmpty()) throw new Invalid(text.length() + 1, "missing expression after ':'");
    int[] pos = {0};
    List<Expression> exprs = new ArrayList<>();
    exprs.add(term(tokens, pos, text));
    String joint = null;
    while (pos[0] < tokens.size()) {
      Token t = tokens.get(pos[0]++);
      String word = t.text().toLowerCase();
      if (!word.equals("and") && !word.equals("or")) {
        throw new Invalid(t.column(), "expected and or or, got '" + t.text() + "'");
      }
      if (joint != null && !joint.equals(word)) {
        throw new Invalid(t.column(), "a rule joins its expressions with either and or or, not both");
      }
      joint = word;
      exprs.add(term(tokens, pos, text));
    }
    return new Rule(text.strip(), score, scoreAttribute, "or".equals(joint), List.copyOf(exprs));
  }

  private static Expression term(List<Token> tokens, int[] pos, String text) {
    Token first = next(tokens, pos, text, "an expression (defined ATTR, not_defined ATTR or ATTR OP VALUE)");
    String word = first.text().toLowerCase();
    if (word.equals("(") || word.equals(")")) throw new Invalid(first.column(), "parentheses are not supported");
    if (word.equals("date")) throw new Invalid(first.column(), "date expressions are not supported");
    if (word.equals("and") || word.equals("or")) {
      throw new Invalid(first.column(), "expected an expression, got '" + first.text() + "'");
    }
    if (word.equals("defined") || word.equals("not_defined")) {
      Token attr = next(tokens, pos, text, "an attribute name after '" + first.text() + "'");
      return new Defined(attr.text(), word.equals("not_defined"));
    }
    Token opToken = next(tokens, pos, text, "an operator (" + String.join(", ", OPERATORS) + ") after '" + first.text() + "'");
    String op = opToken.text().toLowerCase();
    String type = null;
    int sep = op.indexOf(':');
    if (sep >= 0) {
      type = op.substring(0, sep);
      op = op.substring(sep + 1);
      if (!TYPES.contains(type)) {
        throw new Invalid(opToken.column(), "unknown type '" + type + "' (" + String.join(", ", TYPES) + ")"
            + Names.didYouMean(type, TYPES));
      }
      if (type.equals("integer")) type = "number";
    }
    if (!OPERATORS.contains(op)) {
      throw new Invalid(opToken.column(), "unknown operator '" + opToken.text() + "' after '" + first.text() + "' ("
          + String.join(", ", OPERATORS) + ")" + Names.didYouMean(op, OPERATORS));
    }
    Token value = next(tokens, pos, text, "a value after '" + opToken.text() + "'");
    return new Comparison(first.text(), op, type, value.text());
  }

  private static Token next(List<Token> tokens, int[] pos, String text, String expected) {
    if (pos[0] >= tokens.size()) throw new Invalid(text.stripTrailing().length() + 1, "expected " + expected + " at the end");
    return tokens.get(pos[0]++);
  }

  /** Blank-separated words; "..." and '...' quote a value with blanks. Parentheses are tokens of their own. */
  private static List<Token> tokenize(String text, int from) {
    List<Token> out = new ArrayList<>();
    int i = from;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'') {
        int end = text.indexOf(c, i + 1);
        if (end < 0) throw new Invalid(i + 1, "unterminated quote");
        out.add(new Token(text.substring(i + 1, end), i + 1));
        i = end + 1;
      } else if (c == '(' || c == ')') {
        out.add(new Token(String.valueOf(c), i + 1));
        i++;
      } else {
        int start = i;
        while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "()\"'".indexOf(text.charAt(i)) < 0) i++;
        out.add(new Token(text.substring(start, i), start + 1));
      }
    }
    return out;
  }

  private static int indexOfNonBlank(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }
}
