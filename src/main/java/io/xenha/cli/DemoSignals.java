package io.xenha.cli;

import java.lang.reflect.Proxy;

/**
 * Turns Ctrl-C and SIGTERM into a callback, so `xenha demo` can stop its agents and still exit 0 (a plain
 * shutdown hook would leave the JVM's exit status at 130). Uses jdk.unsupported's sun.misc.Signal reflectively:
 * javac cannot silence the warning a direct use gives.
 */
final class DemoSignals {

  private DemoSignals() {}

  /** Runs ACTION on SIGINT and SIGTERM instead of exiting; false when the JVM does not allow it. */
  static boolean onStop(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object proxy =
          Proxy.newProxyInstance(
              DemoSignals.class.getClassLoader(),
              new Class<?>[] {handler},
              (self, method, args) -> {
                if (method.getName().equals("handle")) {
                  action.run();
                  return null;
                }
                // Object's methods, should the JDK ever call them on a handler
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(self);
                  case "equals" -> self == args[0];
                  default -> "DemoSignals";
                };
              });
      for (String name : new String[] {"INT", "TERM"}) {
        Object sig = signal.getConstructor(String.class).newInstance(name);
        signal.getMethod("handle", signal, handler).invoke(null, sig, proxy);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // e.g. -Xrs: the caller falls back to a shutdown hook
      return false;
    }
  }
}
