package io.xenha.agents;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains one output stream of an agent process on its own thread, keeping the first max bytes, so the agent
 * never blocks on a full pipe. Shared by the OCF and the fence-agent runners.
 */
public final class OutputCapture {
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final Thread thread;
  private final int max;
  private boolean truncated;

  private OutputCapture(InputStream in, String name, int max) {
    this.max = max;
    thread = new Thread(() -> drain(in), name);
    thread.setDaemon(true);
  }

  public static OutputCapture start(InputStream in, String name, int max) {
    OutputCapture c = new OutputCapture(in, name, max);
    c.thread.start();
    return c;
  }

  private void drain(InputStream in) {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (kept) {
          int room = max - kept.size();
          if (room > 0) {
            kept.write(buf, 0, Math.min(room, n));
          }
          if (n > room) {
            truncated = true;
          }
        }
      }
    } catch (IOException e) {
      // stream closed under us after a kill: what we have is all there is
    }
  }

  /** Waits for EOF until the System.nanoTime() deadline; true when the stream is fully read. */
  public boolean await(long deadline) throws InterruptedException {
    thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    return !thread.isAlive();
  }

  public String text() {
    synchronized (kept) {
      return kept.toString(StandardCharsets.UTF_8) + (truncated ? "\n[output truncated at " + max + " bytes]" : "");
    }
  }

  /** Waits up to {@code d} for EOF; true when the stream is fully read. */
  public boolean await(java.time.Duration d) throws InterruptedException {
    return await(System.nanoTime() + Math.max(1, d.toNanos()));
  }
}
