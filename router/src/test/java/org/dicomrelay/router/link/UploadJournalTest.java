package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BlobNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sender's record of its uploads: a payload whose answer came is forgotten (the recipient
 * deleted it), one left unanswered is deleted after the maximum age, and whatever an earlier run
 * left is deleted at the first sweep, whatever its age.
 */
class UploadJournalTest {
    private static final Duration MAX_AGE = Duration.ofMinutes(60);
    @TempDir Path dir;
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> deleted = new ArrayList<>();

    private UploadJournal journal() throws IOException {
        return new UploadJournal(dir, MAX_AGE, now::get);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test void unansweredUploadsAreDeletedAfterTheMaximumAgeAnsweredOnesAreNot() throws IOException {
        UploadJournal j = journal();
        String answered = BlobNames.random(), lost = BlobNames.random(), instance = BlobNames.random();
        j.uploaded(answered, "hospital-b", "op-1");
        j.uploaded(lost, "hospital-b", "op-2");
        j.uploaded(instance, "hospital-a", null);
        now.addAndGet(1000);
        j.answered("hospital-b", "op-1");
        j.answered("hospital-c", "op-2"); // another router cannot make us forget an upload to hospital-b

        now.addAndGet(MAX_AGE.toMillis() - 1000);
        assertThat(j.sweep(deleted::add)).as("nothing is due before the maximum age").isZero();
        now.addAndGet(j.sweepPeriod().toMillis() + 1);
        assertThat(j.sweep(deleted::add)).isEqualTo(2);
        assertThat(deleted).containsExactlyInAnyOrder(lost, instance);
        assertThat(segments()).as("swept segments are deleted").isEmpty();
        j.close();
    }

    @Test void whatAnEarlierRunLeftIsDeletedAtOnce() throws IOException {
        UploadJournal first = journal();
        String answered = BlobNames.random(), lost = BlobNames.random();
        first.uploaded(answered, "hospital-b", "op-1");
        first.uploaded(lost, "hospital-b", "op-2");
        first.answered("hospital-b", "op-1");
        first.close(); // the process dies: no operation of it can be answered any more

        now.addAndGet(5000);
        UploadJournal second = journal();
        String mine = BlobNames.random();
        second.uploaded(mine, "hospital-b", "op-3");
        assertThat(second.sweep(deleted::add)).isEqualTo(1);
        assertThat(deleted).containsExactly(lost);
        assertThat(segments()).as("only this run's segment remains").hasSize(1);
        second.close();
    }

    @Test void anAbandonedRequestGivesItsBlobOnceAndAFailedDeletionIsRetried() throws IOException {
        UploadJournal j = journal();
        String blob = BlobNames.random();
        j.uploaded(blob, "hospital-b", "op-1");
        assertThat(j.abandoned("hospital-b", "op-1")).isEqualTo(blob);
        assertThat(j.abandoned("hospital-b", "op-1")).isNull();
        j.close();

        UploadJournal next = journal();
        assertThatThrownBy(() -> next.sweep(b -> {
            throw new IOException("the cloud is down");
        })).hasMessage("the cloud is down");
        assertThat(segments()).as("kept for the next sweep").hasSize(1);
        assertThat(next.sweep(deleted::add)).isEqualTo(1);
        assertThat(deleted).containsExactly(blob);
        next.close();
    }
}
