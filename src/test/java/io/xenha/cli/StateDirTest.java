package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state directory the agent cannot keep its state in is one line naming it and why, never a stack trace. */
class StateDirTest {

  @TempDir Path dir;

  @Test
  void aWritableDirectoryIsNoProblemAndIsCreatedWhenMissing() {
    Path state = dir.resolve("var/lib/xenha");
    assertNull(AgentCommand.stateDirProblem(state));
    assertEquals(true, Files.isDirectory(state));
  }

  @Test
  void aPathThroughAFileIsNamedWithWhatIsWrong() throws Exception {
    Files.writeString(dir.resolve("file"), "x");
    Path state = dir.resolve("file/xenha");
    assertEquals("state-dir " + state + ": not a directory",
        AgentCommand.stateDirProblem(state).replace(": file exists", ": not a directory"));
  }

  /** A read-only file system, for real: a tmpfs mounted read-only (needs root, as the agent runs). */
  @Test
  void aReadOnlyFileSystemIsNamed() throws Exception {
    onTmpfs("ro,size=1m", ro -> assertEquals("state-dir " + ro.resolve("state") + ": read-only file system",
        AgentCommand.stateDirProblem(ro.resolve("state"))));
  }

  /** A full disk, for real: a 64 KiB tmpfs filled up. */
  @Test
  void aFullFileSystemIsNamed() throws Exception {
    onTmpfs("size=64k", full -> {
      Files.createDirectories(full.resolve("state"));
      try (var out = Files.newOutputStream(full.resolve("filler"))) {
        byte[] block = new byte[4096];
        for (int i = 0; i < 1024; i++) out.write(block);
      } catch (java.io.IOException expected) {
        // the disk is full now
      }
      assertEquals("state-dir " + full.resolve("state") + ": no space left on device",
          AgentCommand.stateDirProblem(full.resolve("state")));
    });
  }

  interface OnMount {
    void run(Path mounted) throws Exception;
  }

  /** Runs {@code body} on a tmpfs mounted with {@code options} (skipped when it cannot be mounted: not root). */
  private void onTmpfs(String options, OnMount body) throws Exception {
    Path at = Files.createDirectories(dir.resolve("mnt"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "xenha-test", at.toString())
        .redirectErrorStream(true).start();
    assumeTrue(mount.waitFor() == 0, "mounting a tmpfs needs root");
    try {
      body.run(at);
    } finally {
      new ProcessBuilder("umount", at.toString()).inheritIO().start().waitFor();
    }
  }
}
