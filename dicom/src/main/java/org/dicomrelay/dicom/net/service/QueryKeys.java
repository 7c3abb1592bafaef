package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.ByteSwap;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The key attributes the archive supports for matching and return, by level of the Patient Root
 * model (PS3.4 Tables C.6-1 to C.6-4 plus the additional attributes of Table C.3-1); in the Study
 * Root model the patient attributes are study attributes (PS3.4 §C.3.2). What is not listed here
 * is an unsupported Optional Key: not returned, and the matches report FF01.
 */
public final class QueryKeys {
    private QueryKeys() {}

    public static final int QueryRetrieveLevel = 0x00080052;
    public static final int RetrieveAETitle = 0x00080054;
    public static final int InstanceAvailability = 0x00080056;
    public static final int QueryRetrieveView = 0x00080053;
    public static final int TimezoneOffsetFromUTC = 0x00080201;
    public static final int FailedSOPInstanceUIDList = 0x00080058;

    // Computed from the index, never stored in an instance (PS3.4 Table C.3-1).
    public static final int ModalitiesInStudy = 0x00080061;
    public static final int SOPClassesInStudy = 0x00080062;
    public static final int NumberOfPatientRelatedStudies = 0x00201200;
    public static final int NumberOfPatientRelatedSeries = 0x00201202;
    public static final int NumberOfPatientRelatedInstances = 0x00201204;
    public static final int NumberOfStudyRelatedSeries = 0x00201206;
    public static final int NumberOfStudyRelatedInstances = 0x00201208;
    public static final int NumberOfSeriesRelatedInstances = 0x00201209;
    public static final int AvailableTransferSyntaxUID = 0x00083002;

    private static final int[] PATIENT = {
            0x00100010, // PatientName (R)
            Tag.PatientID, // (U)
            0x00100021, // IssuerOfPatientID
            0x00100030, // PatientBirthDate
            0x00100032, // PatientBirthTime
            0x00100040, // PatientSex
            0x00101000, // OtherPatientIDs
            0x00101001, // OtherPatientNames
            0x00102160, // EthnicGroup
            0x00104000, // PatientComments
    };
    private static final int[] STUDY = {
            0x00080020, // StudyDate (R)
            0x00080030, // StudyTime (R)
            0x00080050, // AccessionNumber (R)
            0x00200010, // StudyID (R)
            Tag.StudyInstanceUID, // (U)
            0x00080090, // ReferringPhysicianName
            0x00081030, // StudyDescription
            0x00081060, // NameOfPhysiciansReadingStudy
            0x00081080, // AdmittingDiagnosesDescription
            0x00101010, // PatientAge
            0x00101020, // PatientSize
            0x00101030, // PatientWeight
            0x00102180, // Occupation
            0x001021B0, // AdditionalPatientHistory
    };
    private static final int[] SERIES = {
            0x00080060, // Modality (R)
            0x00200011, // SeriesNumber (R)
            Tag.SeriesInstanceUID, // (U)
            0x0008103E, // SeriesDescription
            0x00080021, // SeriesDate
            0x00080031, // SeriesTime
            0x00180015, // BodyPartExamined
            0x00200060, // Laterality
            0x00181030, // ProtocolName
            0x00400244, // PerformedProcedureStepStartDate
            0x00400245, // PerformedProcedureStepStartTime
            0x00080070, // Manufacturer
            0x00080080, // InstitutionName
            0x00081010, // StationName
            0x00081050, // PerformingPhysicianName
            0x00081070, // OperatorsName
            0x00200052, // FrameOfReferenceUID
    };
    private static final int[] IMAGE = {
            0x00200013, // InstanceNumber (R)
            Tag.SOPInstanceUID, // (U)
            Tag.SOPClassUID,
            0x00080008, // ImageType
            0x00080012, // InstanceCreationDate
            0x00080013, // InstanceCreationTime
            0x00080022, // AcquisitionDate
            0x00080023, // ContentDate
            0x0008002A, // AcquisitionDateTime
            0x00080032, // AcquisitionTime
            0x00080033, // ContentTime
            0x00200012, // AcquisitionNumber
            0x00204000, // ImageComments
            0x00280008, // NumberOfFrames
            0x00280010, // Rows
            0x00280011, // Columns
            0x00280100, // BitsAllocated
            0x00420010, // DocumentTitle
            0x00700080, // ContentLabel
            0x00700081, // ContentDescription
            0x0040A491, // CompletionFlag
            0x0040A493, // VerificationFlag
    };

    private static final Map<Integer, QueryLevel> STORED;
    private static final Map<Integer, QueryLevel> COMPUTED;
    static {
        Map<Integer, QueryLevel> m = new HashMap<>();
        for (int t : PATIENT) m.put(t, QueryLevel.PATIENT);
        for (int t : STUDY) m.put(t, QueryLevel.STUDY);
        for (int t : SERIES) m.put(t, QueryLevel.SERIES);
        for (int t : IMAGE) m.put(t, QueryLevel.IMAGE);
        STORED = Collections.unmodifiableMap(m);
        COMPUTED = Map.of(
                NumberOfPatientRelatedStudies, QueryLevel.PATIENT,
                NumberOfPatientRelatedSeries, QueryLevel.PATIENT,
                NumberOfPatientRelatedInstances, QueryLevel.PATIENT,
                ModalitiesInStudy, QueryLevel.STUDY,
                SOPClassesInStudy, QueryLevel.STUDY,
                NumberOfStudyRelatedSeries, QueryLevel.STUDY,
                NumberOfStudyRelatedInstances, QueryLevel.STUDY,
                NumberOfSeriesRelatedInstances, QueryLevel.SERIES,
                AvailableTransferSyntaxUID, QueryLevel.IMAGE);
    }

    /** The attributes an index keeps of each instance. */
    public static Set<Integer> storedTags() { return STORED.keySet(); }

    public static boolean isComputed(int tag) { return COMPUTED.containsKey(tag); }

    /** The level a supported key belongs to in a model, or null when the archive does not support the key. */
    public static QueryLevel levelOf(int tag, QueryRetrieveModel model) {
        QueryLevel l = STORED.get(tag);
        if (l == null) l = COMPUTED.get(tag);
        if (l == QueryLevel.PATIENT && model == QueryRetrieveModel.STUDY_ROOT) {
            // Study Root: Number of Patient Related … have no meaning without the patient level.
            return COMPUTED.containsKey(tag) ? null : QueryLevel.STUDY;
        }
        return l;
    }

    /** The VR a key has in responses: the dictionary's. */
    public static VR vrOf(int tag) {
        return ElementDictionary.standard().vrOf(tag);
    }

    /**
     * The attributes to index of an instance, taken from its data set (read up to the pixel data):
     * the listed keys and Specific Character Set, values copied as they are encoded (so that they
     * are returned in their own character set), in little endian byte order.
     */
    public static Attributes extract(Attributes dataSet) {
        Attributes out = new Attributes(false);
        copy(dataSet, out, Tag.SpecificCharacterSet);
        for (int tag : STORED.keySet()) copy(dataSet, out, tag);
        return out;
    }

    private static void copy(Attributes from, Attributes to, int tag) {
        DicomElement e = from.get(tag);
        if (e == null || !(e.value() instanceof byte[] || e.value() instanceof org.dicomrelay.dicom.data.BulkData)) return;
        byte[] v = from.getBytes(tag);
        VR vr = e.vr();
        if (vr == VR.UN) vr = vrOf(tag); // explicit VR files may carry a known element as UN
        if (from.bigEndian() && vr.swapUnit() > 1) v = ByteSwap.swapped(v, vr);
        to.setBytes(tag, vr, v.clone());
    }
}
