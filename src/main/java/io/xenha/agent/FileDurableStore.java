package io.xenha.agent;

import com.typesafe.config.Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.cluster.ddata.DurableStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * The durable store of xenha's Distributed Data (the runtime overrides): one file per key under the node's state
 * directory, replaced atomically (write, fsync, rename) on every change. Pekko's default store is LMDB, which needs
 * a native library and `--add-opens` on Java 17 (without them the JVM exits at the first durable write); the
 * overrides are a few hundred bytes written when an operator acts, so a file is the simpler and safer store.
 *
 * <p>Speaks Pekko's {@link DurableStore} protocol: LoadAll (answered with LoadData, then LoadAllCompleted) and
 * Store. It runs on the store's own pinned dispatcher (pekko.cluster.distributed-data.durable.use-dispatcher), so
 * its blocking file I/O never touches the default dispatcher. Config: the durable section; `file.dir` names the
 * directory.
 */
public final class FileDurableStore extends AbstractActor {

  private static final int FORMAT = 1;
  private static final String SUFFIX = ".ddata";

  private final Path dir;
  private final Serialization serialization;

  static final String WRITE_FAILED = "durable data cannot be written to ";

  public FileDurableStore(Config durable) {
    this.dir = Path.of(durable.getString("file.dir"));
    this.serialization = SerializationExtension.get(getContext().getSystem());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .matchEquals(DurableStore.LoadAll$.MODULE$, m -> loadAll())
        .match(DurableStore.Store.class, this::store)
        .build();
  }

  private void loadAll() throws IOException {
    scala.collection.immutable.Map<String, DurableStore.DurableDataEnvelope> data = scala.collection.immutable.Map$.MODULE$.empty();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
          String key = decodeKey(f.getFileName().toString());
          try {
            data = data.updated(key, read(f));
          } catch (IOException | RuntimeException e) {
            setAside(f, e);
          }
        }
      }
    }
    if (!data.isEmpty()) {
      getSender().tell(new DurableStore.LoadData(data), getSelf());
    }
    getSender().tell(DurableStore.LoadAllCompleted$.MODULE$, getSelf());
  }

  /**
   * A damaged file (corrupted, truncated, another program's bytes) must not stop the replicator (Pekko stops it on a
   * failed load, and the node then took part without its replicated data: a stopped resource started again). It is
   * moved aside, kept for the operator, and this key starts empty: the other nodes' replicas repair it (the
   * Controller reads a majority before it acts, never this node's copy alone), and the node's status says so.
   */
  private void setAside(Path f, Exception e) {
    Path aside = f.resolveSibling(f.getFileName() + ".damaged-" + java.time.Instant.now().getEpochSecond());
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String moved;
    try {
      Files.move(f, aside, StandardCopyOption.REPLACE_EXISTING);
      moved = "moved aside to " + aside.getFileName();
    } catch (IOException | RuntimeException m) {
      moved = "could not be moved aside (" + m.getMessage() + ")";
    }
    String problem = StateProblems.DDATA + f + ": " + why + "; " + moved + "; this node's replica is repaired from the "
        + "other nodes before the Controller acts on it (check the disk of this node)";
    if (StateProblems.get(getContext().getSystem()).add(problem)) {
      getContext().getSystem().log().error("state-dir: {}", problem);
    }
  }

  private DurableStore.DurableDataEnvelope read(Path f) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(f)))) {
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IOException("unknown format " + format);
      }
      int serializerId = in.readInt();
      String manifest = in.readUTF();
      byte[] bytes = in.readNBytes(in.readInt());
      return (DurableStore.DurableDataEnvelope) serialization.deserialize(bytes, serializerId, manifest).get();
    }
  }

  private void store(DurableStore.Store msg) {
    try {
      Serializer serializer = serialization.findSerializerFor(msg.data());
      byte[] bytes = serializer.toBinary(msg.data());
      ByteArrayOutputStream buf = new ByteArrayOutputStream(bytes.length + 64);
      try (DataOutputStream out = new DataOutputStream(buf)) {
        out.writeInt(FORMAT);
        out.writeInt(serializer.identifier());
        out.writeUTF(Serializers.manifestFor(serializer, msg.data()));
        out.writeInt(bytes.length);
        out.write(bytes);
      }
      Files.createDirectories(dir);
      Path target = dir.resolve(encodeKey(msg.key()));
      Path tmp = dir.resolve(encodeKey(msg.key()) + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(buf.toByteArray()));
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      if (StateProblems.get(getContext().getSystem()).clear(WRITE_FAILED + dir)) {
        getContext().getSystem().log().warning("state-dir: durable data is written to {} again", dir);
      }
      if (msg.reply().isDefined()) {
        DurableStore.StoreReply r = msg.reply().get();
        r.replyTo().tell(r.successMsg(), getSelf());
      }
    } catch (IOException | RuntimeException e) {
      // one line while it lasts (a full or read-only disk), in the status too; the replicas of the other nodes keep it
      StateProblems problems = StateProblems.get(getContext().getSystem());
      String problem = WRITE_FAILED + dir + " (" + io.xenha.Causes.rootReason(e) + "): runtime overrides and the "
          + "node history are kept in memory here and on the other nodes' disks until it can be written again";
      if (problems.addOnce(WRITE_FAILED + dir, problem)) {
        getContext().getSystem().log().error("state-dir: {}", problem);
      }
      if (msg.reply().isDefined()) {
        DurableStore.StoreReply r = msg.reply().get();
        r.replyTo().tell(r.failureMsg(), getSelf());
      }
    }
  }

  /** Keys are xenha's own names (letters, digits, '-'); anything else is escaped so a key is one file name. */
  static String encodeKey(String key) {
    StringBuilder sb = new StringBuilder();
    for (char ch : key.toCharArray()) {
      if (Character.isLetterOrDigit(ch) || ch == '-' || ch == '_') {
        sb.append(ch);
      } else {
        sb.append('%').append(String.format("%04x", (int) ch));
      }
    }
    return sb.append(SUFFIX).toString();
  }

  static String decodeKey(String file) {
    String s = file.substring(0, file.length() - SUFFIX.length());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '%' && i + 5 <= s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
        i += 4;
      } else {
        sb.append(s.charAt(i));
      }
    }
    return sb.toString();
  }
}
