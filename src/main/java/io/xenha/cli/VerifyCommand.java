package io.xenha.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder: replaced by the real `xenha verify`. */
@Command(name = "verify", description = "not written yet")
public final class VerifyCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 1;
  }
}
