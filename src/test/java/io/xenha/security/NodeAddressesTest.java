package io.xenha.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xenha.config.ConfigLoader;
import io.xenha.config.XenhaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Controller's hook: a message naming a node must come from an actor at that node's configured address. */
class NodeAddressesTest {

  @Test
  void onlyTheNodesConfiguredAddressSpeaksForIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("c.conf");
    Files.writeString(f, "xenha { cluster-name = c, nodes { n1.address = \"10.0.0.1:2551\", n2.address = \"10.0.0.2:2551\" } }\n");
    XenhaConfig config = ConfigLoader.load(f).config().orElseThrow();
    NodeAddresses on1 = new NodeAddresses(config, "n1");
    assertNull(on1.misfit("n2", new Address("pekko", "c", "10.0.0.2", 2551)));
    assertNull(on1.misfit("n1", new Address("pekko", "c")), "a local actor is this node's");
    assertEquals("a message of this node (n1) says it comes from n2", on1.misfit("n2", new Address("pekko", "c")));
    assertEquals("the message says it comes from n2, but n1 is configured at 10.0.0.1:2551",
        on1.misfit("n2", new Address("pekko", "c", "10.0.0.1", 2551)));
    assertEquals("no node is configured at 10.0.0.2:2999", on1.misfit("n2", new Address("pekko", "c", "10.0.0.2", 2999)));
  }
}
