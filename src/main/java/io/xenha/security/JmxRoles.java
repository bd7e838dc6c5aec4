package io.xenha.security;

import io.xenha.security.JmxCredentials.Role;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.AccessController;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.MBeanServerForwarder;
import javax.security.auth.Subject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorization of every JMX call by the caller's role: reading (attributes, bean lists, the history and export
 * operations) needs monitor; every other operation and every attribute write needs admin; creating, registering or
 * removing beans and reaching class loaders is refused to everyone (that is how code gets loaded). A refusal names the
 * missing permission and is logged with the operation and the user; every admin action is logged too.
 */
public final class JmxRoles implements InvocationHandler {

  private static final Logger LOG = LoggerFactory.getLogger(JmxRoles.class);

  /** Operations of xenha's beans that only read: the status, `xenha history` and `xenha export`. */
  public static final Set<String> READ_OPERATIONS = Set.of("status", "history", "fencingHistory", "exportConfig",
      "simulateAdmin");

  private static final Set<String> READS = Set.of("getAttribute", "getAttributes", "getMBeanInfo", "queryNames",
      "queryMBeans", "isRegistered", "getMBeanCount", "getDefaultDomain", "getDomains", "isInstanceOf",
      "getObjectInstance", "addNotificationListener", "removeNotificationListener");
  private static final Set<String> WRITES = Set.of("setAttribute", "setAttributes", "invoke");

  private MBeanServer next;

  private JmxRoles() {}

  /** A forwarder to put in front of the connector's MBeanServer. */
  public static MBeanServerForwarder forwarder() {
    return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
        new Class<?>[] {MBeanServerForwarder.class}, new JmxRoles());
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (name.equals("getMBeanServer")) return next;
    if (name.equals("setMBeanServer")) {
      if (args[0] == null) throw new IllegalArgumentException("null MBeanServer");
      if (next != null) throw new IllegalArgumentException("MBeanServer already set");
      next = (MBeanServer) args[0];
      return null;
    }
    if (method.getDeclaringClass() == Object.class) {
      return switch (name) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "JmxRoles";
      };
    }
    Subject subject = current();
    // no Subject: a call from inside this JVM, not through the connector
    if (subject != null) authorize(subject, name, args);
    try {
      return method.invoke(next, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void authorize(Subject subject, String method, Object[] args) {
    String user = subject.getPrincipals(JMXPrincipal.class).stream().map(JMXPrincipal::getName).findFirst().orElse("?");
    Role role = subject.getPrincipals(JmxLogin.RolePrincipal.class).stream().map(JmxLogin.RolePrincipal::role)
        .findFirst().orElse(null);
    String what = describe(method, args);
    if (READS.contains(method)) {
      if (role != null) return;
      throw refuse(user, null, what, Role.MONITOR);
    }
    if (WRITES.contains(method)) {
      boolean read = method.equals("invoke") && args.length > 1 && READ_OPERATIONS.contains(String.valueOf(args[1]))
          && isXenha(args[0]);
      if (read && role != null) return;
      if (role == Role.ADMIN) {
        LOG.info("JMX: admin '{}' from {}: {}", user, JmxLogin.client(), what);
        return;
      }
      throw refuse(user, role, what, read ? Role.MONITOR : Role.ADMIN);
    }
    // createMBean, registerMBean, unregisterMBean, instantiate, deserialize, getClassLoader*: never over JMX
    LOG.warn("JMX: refused '{}' ({}) from {}: {} is never allowed over JMX", user, role == null ? "no role" : role.label(),
        JmxLogin.client(), what);
    throw new SecurityException("permission denied: " + what + " is not allowed over JMX (for any user)");
  }

  private static SecurityException refuse(String user, Role role, String what, Role needed) {
    String has = role == null ? "no role" : "the " + role.label() + " role";
    LOG.warn("JMX: refused '{}' ({}) from {}: {} needs the {} role", user, has, JmxLogin.client(), what, needed.label());
    return new SecurityException("permission denied: " + what + " needs the " + needed.label() + " role; user '"
        + user + "' has " + has);
  }

  private static boolean isXenha(Object name) {
    return name instanceof ObjectName o && "io.xenha".equals(o.getDomain());
  }

  private static String describe(String method, Object[] args) {
    Object target = args != null && args.length > 0 ? args[0] : null;
    return switch (method) {
      case "invoke" -> "operation '" + args[1] + "' of " + target;
      case "setAttribute", "setAttributes" -> "writing attributes of " + target;
      default -> method + (target instanceof ObjectName ? " " + target : "");
    };
  }

  /** The caller's Subject: Subject.current() on JDK 18 and later (getSubject throws there without a SecurityManager). */
  @SuppressWarnings("removal")
  static Subject current() {
    try {
      Method m = Subject.class.getMethod("current");
      return (Subject) m.invoke(null);
    } catch (NoSuchMethodException e) {
      return Subject.getSubject(AccessController.getContext());
    } catch (ReflectiveOperationException e) {
      throw new SecurityException("cannot tell who is calling: " + e);
    }
  }
}
