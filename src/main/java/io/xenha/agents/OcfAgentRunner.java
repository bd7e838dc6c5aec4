package io.xenha.agents;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import io.xenha.fencing.FenceAgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Runs real OCF resource agents (the resource-agents package: Xen, VirtualDomain, Filesystem, ...) the way
 * Pacemaker's execd does: the action as the only argument, parameters as {@code OCF_RESKEY_*} environment variables,
 * the exit code read as an {@link OcfResult}.
 */
public final class OcfAgentRunner {

  public static final Path DEFAULT_OCF_ROOT = Path.of("/usr/lib/ocf");
  /** The actions an OCF agent may be asked to run. */
  public static final Set<String> ACTIONS = Set.of("start", "stop", "monitor", "validate-all", "meta-data", "notify",
      "reload", "reload-agent", "migrate_to", "migrate_from", "promote", "demote");
  static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
  /** Output kept of each stream; meta-data gets more so that a long description never cuts the XML. */
  static final int MAX_OUTPUT = 64 * 1024;
  static final int MAX_METADATA = 1024 * 1024;
  static final String MASK = "****";

  /** Parsed meta-data of an agent; a null timeout or defaultValue means the agent gives none. */
  public record Metadata(List<Parameter> parameters, List<ActionSpec> actions) {

    public Metadata {
      parameters = List.copyOf(parameters);
      actions = List.copyOf(actions);
    }

    /** One declared parameter. */
    public record Parameter(String name, boolean required, boolean unique, String defaultValue, String shortDesc) {}

    /** One declared action with its advised timeout and (for monitor) interval; interval ZERO when not given. */
    public record ActionSpec(String name, Duration timeout, Duration interval) {}

    /** The declared parameter of that name, or null. */
    public Parameter parameter(String name) {
      return parameters.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** The first declared action of that name (monitor may be declared once per role), or null. */
    public ActionSpec action(String name) {
      return actions.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * Initialized on first use, not with the class: setting up logging costs about half a second of CPU, which
   * `xenha verify` (the agents' meta-data, logging nothing) does not need to pay.
   */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(OcfAgentRunner.class);
  }
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+-]+");
  private static final String EXIT_REASON = "ocf-exit-reason:";
  // the "Jan 02 15:04:05 " that ocf_log puts before each line written to stderr
  private static final Pattern LOG_DATE = Pattern.compile("^[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d ");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?");
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
  private static final String BOOT_MARKER = ".xenha-boot-id";
  private static final Object RSCTMP_LOCK = new Object();

  private OcfAgentRunner() {}

  /**
   * "heartbeat:Dummy" or "ocf:heartbeat:Dummy" -> OCF_ROOT/resource.d/heartbeat/Dummy; an absolute path is used as it
   * is. Throws IllegalArgumentException, naming the input, for anything else.
   */
  public static Path resolve(String agent, Path ocfRoot) {
    if (agent.startsWith("/")) {
      return Path.of(agent);
    }
    String[] parts = agent.split(":", -1);
    if (parts.length == 3 && parts[0].equals("ocf")) {
      parts = new String[] {parts[1], parts[2]};
    }
    if (parts.length != 2 || !validName(parts[0]) || !validName(parts[1])) {
      throw new IllegalArgumentException("bad OCF agent '" + agent
          + "': give provider:type (heartbeat:Xen), ocf:provider:type or an absolute path");
    }
    return ocfRoot.resolve("resource.d").resolve(parts[0]).resolve(parts[1]);
  }

  /**
   * Runs one action of the agent and says what it meant. Blocking: callers run it on the blocking dispatcher. The
   * agent gets a clean environment (PATH, OCF_ROOT, OCF_RESOURCE_*, OCF_RESKEY_&lt;param&gt;,
   * OCF_RESKEY_CRM_meta_&lt;meta&gt; with '-' turned into '_', HA_RSCTMP = stateDir/rsctmp), working directory / and
   * stdin at EOF; CRM_meta_timeout defaults to the timeout in ms. At the timeout its whole process group is killed and
   * the result is TIMED_OUT. A missing agent gives ERR_INSTALLED without running anything. {@code instance} may be
   * null (meta-data). {@code password-file = PATH} / {@code password-env = VAR} become {@code password} (the file's
   * content / the variable), as for fence devices; values of secret-looking params never appear in the summary or the
   * log. Bad parameter names throw IllegalArgumentException naming the key, never a value.
   */
  public static OcfOutcome run(Path agent, String action, String instance, Map<String, String> params,
      Map<String, String> meta, Duration timeout, Path stateDir) {
    return run(agent, action, instance, params, meta, timeout, stateDir, MAX_OUTPUT).outcome();
  }

  /**
   * Runs the agent's meta-data action and parses its XML. Throws IllegalStateException naming the agent when the agent
   * is missing, fails, times out or prints something that is not OCF meta-data.
   */
  public static Metadata metadata(Path agent, Duration timeout, Path stateDir) {
    Run r = run(agent, "meta-data", null, Map.of(), Map.of(), timeout, stateDir, MAX_METADATA);
    if (!r.outcome().ok()) {
      throw new IllegalStateException(r.outcome().summary());
    }
    try {
      return parseMetadata(r.stdout());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(agent + " meta-data: " + e.getMessage(), e);
    }
  }

  /**
   * Problems with a resource's params for {@code verify}: "missing required parameter 'x'", "required parameter 'x'
   * is empty" (errors), and "warning: unknown parameter 'y' ..." for names the agent does not declare.
   */
  public static List<String> checkParams(Metadata md, Map<String, String> params) {
    List<String> problems = new ArrayList<>();
    for (Metadata.Parameter p : md.parameters()) {
      if (!p.required()) {
        continue;
      }
      String v = params.get(p.name());
      String what = p.shortDesc() == null || p.shortDesc().isBlank() ? "" : " (" + p.shortDesc() + ")";
      boolean hasDefault = p.defaultValue() != null && !p.defaultValue().isEmpty();
      if (v == null && !hasDefault) {
        problems.add("missing required parameter '" + p.name() + "'" + what);
      } else if (v != null && v.isBlank()) {
        problems.add("required parameter '" + p.name() + "' is empty" + what);
      }
    }
    Set<String> known = new HashSet<>();
    md.parameters().forEach(p -> known.add(p.name()));
    List<String> declared = md.parameters().stream().map(Metadata.Parameter::name).toList();
    new TreeMap<>(params).keySet().stream().filter(k -> !known.contains(k)).forEach(k ->
        problems.add("warning: unknown parameter '" + k + "': the agent does not declare it (it declares: "
            + (declared.isEmpty() ? "nothing" : String.join(", ", declared)) + ")"));
    return problems;
  }

  // ---- running ----

  private record Run(OcfOutcome outcome, String stdout) {}

  private static Run run(Path agent, String action, String instance, Map<String, String> params,
      Map<String, String> meta, Duration timeout, Path stateDir, int maxOutput) {
    if (!ACTIONS.contains(action)) {
      throw new IllegalArgumentException("unknown OCF action '" + action + "', expected one of " + ACTIONS);
    }
    boolean probe = action.equals("monitor") && isZero(meta.get("interval"));
    String label = label(agent, instance) + " " + (probe ? "probe" : action) + ": ";
    if (params.containsKey("password-file") || params.containsKey("password-env")) {
      // the configuration's secrets rule: the agent gets password=..., read here, never written in the config
      try {
        params = FenceAgentRunner.withSecrets(params);
      } catch (IOException | IllegalArgumentException e) {
        return new Run(new OcfOutcome(OcfResult.ERR_CONFIGURED, OcfResult.ERR_CONFIGURED.code(), action,
            label + e.getMessage(), Duration.ZERO), "");
      }
    }
    List<String> secrets = secretValues(params);
    Map<String, String> env = environment(agent, instance, params, meta, timeout);
    if (!Files.isRegularFile(agent) || !Files.isExecutable(agent)) {
      return new Run(new OcfOutcome(OcfResult.ERR_INSTALLED, OcfResult.ERR_INSTALLED.code(), action,
          label + "not installed (" + agent + " is missing or not executable)", Duration.ZERO), "");
    }
    try {
      env.put("HA_RSCTMP", rscTmp(stateDir).toString());
    } catch (IOException e) {
      return new Run(new OcfOutcome(OcfResult.ERR_GENERIC, OcfResult.ERR_GENERIC.code(), action,
          label + "cannot prepare HA_RSCTMP under " + stateDir + ": " + e.getMessage(), Duration.ZERO), "");
    }
    AgentProcess.Exec e;
    try {
      e = AgentProcess.run(agent, action, env, timeout, maxOutput);
    } catch (IOException ex) {
      // exec itself failed (no interpreter, bad #! line, ...): the agent cannot run on this node
      return new Run(new OcfOutcome(OcfResult.ERR_INSTALLED, OcfResult.ERR_INSTALLED.code(), action,
          mask(label + "cannot execute " + agent + ": " + ex.getMessage(), secrets), Duration.ZERO), "");
    } catch (InterruptedException ex) {
      // the group was killed already; keep the interrupt for the caller (shutdown)
      Thread.currentThread().interrupt();
      return new Run(new OcfOutcome(OcfResult.ERR_GENERIC, -1, action, label + "interrupted, agent killed",
          Duration.ZERO), "");
    }
    OcfOutcome o = outcome(label, action, e, timeout, secrets);
    // not for meta-data, which only describes the agent (a failure comes back in the outcome): verify asks it without
    // ever setting up logging
    if (!action.equals("meta-data") && Log.LOG.isDebugEnabled()) {
      Log.LOG.debug("{} {} -> {} ({})\nenv: {}\nstdout:\n{}\nstderr:\n{}", agent, action, o.result(), o.summary(),
          mask(envForLog(env), secrets), mask(e.stdout(), secrets), mask(e.stderr(), secrets));
    }
    return new Run(o, e.stdout());
  }

  /** The agent's whole environment; HA_RSCTMP is added by run. */
  static Map<String, String> environment(Path agent, String instance, Map<String, String> params,
      Map<String, String> meta, Duration timeout) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    Path providerDir = agent.toAbsolutePath().getParent();
    Path resourceD = providerDir == null ? null : providerDir.getParent();
    boolean standard = resourceD != null && resourceD.getFileName() != null
        && resourceD.getFileName().toString().equals("resource.d") && resourceD.getParent() != null;
    // an agent outside an OCF tree (a custom script) still gets the system's OCF_ROOT, so it can source ocf-shellfuncs
    env.put("OCF_ROOT", (standard ? resourceD.getParent() : DEFAULT_OCF_ROOT).toString());
    env.put("OCF_RA_VERSION_MAJOR", "1");
    env.put("OCF_RA_VERSION_MINOR", "1");
    env.put("OCF_RESOURCE_TYPE", agent.getFileName().toString());
    if (standard) {
      env.put("OCF_RESOURCE_PROVIDER", providerDir.getFileName().toString());
    }
    if (instance != null) {
      env.put("OCF_RESOURCE_INSTANCE", instance);
    }
    params.forEach((k, v) -> {
      checkName("parameter", k);
      if (k.startsWith("CRM_meta_")) {
        throw new IllegalArgumentException("parameter " + k + ": CRM_meta_ names are reserved for meta attributes");
      }
      env.put("OCF_RESKEY_" + k, checkValue("parameter", k, v));
    });
    meta.forEach((k, v) -> {
      checkName("meta attribute", k);
      // Pacemaker's spelling: clone-max reaches the agent as OCF_RESKEY_CRM_meta_clone_max
      env.put("OCF_RESKEY_CRM_meta_" + k.replace('-', '_'), checkValue("meta attribute", k, v));
    });
    env.putIfAbsent("OCF_RESKEY_CRM_meta_timeout", Long.toString(timeout.toMillis()));
    return env;
  }

  private static void checkName(String what, String k) {
    if (k == null || k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || k.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("bad OCF " + what + " name '" + (k == null ? "null" : k.replace("\0", "\\0"))
          + "'");
    }
  }

  private static String checkValue(String what, String k, String v) {
    if (v == null || v.indexOf('\0') >= 0) {
      // the value may be secret: name the key only
      throw new IllegalArgumentException("OCF " + what + " " + k + " is null or contains a NUL character");
    }
    return v;
  }

  private static OcfOutcome outcome(String label, String action, AgentProcess.Exec e, Duration timeout,
      List<String> secrets) {
    if (e.timedOut()) {
      String last = lastLine(e.stderr(), e.stdout());
      return new OcfOutcome(OcfResult.TIMED_OUT, -1, action, mask(label + "timed out after " + seconds(timeout)
          + ", killed" + (last.isEmpty() ? "" : " (last output: " + last + ")"), secrets), e.took());
    }
    int rc = e.exitCode();
    OcfResult r = OcfResult.of(rc);
    String took = " in " + seconds(e.took());
    String reason = exitReason(e.stderr());
    String text = switch (r) {
      case SUCCESS -> (action.equals("monitor") ? "running" : "ok") + took + paren(reason);
      case NOT_RUNNING -> "not running" + took + paren(reason);
      case RUNNING_PROMOTED -> "running promoted" + took + paren(reason);
      default -> {
        String why = reason.isEmpty() ? lastLine(e.stderr(), action.equals("meta-data") ? "" : e.stdout()) : reason;
        String code = r == OcfResult.UNKNOWN
            ? rc > 128 && rc < 160 ? "exit " + rc + ", killed by signal " + (rc - 128) : "exit " + rc
            : "exit " + rc + " " + r;
        yield "failed (" + code + ")" + took + (why.isEmpty() ? "" : ": " + why);
      }
    };
    return new OcfOutcome(r, rc, action, mask(label + text, secrets), e.took());
  }

  private static String label(Path agent, String instance) {
    String type = agent.getFileName().toString();
    return instance == null ? type : instance + " (" + type + ")";
  }

  /** The last "ocf-exit-reason:" line, Pacemaker's way for an agent to say why. */
  private static String exitReason(String stderr) {
    String reason = "";
    for (String line : stderr.split("\n")) {
      int i = line.indexOf(EXIT_REASON);
      if (i >= 0) {
        reason = line.substring(i + EXIT_REASON.length()).strip();
      }
    }
    return abbreviate(reason, 300);
  }

  private static String lastLine(String first, String second) {
    String last = lastLine(first);
    return last.isEmpty() ? lastLine(second) : last;
  }

  private static String lastLine(String text) {
    String last = "";
    for (String line : text.split("\n")) {
      String l = LOG_DATE.matcher(line.strip()).replaceFirst("").strip();
      if (!l.isEmpty() && !l.startsWith("[output truncated")) {
        last = l;
      }
    }
    return abbreviate(last, 300);
  }

  private static String paren(String s) {
    return s.isEmpty() ? "" : " (" + s + ")";
  }

  private static String abbreviate(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }

  static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
  }

  private static boolean isZero(String interval) {
    if (interval == null) {
      return true; // ocf-shellfuncs defaults it to 0 too
    }
    Duration d = parseDuration(interval);
    return d != null && d.isZero();
  }

  private static String envForLog(Map<String, String> env) {
    StringBuilder sb = new StringBuilder();
    env.forEach((k, v) -> {
      boolean secret = k.startsWith("OCF_RESKEY_") && isSecretKey(k.substring("OCF_RESKEY_".length()));
      sb.append(k).append('=').append(secret ? MASK : v).append(' ');
    });
    return sb.toString().strip();
  }

  // ---- secrets ----

  static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("passw") || k.contains("secret") || k.contains("token") || k.contains("credential")
        || k.contains("community") || k.endsWith("_kg");
  }

  static List<String> secretValues(Map<String, String> params) {
    List<String> out = new ArrayList<>();
    params.forEach((k, v) -> {
      // *_file / *-file name where a secret is, not the secret
      if (isSecretKey(k) && v != null && !v.isEmpty() && !k.endsWith("file") && !k.endsWith("-env")) {
        out.add(v);
      }
    });
    // longest first, so a secret that contains another is masked whole
    out.sort(Comparator.comparingInt(String::length).reversed());
    return out;
  }

  static String mask(String text, List<String> secrets) {
    String s = text;
    for (String secret : secrets) {
      s = s.replace(secret, MASK);
    }
    return s;
  }

  // ---- HA_RSCTMP ----

  /**
   * stateDir/rsctmp, created on first use. Agents keep "I am running" marker files there (Dummy, many others) and rely
   * on it being emptied at boot, as /run is: when the kernel's boot id changed since the last run, it is emptied.
   */
  static Path rscTmp(Path stateDir) throws IOException {
    Path dir = stateDir.toAbsolutePath().normalize().resolve("rsctmp");
    synchronized (RSCTMP_LOCK) {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        try {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        } catch (UnsupportedOperationException e) {
          // not POSIX: keep the default permissions
        }
      }
      String boot = bootId();
      if (boot == null) {
        return dir;
      }
      Path marker = dir.resolve(BOOT_MARKER);
      String was = Files.exists(marker) ? Files.readString(marker, StandardCharsets.UTF_8).strip() : null;
      if (was != null && !was.equals(boot)) {
        Log.LOG.info("{}: the node rebooted since it was last used; emptying it as /run would be", dir);
        try (Stream<Path> s = Files.list(dir)) {
          for (Path p : s.filter(p -> !p.getFileName().toString().equals(BOOT_MARKER)).toList()) {
            deleteTree(p);
          }
        }
      }
      if (!boot.equals(was)) {
        Files.writeString(marker, boot + "\n", StandardCharsets.UTF_8);
      }
    }
    return dir;
  }

  private static String bootId() {
    try {
      return Files.readString(BOOT_ID, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null; // not Linux: nothing to compare
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> s = Files.list(p)) {
        for (Path c : s.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  // ---- meta-data ----

  static Metadata parseMetadata(String xml) {
    Document doc;
    try {
      doc = parser().parse(new InputSource(new StringReader(xml)));
    } catch (SAXException | IOException e) {
      throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    if (!root.getTagName().equals("resource-agent")) {
      throw new IllegalArgumentException("expected <resource-agent>, got <" + root.getTagName() + ">");
    }
    List<Metadata.Parameter> params = new ArrayList<>();
    for (Element p : children(child(root, "parameters"), "parameter")) {
      String name = p.getAttribute("name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("a <parameter> has no name");
      }
      Element content = child(p, "content");
      String dflt = content != null && content.hasAttribute("default") ? content.getAttribute("default") : null;
      params.add(new Metadata.Parameter(name, flag(p, "required"), flag(p, "unique"), dflt, shortDesc(p)));
    }
    List<Metadata.ActionSpec> actions = new ArrayList<>();
    for (Element a : children(child(root, "actions"), "action")) {
      Duration interval = parseDuration(a.getAttribute("interval"));
      actions.add(new Metadata.ActionSpec(a.getAttribute("name"), parseDuration(a.getAttribute("timeout")),
          interval == null ? Duration.ZERO : interval));
    }
    return new Metadata(params, actions);
  }

  private static DocumentBuilder parser() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // meta-data names ra-api-1.dtd: never fetch it, and never resolve entities
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      f.setValidating(false);
      DocumentBuilder b = f.newDocumentBuilder();
      // the default handler prints "[Fatal Error]" to stderr; the exception says it all
      b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
          throw e;
        }
      });
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("XML parser: " + e.getMessage(), e);
    }
  }

  private static boolean flag(Element e, String attr) {
    String v = e.getAttribute(attr).strip().toLowerCase(Locale.ROOT);
    return v.equals("1") || v.equals("true") || v.equals("yes");
  }

  /** The English shortdesc (or the only one), on one line. */
  private static String shortDesc(Element p) {
    String any = null;
    for (Element d : children(p, "shortdesc")) {
      String text = d.getTextContent().strip().replaceAll("\\s+", " ");
      String lang = d.getAttribute("lang");
      if (lang.isEmpty() || lang.startsWith("en")) {
        return text;
      }
      any = any == null ? text : any;
    }
    return any;
  }

  private static Element child(Element parent, String tag) {
    List<Element> c = children(parent, tag);
    return c.isEmpty() ? null : c.get(0);
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    NodeList nl = parent.getChildNodes();
    for (int i = 0; i < nl.getLength(); i++) {
      Node n = nl.item(i);
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Pacemaker's duration spellings: "20" (seconds), "20s", "500ms", "2m"/"2min", "1h", or ISO 8601 "PT20S"; null when
   * empty or not understood.
   */
  static Duration parseDuration(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.strip().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (RuntimeException e) {
        return null;
      }
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms", "msec" -> Duration.ofMillis(n);
      case "us", "usec" -> Duration.ofNanos(n * 1000);
      case "m", "min" -> Duration.ofMinutes(n);
      case "h", "hr" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private static boolean validName(String s) {
    return NAME.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }
}
