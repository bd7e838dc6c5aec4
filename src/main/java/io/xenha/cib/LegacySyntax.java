package io.xenha.cib;

/**
 * Rewrites the Heartbeat 2.1 (CIB 0.6) syntax of a CIB into the current one in place, so that every reader
 * sees one syntax: {@code <attributes>} wrappers, {@code clone_max}-style names with underscores,
 * {@code from/to/type} orders, {@code target_role}, {@code allow_migrate}. A current CIB is left unchanged.
 */
final class LegacySyntax {
  private LegacySyntax() {}

  static void normalize(CibXml cib) {
    // Filled in with the Heartbeat 2.1 import.
  }
}
