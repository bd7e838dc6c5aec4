package io.xenha.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real tmpfs for state-directory faults (read-only, full): mounted for the body, unmounted after. Needs root. */
public final class Tmpfs {

  private Tmpfs() {}

  public interface Body {
    void run(Path mounted) throws Exception;
  }

  /** Runs {@code body} on a tmpfs under {@code dir} mounted with {@code options} (skipped when it cannot be mounted). */
  public static void with(Path dir, String options, Body body) throws Exception {
    Path at = dir.resolve("mnt");
    try (AutoCloseable mounted = mount(at, options)) {
      body.run(at);
    }
  }

  /** A tmpfs mounted at {@code at} (created if missing) until closed; skips the test when it cannot be mounted. */
  public static AutoCloseable mount(Path at, String options) throws Exception {
    Files.createDirectories(at);
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "xenha-test", at.toString())
        .redirectErrorStream(true).start();
    assumeTrue(mount.waitFor() == 0, "mounting a tmpfs needs root");
    return () -> new ProcessBuilder("umount", "-l", at.toString()).inheritIO().start().waitFor();
  }

  /** Writes {@code file} until the file system is full. */
  public static void fill(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] block = new byte[4096];
      while (true) {
        out.write(block);
      }
    } catch (IOException expected) {
      if (!String.valueOf(expected.getMessage()).contains("No space left")) {
        throw expected;
      }
    }
  }
}
