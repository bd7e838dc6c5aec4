package io.xenha.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Helpers for tests on libvirt's in-process test driver: a private dom0 per URI, minimal domain XML. */
public final class TestLibvirt {

  private TestLibvirt() {}

  /** Writes the test node description into dir and returns its test:/// URI. */
  public static String nodeUri(Path dir) {
    Path node = dir.resolve("node.xml");
    try (InputStream in = TestLibvirt.class.getResourceAsStream("/hypervisor/node.xml")) {
      Files.copy(in, node, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "test://" + node.toAbsolutePath();
  }

  /** A domain the test driver accepts. */
  public static String domainXml(String name) {
    return "<domain type='test'><name>" + name + "</name><memory>262144</memory><vcpu>1</vcpu>"
        + "<os><type>hvm</type></os></domain>";
  }
}
