package org.dicomrelay.dicom.net.service;

/** The Query/Retrieve information models of PS3.4 Annex C with their SOP classes. */
public enum QueryRetrieveModel {
    PATIENT_ROOT("1.2.840.10008.5.1.4.1.2.1.1", "1.2.840.10008.5.1.4.1.2.1.2", "1.2.840.10008.5.1.4.1.2.1.3"),
    STUDY_ROOT("1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.5.1.4.1.2.2.2", "1.2.840.10008.5.1.4.1.2.2.3");

    public final String find;
    public final String move;
    public final String get;

    QueryRetrieveModel(String find, String move, String get) {
        this.find = find;
        this.move = move;
        this.get = get;
    }

    /** The model a Q/R SOP class UID belongs to, or null. */
    public static QueryRetrieveModel of(String sopClassUid) {
        for (QueryRetrieveModel m : values()) {
            if (m.find.equals(sopClassUid) || m.move.equals(sopClassUid) || m.get.equals(sopClassUid)) return m;
        }
        return null;
    }
}
