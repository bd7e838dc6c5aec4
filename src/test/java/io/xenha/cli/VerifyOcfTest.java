package io.xenha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `xenha verify` asks each OCF agent's meta-data for its required parameters (crm_verify does the same). */
class VerifyOcfTest {

  static String run(Path conf, int[] exit) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true));
    try {
      exit[0] = new CommandLine(new VerifyCommand()).execute("--config", conf.toString());
    } finally {
      System.setOut(old);
    }
    return buf.toString();
  }

  /**
   * Issue #14 point 6: the meta-data is asked once per agent, not once per resource (2,000 resources took 64 s).
   * The agent counts its meta-data runs in a file; 300 resources of it make one run, and each is still checked.
   */
  @Test
  void metaDataIsAskedOncePerAgent(@TempDir Path dir) throws Exception {
    Path count = dir.resolve("meta-data-runs");
    Path agent = dir.resolve("ocf/resource.d/test/counting");
    Files.createDirectories(agent.getParent());
    Files.writeString(agent, """
        #!/bin/sh
        [ "$1" = meta-data ] || exit 3
        echo run >> COUNT
        cat <<'EOF'
        <?xml version="1.0"?>
        <resource-agent name="counting">
          <parameters>
            <parameter name="path" required="1"><shortdesc>what to count</shortdesc><content type="string"/></parameter>
          </parameters>
          <actions><action name="meta-data" timeout="5s"/></actions>
        </resource-agent>
        EOF
        """.replace("COUNT", count.toString()));
    Files.setPosixFilePermissions(agent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    StringBuilder conf = new StringBuilder("xenha {\n  ocf-root = \"" + dir.resolve("ocf") + "\"\n"
        + "  nodes.n1 { address = \"127.0.0.1:2551\" }\n  resources {\n");
    for (int i = 0; i < 300; i++) {
      conf.append("    r").append(i).append(" { type = ocf, agent = \"test:counting\", params.path = /x }\n");
    }
    conf.append("    bad { type = ocf, agent = \"test:counting\" }\n  }\n}\n"); // line 305
    Path f = dir.resolve("x.conf");
    Files.writeString(f, conf);

    int[] exit = new int[1];
    String out = run(f, exit);
    assertEquals(2, exit[0], out);
    assertEquals(f + ":305: xenha.resources.bad.params: test:counting: missing required parameter 'path' (what to count)\n",
        out);
    assertEquals(java.util.List.of("run"), Files.readAllLines(count));
  }

  @Test
  void aMissingRequiredParameterOfARealAgentIsAnErrorNamingTheResource(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/Filesystem")), "resource-agents is not installed");
    Path conf = dir.resolve("x.conf");
    Files.writeString(conf, """
        xenha {
          nodes.n1 { address = "127.0.0.1:2551" }
          resources {
            pool { type = ocf, agent = "heartbeat:Filesystem", clone {}
                   params { device = "/dev/sdz1", fstype = ocfs2 } }
          }
        }
        """);
    int[] exit = new int[1];
    String out = run(conf, exit);
    assertEquals(2, exit[0], out);
    assertTrue(out.contains(conf + ":4: xenha.resources.pool.params: heartbeat:Filesystem: missing required parameter 'directory'"), out);

    Files.writeString(conf, Files.readString(conf).replace("fstype = ocfs2", "fstype = ocfs2, directory = /etc/xen/vm"));
    out = run(conf, exit);
    assertEquals(0, exit[0], out);
    assertTrue(out.contains("configuration valid"), out);
  }
}
