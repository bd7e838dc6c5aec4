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
