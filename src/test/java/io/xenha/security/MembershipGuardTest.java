package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who the membership guard downs: anything but a configured node's agent at that node's address. */
class MembershipGuardTest {

  static final Map<String, Set<String>> NODES = Map.of("10.0.0.1:2551", Set.of("n1"), "10.0.0.2:2551", Set.of("n2"));

  @Test
  void aConfiguredNodeAtItsAddressStays() {
    assertNull(MembershipGuard.misfit("10.0.0.1", 2551, Set.of("xenha-node:n1", "dc-default"), NODES));
    // in-JVM test clusters: every node at 127.0.0.1:0, any port
    Map<String, Set<String>> anyPort = Map.of("127.0.0.1:0", Set.of("n1", "n2", "n3"));
    assertNull(MembershipGuard.misfit("127.0.0.1", 41234, Set.of("xenha-node:n3"), anyPort));
  }

  @Test
  void anythingElseIsDowned() {
    assertEquals("no node is configured at 10.0.0.9:2551",
        MembershipGuard.misfit("10.0.0.9", 2551, Set.of("xenha-node:n2"), NODES));
    assertEquals("no node is configured at 10.0.0.1:2552",
        MembershipGuard.misfit("10.0.0.1", 2552, Set.of("xenha-node:n1"), NODES));
    assertEquals("it says it is n2, but n1 is configured at 10.0.0.1:2551",
        MembershipGuard.misfit("10.0.0.1", 2551, Set.of("xenha-node:n2"), NODES));
    assertEquals("it is not a xenha agent (no xenha-node:NAME role); n1 is configured there",
        MembershipGuard.misfit("10.0.0.1", 2551, Set.of("dc-default"), NODES));
  }
}
