package org.dicomrelay.router;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PS3.7 §9.3.1.1: a C-MOVE's sub-operations name their move originator message ID; that ID is all
 * that tells two retrieves from the same PACS apart, so it must be unique within the router.
 */
class InboundInstancesTest {

    @Test void retrievesFromOnePacsGetDistinctMessageIds() {
        InboundInstances inbound = new InboundInstances();
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) ids.add(inbound.expect("PACS_B", (rq, data) -> 0));
        assertThat(ids).hasSize(1000).doesNotContain(0);
    }
}
