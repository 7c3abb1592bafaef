package org.dicomrelay.dicom.json;

/**
 * The differences between our DICOM JSON and dcm2json's (DCMTK 3.6.7) that are intended. Each is
 * a choice the standard leaves free, or a place where dcm2json departs from it; the justification
 * is in {@link JsonMatchesDcm2jsonTest}. A difference not listed here fails the test.
 */
enum Dcm2jsonDifference {
    DECIMAL_FORM,
    FLOAT_DIGITS,
    CHARSET_DECLARED_AS_UTF8,
    ODD_LENGTH_PADDED,
    US_OR_SS,
    ENCAPSULATED_PIXEL_DATA,
    TRANSFER_SYNTAX_MISMATCH,
    ISO_2022_IR_87_NOT_CONVERTED,
    ITEM_CHARSET_IGNORED
}
