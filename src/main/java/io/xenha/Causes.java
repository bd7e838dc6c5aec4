package io.xenha;

/** Reading a wrapped exception: the part worth one line of a message, and whether a cause of a kind is in the chain. */
public final class Causes {

  private Causes() {}

  /**
   * The innermost cause's message (RMI, JNDI, JDBC and futures wrap the useful part, "Connection refused" or "No
   * space left on device", deep down); the outer message or the class name when it has none.
   */
  public static String rootReason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getMessage();
    }
    return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
  }

  /** Whether t or one of its causes is a {@code kind}. */
  public static boolean has(Throwable t, Class<? extends Throwable> kind) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (kind.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
