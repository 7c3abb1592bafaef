package org.dicomrelay.dicom.net.dimse;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PS3.7 §9.3.1.1 Message ID: a US value distinguishing the requests of an association. */
@DisplayName("PS3.7 Message ID (0000,0110) sequence")
class MessageIdSequenceTest {

    @Test
    void startsAtOneAndCounts() {
        MessageIdSequence ids = new MessageIdSequence();
        assertThat(List.of(ids.next(), ids.next(), ids.next())).containsExactly(1, 2, 3);
    }

    @Test
    @DisplayName("wraps from 65535 to 1, never giving 0")
    void wrapsSkippingZero() {
        MessageIdSequence ids = new MessageIdSequence(65534);
        assertThat(List.of(ids.next(), ids.next(), ids.next(), ids.next())).containsExactly(65534, 65535, 1, 2);
    }

    @Test
    void aFullCycleGivesEveryIdOnce() {
        MessageIdSequence ids = new MessageIdSequence();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 65535; i++) seen.add(ids.next());
        assertThat(seen).hasSize(65535).doesNotContain(0);
        assertThat(ids.next()).isEqualTo(1);
    }

    @Test
    void concurrentCallersGetDistinctIds() throws Exception {
        MessageIdSequence ids = new MessageIdSequence();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<List<Integer>>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    List<Integer> got = new ArrayList<>();
                    for (int i = 0; i < 10000; i++) got.add(ids.next());
                    return got;
                });
            }
            Set<Integer> all = new HashSet<>();
            for (Future<List<Integer>> f : pool.invokeAll(tasks)) all.addAll(f.get());
            assertThat(all).hasSize(40000);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void firstMustBeAValidId() {
        assertThatThrownBy(() -> new MessageIdSequence(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageIdSequence(65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
