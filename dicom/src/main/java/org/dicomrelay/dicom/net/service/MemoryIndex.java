package org.dicomrelay.dicom.net.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** An {@link ArchiveIndex} in memory, in the order instances were first added. */
public final class MemoryIndex implements ArchiveIndex {
    private final Map<String, IndexedInstance> byUid = new LinkedHashMap<>();

    @Override public synchronized Optional<IndexedInstance> put(IndexedInstance instance) {
        return Optional.ofNullable(byUid.put(instance.sopInstanceUid(), instance));
    }

    @Override public synchronized Optional<IndexedInstance> get(String sopInstanceUid) {
        return Optional.ofNullable(byUid.get(sopInstanceUid));
    }

    @Override public Stream<IndexedInstance> instances() {
        List<IndexedInstance> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(byUid.values());
        }
        return snapshot.stream();
    }

    @Override public synchronized int size() {
        return byUid.size();
    }
}
