package io.xenha.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group whose first member is unmanaged and stays where it runs: the later members must still keep the group's
 * mandatory colocations, INFINITY and -INFINITY (issue #16: a group colocated with an unmanaged resource on node2
 * was started on node1). The CIBs are golden scenarios of src/test/resources/scheduler/cib.
 */
class UnmanagedGroupMemberTest {
  static final Path DIR = Path.of("src/test/resources/scheduler/cib");

  static List<String> plan(String name) {
    return PacemakerRegressionTest.summary(PacemakerRegressionTest.simulate(DIR.resolve(name + ".xml")));
  }

  @Test
  void laterMembersLeaveTheUnmanagedMemberToJoinTheirMandatoryPrimary() {
    // web with vm-db (INFINITY, vm-db on host2), web-ip unmanaged on host1: web-vm cannot follow both: it stops
    assertEquals(List.of("* Stop web-vm ( host1 ) due to node availability"), plan("colocation-group-unmanaged-member"));
  }

  @Test
  void aFiniteColocationMovesNothing() {
    assertEquals(List.of(), plan("colocation-group-unmanaged-member-finite"));
  }

  @Test
  void aClonedGroupsLaterMembersKeepTheClonesMandatoryColocation() {
    assertEquals(List.of("* Stop evms-fs:0 ( host1 ) due to node availability"), plan("clone-group-unmanaged-member-colocation"));
  }

  @Test
  void laterMembersLeaveWhatTheGroupMustAvoid() {
    // web apart from vm-db (-INFINITY), both on host1 with web-ip unmanaged: web-vm stops (Pacemaker 2.1.5 leaves it)
    assertEquals(List.of("* Stop web-vm ( host1 ) due to node availability"), plan("colocation-group-unmanaged-member-anti"));
  }
}
