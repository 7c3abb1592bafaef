package org.dicomrelay.dicom.data;

import java.util.List;

/**
 * Encapsulated pixel data (PS3.5 §A.4): the items in order, the first being the basic offset table
 * (possibly empty). Each item is {@code byte[]} or {@link BulkData}; none is ever decoded.
 */
public record Fragments(List<Object> items) {
    public Fragments {
        for (Object o : items) {
            if (!(o instanceof byte[] || o instanceof BulkData)) {
                throw new IllegalArgumentException("fragment must be byte[] or BulkData");
            }
        }
        items = new java.util.ArrayList<>(items);
    }
}
