package io.xenha.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One object of the configuration with typed, validating getters: a bad value becomes a Problem
 * (placed at the value, named by its full key path) and the getter returns the default instead.
 */
final class Section {
  final ConfigObject obj;
  final String path;
  private final Config cfg;
  private final Problems problems;

  Section(ConfigObject obj, String path, Problems problems) {
    this.obj = obj;
    this.path = path;
    this.cfg = obj.toConfig();
    this.problems = problems;
  }

  String keyPath(String key) {
    return path + "." + ConfigUtil.joinPath(key);
  }

  /** The value at {@code key}, or null when missing or set to null. */
  ConfigValue value(String key) {
    ConfigValue v = obj.get(key);
    return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
  }

  boolean has(String key) {
    return value(key) != null;
  }

  void error(String key, String message) {
    ConfigValue v = value(key);
    problems.error(v != null ? v.origin() : obj.origin(), keyPath(key), message);
  }

  void missing(String key, String what) {
    problems.error(obj.origin(), keyPath(key), "missing key '" + key + "' (" + what + ")");
  }

  /** Reports every key not in {@code known}; {@code elsewhere} maps keys valid in other contexts to why not here. */
  void checkKeys(Collection<String> known, Map<String, String> elsewhere) {
    // keySet, not entrySet: Typesafe's entrySet puts every entry in a HashSet, hashing each value's whole subtree
    for (String k : obj.keySet()) {
      if (known.contains(k)) continue;
      String msg;
      if (elsewhere.containsKey(k)) {
        msg = "key '" + k + "' " + elsewhere.get(k);
      } else {
        msg = "unknown key '" + k + "'" + Names.didYouMean(k, known);
      }
      problems.error(obj.get(k).origin(), keyPath(k), msg);
    }
  }

  void checkKeys(Collection<String> known) {
    checkKeys(known, Map.of());
  }

  /** The nested object at {@code key}; null (with an error when the value is not an object) otherwise. */
  Section section(String key) {
    ConfigValue v = value(key);
    if (v == null) return null;
    if (v.valueType() != ConfigValueType.OBJECT) {
      error(key, "expected an object { ... }, got " + describe(v));
      return null;
    }
    return new Section((ConfigObject) v, keyPath(key), problems);
  }

  String string(String key, String dflt) {
    if (!has(key)) return dflt;
    ConfigValue v = value(key);
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      error(key, "expected a string, got " + describe(v));
      return dflt;
    }
    String s = String.valueOf(v.unwrapped());
    if (s.isBlank()) {
      error(key, "must not be empty");
      return dflt;
    }
    return s;
  }

  boolean bool(String key, boolean dflt) {
    if (!has(key)) return dflt;
    try {
      return cfg.getBoolean(ConfigUtil.joinPath(key));
    } catch (ConfigException e) {
      error(key, "expected true or false, got " + describe(value(key)));
      return dflt;
    }
  }

  int integer(String key, int dflt, int min, int max) {
    if (!has(key)) return dflt;
    ConfigValue v = value(key);
    long n;
    String text = String.valueOf(v.unwrapped()).strip();
    if (v.valueType() == ConfigValueType.STRING && BIG_INTEGER.matcher(text).matches()) {
      // HOCON reads digits beyond 64 bits as a string, and getLong would clamp it to Long.MAX_VALUE
      java.math.BigInteger big = new java.math.BigInteger(text.startsWith("+") ? text.substring(1) : text);
      if (big.bitLength() > 63) {
        error(key, "out of range: must be " + range(min, max, true) + ", got " + text);
        return dflt;
      }
    }
    try {
      n = cfg.getLong(ConfigUtil.joinPath(key));
      if (v.valueType() == ConfigValueType.NUMBER && !(v.unwrapped() instanceof Integer || v.unwrapped() instanceof Long)) {
        throw new ConfigException.BadValue(key, "not an integer");
      }
    } catch (ConfigException e) {
      error(key, "expected an integer, got " + describe(v));
      return dflt;
    }
    if (n < min) {
      error(key, "must be " + range(min, max, false) + ", got " + n);
      return dflt;
    }
    if (n > max) {
      // above 2^31 - 1 the bound is the integer's size: say so rather than "1 or more"
      error(key, (n > Integer.MAX_VALUE ? "out of range: " : "") + "must be " + range(min, max, true) + ", got " + n);
      return dflt;
    }
    return (int) n;
  }

  private static final java.util.regex.Pattern BIG_INTEGER = java.util.regex.Pattern.compile("[+-]?\\d{19,}");

  /** A Pacemaker score: an integer, INFINITY or -INFINITY. */
  Integer score(String key, Integer dflt) {
    if (!has(key)) return dflt;
    ConfigValue v = value(key);
    Object u = v.unwrapped();
    if (v.valueType() == ConfigValueType.NUMBER && !(u instanceof Integer || u instanceof Long)) {
      error(key, "invalid score '" + u + "' (an integer, INFINITY or -INFINITY)");
      return dflt;
    }
    if (v.valueType() != ConfigValueType.NUMBER && v.valueType() != ConfigValueType.STRING) {
      error(key, "expected a score (an integer, INFINITY or -INFINITY), got " + describe(v));
      return dflt;
    }
    try {
      return Score.parse(String.valueOf(u));
    } catch (IllegalArgumentException e) {
      error(key, "invalid score '" + u + "' (an integer, INFINITY or -INFINITY)");
      return dflt;
    }
  }

  /**
   * A duration with a unit; a bare number is refused (Pacemaker reads seconds, HOCON milliseconds). It must be within
   * the key's range of {@link Limits#duration}, which the message states.
   */
  Duration duration(String key, Duration dflt, boolean allowZero) {
    if (!has(key)) return dflt;
    ConfigValue v = value(key);
    Duration d;
    if (v.valueType() == ConfigValueType.NUMBER) {
      if (((Number) v.unwrapped()).doubleValue() != 0) {
        error(key, "duration '" + v.unwrapped() + "' has no unit (write e.g. " + v.unwrapped() + "s)");
        return dflt;
      }
      d = Duration.ZERO;
    } else {
      try {
        d = cfg.getDuration(ConfigUtil.joinPath(key));
      } catch (ConfigException.WrongType e) {
        error(key, "expected a duration (e.g. 30s), got " + describe(v));
        return dflt;
      } catch (ConfigException e) {
        if (HUGE_DURATION.matcher(String.valueOf(v.unwrapped()).strip()).matches()) {
          // digits and a unit, too many to count in nanoseconds: a range problem, not a syntax one
          error(key, "must be " + Limits.duration(keyPath(key)).describe(allowZero) + ", got " + v.unwrapped());
        } else {
          error(key, "invalid duration '" + v.unwrapped() + "' (a number and a unit: ms, s, m, h, d)");
        }
        return dflt;
      }
    }
    if (d.isNegative() || (!allowZero && d.isZero())) {
      error(key, "must be " + (allowZero ? "0 or more" : "more than 0") + ", got " + v.unwrapped());
      return dflt;
    }
    Limits.Range range = Limits.duration(keyPath(key));
    if (!(d.isZero() && allowZero) && !range.contains(d)) {
      error(key, "must be " + range.describe(allowZero) + ", got " + v.unwrapped());
      return dflt;
    }
    return d;
  }

  private static final java.util.regex.Pattern HUGE_DURATION = java.util.regex.Pattern.compile("\\d+\\s*[a-z]+");

  /** A size in bytes with a unit (512M, 2G); a bare number is refused for the same reason as durations. */
  Long memorySize(String key) {
    if (!has(key)) return null;
    ConfigValue v = value(key);
    if (v.valueType() == ConfigValueType.NUMBER) {
      error(key, "size '" + v.unwrapped() + "' has no unit (write e.g. " + v.unwrapped() + "M)");
      return null;
    }
    try {
      long b = cfg.getBytes(ConfigUtil.joinPath(key));
      if (b <= 0) {
        error(key, "must be more than 0");
        return null;
      }
      return b;
    } catch (ConfigException.WrongType e) {
      error(key, "expected a size (e.g. 512M), got " + describe(v));
    } catch (ConfigException e) {
      error(key, "invalid size '" + v.unwrapped() + "' (a number and a unit: K, M, G, T)");
    }
    return null;
  }

  /** One of {@code allowed}, compared case-insensitively and returned as spelt in {@code allowed}. */
  String choice(String key, String dflt, List<String> allowed) {
    if (!has(key)) return dflt;
    ConfigValue v = value(key);
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
      error(key, "expected one of " + String.join(" | ", allowed) + ", got " + describe(v));
      return dflt;
    }
    String s = String.valueOf(v.unwrapped());
    for (String a : allowed) {
      if (a.equalsIgnoreCase(s)) return a;
    }
    error(key, "invalid value '" + s + "' (one of " + String.join(" | ", allowed) + ")" + Names.didYouMean(s, allowed));
    return dflt;
  }

  /** A list of strings; a single string is split at blanks and commas (Pacemaker's host lists). */
  List<String> stringList(String key) {
    if (!has(key)) return List.of();
    ConfigValue v = value(key);
    Set<String> out = new LinkedHashSet<>();
    if (v.valueType() == ConfigValueType.STRING) {
      for (String s : ((String) v.unwrapped()).split("[\\s,]+")) {
        if (!s.isEmpty()) out.add(s);
      }
      return new ArrayList<>(out);
    }
    if (v.valueType() != ConfigValueType.LIST) {
      error(key, "expected a list [ ... ], got " + describe(v));
      return List.of();
    }
    for (ConfigValue e : (ConfigList) v) {
      if (e.valueType() == ConfigValueType.OBJECT || e.valueType() == ConfigValueType.LIST
          || e.valueType() == ConfigValueType.NULL) {
        problems.error(e.origin(), keyPath(key), "expected a list of names, got " + describe(e) + " in it");
        continue;
      }
      out.add(String.valueOf(e.unwrapped()));
    }
    return new ArrayList<>(out);
  }

  static String describe(ConfigValue v) {
    if (v == null) return "nothing";
    switch (v.valueType()) {
      case OBJECT: return "an object";
      case LIST: return "a list";
      case NULL: return "null";
      case BOOLEAN: return "a boolean (" + v.unwrapped() + ")";
      case NUMBER: return "a number (" + v.unwrapped() + ")";
      default: return "'" + v.unwrapped() + "'";
    }
  }

  /** "1 or more"; {@code exact}: "between 1 and 2147483647" (for a value above the largest integer). */
  private static String range(int min, int max, boolean exact) {
    if (max == Integer.MAX_VALUE && !exact) return min + " or more";
    return "between " + min + " and " + max;
  }
}
