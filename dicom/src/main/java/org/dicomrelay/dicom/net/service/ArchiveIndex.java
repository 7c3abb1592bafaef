package org.dicomrelay.dicom.net.service;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where an archive keeps what it knows of its instances. The archive does the matching of
 * PS3.4 §C.2.2.2 itself over {@link #instances()}, so an implementation only stores and lists;
 * one backed by a database may later narrow the listing by unique keys.
 */
public interface ArchiveIndex extends Closeable {

    /** Adds an instance, replacing one with the same SOP Instance UID; returns the one replaced, if any. */
    Optional<IndexedInstance> put(IndexedInstance instance) throws IOException;

    Optional<IndexedInstance> get(String sopInstanceUid) throws IOException;

    /**
     * Every instance, in a stable order; the stream may be lazy and may hold resources (close it).
     * It reflects the index at some moment during the call: instances added meanwhile may or may
     * not appear.
     */
    Stream<IndexedInstance> instances() throws IOException;

    int size() throws IOException;

    @Override default void close() throws IOException {}
}
