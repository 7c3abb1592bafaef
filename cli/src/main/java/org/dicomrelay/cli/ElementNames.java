package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Tag;

/** The name column of dcmdump: the PS3.6 keyword, with dcmdump's wording for the cases it has none. */
final class ElementNames {
    private ElementNames() {}

    static final String UNKNOWN = "Unknown Tag & Data";

    static String of(int tag) {
        if (Tag.isGroupLength(tag) && Tag.group(tag) != 2) return Tag.isPrivate(tag) ? "PrivateGroupLength" : "GenericGroupLength";
        if (Tag.isPrivate(tag)) return Tag.isPrivateCreator(tag) ? "PrivateCreator" : UNKNOWN;
        ElementDictionary.Entry e = ElementDictionary.standard().entry(tag);
        if (e == null || e.keyword().isEmpty()) return UNKNOWN;
        return e.retired() ? "RETIRED_" + e.keyword() : e.keyword();
    }
}
