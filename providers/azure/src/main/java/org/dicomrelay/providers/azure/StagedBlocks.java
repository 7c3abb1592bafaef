package org.dicomrelay.providers.azure;

import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Uncommitted blocks: Azure has no call that drops them. A blob that has only uncommitted blocks
 * is not a blob yet (Delete Blob answers 404); committing an empty block list makes it an empty
 * blob and drops every uncommitted block, and then it can be deleted.
 */
final class StagedBlocks {
    private StagedBlocks() {}

    /** Drops a blob name's uncommitted blocks (and the blob, if it had been committed). */
    static void discard(BlockBlobClient blob) {
        blob.commitBlockList(List.of(), true);
        blob.deleteIfExists();
    }

    /** When the oldest upload that staged blocks under this name started, if it left any. */
    static Optional<Instant> oldestStart(BlockBlobClient blob) {
        Instant oldest = null;
        for (var block : blob.listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks()) {
            Instant started = BlockIds.started(block.getName()).orElse(Instant.EPOCH); // a block of unknown age: old
            if (oldest == null || started.isBefore(oldest)) oldest = started;
        }
        return Optional.ofNullable(oldest);
    }
}
