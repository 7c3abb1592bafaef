package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Tag;

/** The levels of the Query/Retrieve information models (PS3.4 §C.3), top down, with their unique keys. */
public enum QueryLevel {
    PATIENT(Tag.PatientID),
    STUDY(Tag.StudyInstanceUID),
    SERIES(Tag.SeriesInstanceUID),
    IMAGE(Tag.SOPInstanceUID);

    /** The Unique Key of the level (PS3.4 §C.2.2.1.1). */
    public final int uniqueKey;

    QueryLevel(int uniqueKey) {
        this.uniqueKey = uniqueKey;
    }

    /** The levels of a model: the Study Root model has no PATIENT level (PS3.4 §C.3.2). */
    public static boolean isIn(QueryLevel level, QueryRetrieveModel model) {
        return model == QueryRetrieveModel.PATIENT_ROOT || level != PATIENT;
    }

    /** The highest level of a model. */
    public static QueryLevel top(QueryRetrieveModel model) {
        return model == QueryRetrieveModel.PATIENT_ROOT ? PATIENT : STUDY;
    }

    /** The level named by a Query/Retrieve Level (0008,0052) value, or null. */
    public static QueryLevel of(String value) {
        if (value == null) return null;
        for (QueryLevel l : values()) if (l.name().equals(value)) return l;
        return null;
    }
}
