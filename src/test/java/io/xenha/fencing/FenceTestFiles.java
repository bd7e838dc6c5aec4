package io.xenha.fencing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Test helpers: copies scripts out of src/test/resources/fencing (build copies may lose the exec bit), polls with deadlines. */
final class FenceTestFiles {

  private FenceTestFiles() {}

  static String resource(String name) throws IOException {
    try (InputStream in = FenceTestFiles.class.getResourceAsStream("/fencing/" + name)) {
      if (in == null) {
        throw new IOException("test resource fencing/" + name + " missing");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static Path executable(String name, Path dir) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, resource(name));
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  /** Polls until the condition holds or the deadline passes; returns whether it held. */
  static boolean await(long millis, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
  }

  /** Running, zombies excluded: a killed orphan may wait a while for init to reap it. */
  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(FenceAgentRunner::running).orElse(false);
  }

  static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Optional<Path> which(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
