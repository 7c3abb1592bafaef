package org.dicomrelay.dicom.data;

import java.util.List;

/**
 * A sequence value: its items, and whether it was encoded with undefined length (so that it is
 * written back the same way).
 */
public record Sequence(List<Attributes> items, boolean undefinedLength) {
    public Sequence {
        items = new java.util.ArrayList<>(items);
    }

    public static Sequence of(Attributes... items) {
        return new Sequence(List.of(items), true);
    }
}
