package io.xenha.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs each refusal once per peer: a refused peer retries every few seconds, and a line per attempt would bury
 * everything else in the log. The same peer refused for the same reason is logged again after an hour (with how
 * often it was refused meanwhile), so that a long-lasting attempt stays visible.
 */
final class RefusalLog {

  static final Duration REPEAT_AFTER = Duration.ofHours(1);

  private final Logger log;
  private final ConcurrentHashMap<String, Entry> seen = new ConcurrentHashMap<>();

  private static final class Entry {
    final long firstNanos;
    final AtomicLong suppressed = new AtomicLong();

    Entry(long firstNanos) {
      this.firstNanos = firstNanos;
    }
  }

  RefusalLog(Logger log) {
    this.log = log;
  }

  /** Logs {@code message} (a warning) unless the same key was logged within the last hour. */
  void refuse(String key, String message) {
    long now = System.nanoTime();
    Entry fresh = new Entry(now);
    Entry e = seen.putIfAbsent(key, fresh);
    if (e == null) {
      log.warn(message);
      return;
    }
    if (now - e.firstNanos < REPEAT_AFTER.toNanos()) {
      e.suppressed.incrementAndGet();
      return;
    }
    if (seen.replace(key, e, fresh)) {
      log.warn("{} (refused {} more times in the last hour)", message, e.suppressed.get());
    }
  }
}
