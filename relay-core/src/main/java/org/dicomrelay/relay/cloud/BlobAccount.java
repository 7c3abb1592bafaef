package org.dicomrelay.relay.cloud;

/**
 * A router's blob account at the Bridge.
 *
 * @param partBytes  the largest part the Bridge accepts in one request
 * @param quotaBytes how many bytes of this router's unconsumed blobs the Bridge holds at most
 * @param usedBytes  how many it holds now (complete or still being uploaded)
 */
public record BlobAccount(int partBytes, long quotaBytes, long usedBytes) {
    public BlobAccount {
        if (partBytes < 1) throw new IllegalArgumentException("partBytes must be positive");
    }
}
