package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;

import java.nio.file.Path;

/**
 * What an archive index keeps of one stored instance: where its file is, what it is, and its key
 * attributes of every level ({@link QueryKeys#extract}), never its pixel data.
 */
public record IndexedInstance(String sopInstanceUid, String sopClassUid, String transferSyntaxUid, Path path,
                              Attributes attributes) {

    public String patientId() {
        String id = attributes.getString(Tag.PatientID);
        return id == null ? "" : id;
    }

    public String studyInstanceUid() { return attributes.getString(Tag.StudyInstanceUID); }

    public String seriesInstanceUid() { return attributes.getString(Tag.SeriesInstanceUID); }

    /** The value of the unique key of a level, which identifies the entity this instance belongs to there. */
    public String uniqueKey(QueryLevel level) {
        return switch (level) {
            case PATIENT -> patientId();
            case STUDY -> studyInstanceUid();
            case SERIES -> seriesInstanceUid();
            case IMAGE -> sopInstanceUid;
        };
    }
}
