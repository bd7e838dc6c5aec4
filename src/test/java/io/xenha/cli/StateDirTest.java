package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xenha.testutil.Tmpfs;
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
    Tmpfs.with(dir, "ro,size=1m", ro -> assertEquals("state-dir " + ro.resolve("state") + ": read-only file system",
        AgentCommand.stateDirProblem(ro.resolve("state"))));
  }

  /** A full disk, for real: a 64 KiB tmpfs filled up. */
  @Test
  void aFullFileSystemIsNamed() throws Exception {
    Tmpfs.with(dir, "size=64k", full -> {
      Files.createDirectories(full.resolve("state"));
      Tmpfs.fill(full.resolve("filler"));
      assertEquals("state-dir " + full.resolve("state") + ": no space left on device",
          AgentCommand.stateDirProblem(full.resolve("state")));
    });
  }
}
