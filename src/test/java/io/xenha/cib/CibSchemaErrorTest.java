package io.xenha.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xenha.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CIB that Pacemaker's schema refuses (crm_simulate and crm_verify exit 78) is refused by `xenha simulate --cib`
 * and `xenha import cib` with exit code 2 and crm_verify-style errors naming the file, the line and the element
 * (issue #16: a duplicate id was accepted).
 */
class CibSchemaErrorTest {
  @TempDir Path dir;

  /** A CIB: line 1 <cib>, then one line per element below, so the lines of errors are known. */
  static String cib(String resources, String constraints, String status) {
    return "<cib validate-with=\"pacemaker-3.9\" execution-date=\"1700000000\">\n"
        + "<configuration>\n"
        + "<crm_config/>\n"
        + "<nodes>\n"
        + "<node id=\"host1\" uname=\"host1\"/>\n"
        + "<node id=\"host2\" uname=\"host2\"/>\n"
        + "</nodes>\n"
        + "<resources>\n"
        + resources
        + "</resources>\n"
        + "<constraints>\n"
        + constraints
        + "</constraints>\n"
        + "</configuration>\n"
        + "<status>\n" + status + "</status>\n"
        + "</cib>\n";
  }

  static final String VM1 = "<primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"Xen\"/>\n"; // line 9
  static final String VM2 = "<primitive id=\"vm2\" class=\"ocf\" provider=\"heartbeat\" type=\"Xen\"/>\n";

  Path write(String text) throws IOException {
    Path f = dir.resolve("cib.xml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aDuplicateIdNamesTheElementAndBothLines() throws IOException {
    Path f = write(cib(VM1 + "<primitive id=\"vm1\" class=\"ocf\" provider=\"heartbeat\" type=\"VirtualDomain\"/>\n", "", ""));
    CibXml.Invalid e = assertThrows(CibXml.Invalid.class, () -> CibXml.read(f));
    assertEquals(List.of(f + ":10: element primitive: ID vm1 redefined (first defined at line 9)"), e.errors());
  }

  @Test
  void anIdOfAConstraintMayNotRepeatAResourceId() throws IOException {
    Path f = write(cib(VM1 + VM2, "<rsc_colocation id=\"vm2\" rsc=\"vm1\" with-rsc=\"vm2\" score=\"INFINITY\"/>\n", ""));
    CibXml.Invalid e = assertThrows(CibXml.Invalid.class, () -> CibXml.read(f));
    assertEquals(List.of(f + ":13: element rsc_colocation: ID vm2 redefined (first defined at line 10)"), e.errors());
  }

  @Test
  void missingRequiredAttributesAreErrors() throws IOException {
    Path f = write(cib("<primitive id=\"vm1\" type=\"Xen\"/>\n<primitive id=\"vm2\" class=\"ocf\" type=\"Xen\"/>\n"
        + "<group>\n</group>\n", "", ""));
    CibXml.Invalid e = assertThrows(CibXml.Invalid.class, () -> CibXml.read(f));
    assertEquals(List.of(
        f + ":9: element primitive: attribute class is required",
        f + ":10: element primitive: attribute provider is required for class ocf",
        f + ":11: element group: attribute id is required"), e.errors());
  }

  @Test
  void referencesAndTheStatusSectionReuseIdsLegitimately() throws IOException, CibXml.Invalid {
    String constraints = "<rsc_order id=\"o1\">\n<resource_set id=\"o1-set\">\n<resource_ref id=\"vm1\"/>\n"
        + "<resource_ref id=\"vm2\"/>\n</resource_set>\n</rsc_order>\n";
    String op = "<lrm_rsc_op id=\"vm1_last_0\" operation=\"stop\" rc-code=\"0\" op-status=\"0\" interval=\"0\" call-id=\"3\"/>";
    String status = "<node_state id=\"host1\" uname=\"host1\"><lrm id=\"host1\"><lrm_resources><lrm_resource id=\"vm1\">"
        + op + "</lrm_resource></lrm_resources></lrm></node_state>\n"
        + "<node_state id=\"host2\" uname=\"host2\"><lrm id=\"host2\"><lrm_resources><lrm_resource id=\"vm1\">"
        + op + "</lrm_resource></lrm_resources></lrm></node_state>\n";
    Path f = write(cib(VM1 + VM2, constraints, status));
    CibXml.read(f);
  }

  @Test
  void simulateRefusesItWithExitCode2() throws IOException {
    Path f = write(cib(VM1 + VM1, "", ""));
    CliRun.Run r = CliRun.xenha("simulate", "--cib", f.toString());
    assertEquals(2, r.code());
    assertEquals("", r.out());
    assertTrue(r.err().contains(f + ":10: element primitive: ID vm1 redefined (first defined at line 9)"), r.err());
    assertTrue(r.err().contains("1 schema error"), r.err());
  }

  @Test
  void importRefusesItWithExitCode2AndWritesNothing() throws IOException {
    Path f = write(cib(VM1 + VM1, "", ""));
    Path out = dir.resolve("out.conf");
    CliRun.Run r = CliRun.xenha("import", "cib", f.toString(), "-o", out.toString(), "--out-dir", dir.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(f + ":10: element primitive: ID vm1 redefined (first defined at line 9)"), r.err());
    assertTrue(r.err().contains("1 problem; nothing written"), r.err());
    assertTrue(!Files.exists(out));
  }
}
