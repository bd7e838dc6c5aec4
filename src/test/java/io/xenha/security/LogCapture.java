package io.xenha.security;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The log lines of some loggers while a test runs (logback is the agent's logger). */
public final class LogCapture implements AutoCloseable {

  private final List<Logger> loggers;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture(Class<?>... classes) {
    appender.start();
    loggers = java.util.Arrays.stream(classes).map(c -> (Logger) LoggerFactory.getLogger(c)).toList();
    loggers.forEach(l -> l.addAppender(appender));
  }

  /** Every formatted message so far. */
  public synchronized List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  public long count(String part) {
    return lines().stream().filter(l -> l.contains(part)).count();
  }

  @Override
  public void close() {
    loggers.forEach(l -> l.detachAppender(appender));
  }
}
