package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** -L, -M, -m and -r, as dcm4che's findscu/movescu/getscu take them. */
public final class QueryKeys {
    public enum Level { PATIENT, STUDY, SERIES, IMAGE }

    public enum Model {
        PatientRoot(QueryRetrieveModel.PATIENT_ROOT), StudyRoot(QueryRetrieveModel.STUDY_ROOT);

        final QueryRetrieveModel model;

        Model(QueryRetrieveModel m) {
            this.model = m;
        }
    }

    @Option(names = "-L", paramLabel = "LEVEL", defaultValue = "STUDY", description = "query/retrieve level: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Level level;

    @Option(names = "-M", paramLabel = "MODEL", defaultValue = "StudyRoot", description = "information model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Model model;

    @Option(names = "-m", paramLabel = "Keyword=value", description = "matching key, e.g. -m PatientName=DOE^* (repeatable)")
    List<String> matching = List.of();

    /** Return keys asked for by default at each level, so that a bare query prints something useful. */
    static final Map<Level, List<String>> DEFAULT_RETURN = Map.of(
            Level.PATIENT, List.of("PatientName", "PatientID", "PatientBirthDate", "PatientSex"),
            Level.STUDY, List.of("PatientName", "PatientID", "StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber",
                    "StudyDescription", "ModalitiesInStudy", "NumberOfStudyRelatedInstances"),
            Level.SERIES, List.of("StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
                    "NumberOfSeriesRelatedInstances"),
            Level.IMAGE, List.of("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID", "InstanceNumber"));

    Attributes build(List<String> returnKeys, boolean withDefaults) {
        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, level.name());
        if (withDefaults) for (String k : DEFAULT_RETURN.get(level)) put(keys, k, "");
        for (String k : returnKeys) put(keys, k, "");
        boolean nonAscii = matching.stream().anyMatch(m -> m.chars().anyMatch(c -> c > 127));
        if (nonAscii) keys.setString(0x00080005, VR.CS, "ISO_IR 192");
        for (String m : matching) {
            int eq = m.indexOf('=');
            if (eq <= 0) throw new CommandLine.ParameterException(new CommandLine(this), "matching key must be Keyword=value: " + m);
            put(keys, m.substring(0, eq), m.substring(eq + 1));
        }
        return keys;
    }

    private static void put(Attributes keys, String keyword, String value) {
        ElementDictionary dict = ElementDictionary.standard();
        int tag = dict.tagOf(keyword);
        if (tag == -1) {
            try {
                tag = (int) Long.parseLong(keyword, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unknown attribute keyword '" + keyword + "'");
            }
        }
        keys.setString(tag, dict.vrOf(tag), value);
    }
}
