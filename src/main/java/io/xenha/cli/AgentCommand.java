package io.xenha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: replaced by the real `xenha agent`. */
@Command(name = "agent", description = "not written yet")
public final class AgentCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
