package org.dicomrelay.dicom.json;

import java.math.BigDecimal;

/** A JSON number kept as its text, so that no digit is lost before the VR decides what it needs. */
record JsonNumber(String text) {

    BigDecimal toBigDecimal() { return new BigDecimal(text); }

    boolean isIntegral() {
        return text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0;
    }

    @Override public String toString() { return text; }
}
