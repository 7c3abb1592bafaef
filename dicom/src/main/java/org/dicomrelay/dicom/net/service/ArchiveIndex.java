package org.dicomrelay.dicom.net.service;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where an archive keeps what it knows of its instances. The archive does the matching of
 * PS3.4 §C.2.2.2 itself over {@link #instances()}, so an implementation only stores and lists;
 * one backed by a database may later narrow the listing by unique keys. An index that outlives the
 * archive (a database) spares the scan of the folder at the next start.
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

    /**
     * Whether the index already lists what a scan of the archive's folder would find, kept from
     * an earlier run, so that the archive need not scan its folder at start. An index in memory
     * never does; a persistent one does once told {@link #scanCompleted()}.
     */
    default boolean holdsScannedFolder() throws IOException { return false; }

    /** Told after the archive indexed every file of its folder: a persistent index remembers it (see {@link #holdsScannedFolder()}). */
    default void scanCompleted() throws IOException {}

    @Override default void close() throws IOException {}
}
