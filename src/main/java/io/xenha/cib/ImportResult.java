package io.xenha.cib;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What `xenha import` produced: the HOCON text, the files it refers to (generated domain XML, secrets) still in
 * memory, the errors (each "FILE:LINE: what: message") and notes (what was translated into a comment only).
 * Nothing is written unless there are no errors.
 */
public record ImportResult(String hocon, Map<Path, String> files, Set<Path> secrets, List<String> errors,
    List<String> notes) {

  public boolean ok() {
    return errors.isEmpty();
  }

  /** Writes the files (secrets with mode 0600, created so); refuses to overwrite unless {@code force}. */
  public List<Path> writeFiles(boolean force) throws IOException {
    for (Path p : files.keySet()) {
      if (!force && Files.exists(p)) {
        throw new FileAlreadyExistsException(p + " exists (use --force to overwrite it)");
      }
    }
    List<Path> written = new ArrayList<>();
    for (Map.Entry<Path, String> e : files.entrySet()) {
      Path p = e.getKey();
      if (p.getParent() != null) Files.createDirectories(p.getParent());
      if (secrets.contains(p)) {
        Files.deleteIfExists(p);
        try {
          Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException ex) {
          Files.createFile(p);
        }
      }
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
      written.add(p);
    }
    return written;
  }
}
