package io.xenha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: replaced by the real `xenha status`. */
@Command(name = "status", description = "not written yet")
public final class StatusCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
