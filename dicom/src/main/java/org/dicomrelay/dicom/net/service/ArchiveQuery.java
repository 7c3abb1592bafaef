package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A C-FIND, C-MOVE or C-GET identifier parsed against a Query/Retrieve model: its level, the keys
 * to match (PS3.4 §C.2.2.2, see {@link KeyMatcher}) and, for C-FIND, the keys to return.
 *
 * <p>Matching is evaluated per instance on the attributes of its own level and the levels above;
 * the archive reports each entity of the query level once. Keys of levels above the query level
 * are matched too when the identifier has them (as relational queries would, C.4.1.3.2.2), and a
 * missing unique key of a level above is universal; both go beyond the baseline hierarchical
 * search, which they include.
 */
final class ArchiveQuery {

    /** An identifier the archive cannot process: the status of the final response and why. */
    static final class QueryException extends Exception {
        final int status;

        QueryException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Status for an identifier we cannot process (PS3.4 Table C.4-1: Cxxx, unable to process). */
    static final int INVALID_IDENTIFIER = 0xC000;
    /** Identifier does not match SOP class (e.g. no Query/Retrieve Level). */
    static final int IDENTIFIER_DOES_NOT_MATCH = 0xA900;

    final QueryRetrieveModel model;
    final QueryLevel level;
    private final List<KeyMatcher> matchers;
    private final List<Integer> returnKeys;
    private final boolean unsupportedKeys;
    private final boolean needsAggregates;

    private ArchiveQuery(QueryRetrieveModel model, QueryLevel level, List<KeyMatcher> matchers, List<Integer> returnKeys,
                         boolean unsupportedKeys, boolean needsAggregates) {
        this.model = model;
        this.level = level;
        this.matchers = matchers;
        this.returnKeys = returnKeys;
        this.unsupportedKeys = unsupportedKeys;
        this.needsAggregates = needsAggregates;
    }

    private static QueryLevel level(QueryRetrieveModel model, Attributes id) throws QueryException {
        String lv = id.getString(QueryKeys.QueryRetrieveLevel);
        if (lv == null) throw new QueryException(IDENTIFIER_DOES_NOT_MATCH, "no Query/Retrieve Level (0008,0052) in the identifier");
        QueryLevel level = QueryLevel.of(lv);
        if (level == null || !QueryLevel.isIn(level, model)) {
            throw new QueryException(INVALID_IDENTIFIER, "Query/Retrieve Level \"" + lv + "\" is not a level of the " + model + " model");
        }
        return level;
    }

    private static String keyword(int tag) {
        String k = ElementDictionary.standard().keywordOf(tag);
        return (k.isEmpty() ? "" : k + " ") + Tag.toString(tag);
    }

    /** A C-FIND identifier (PS3.4 §C.4.1.1.3.1). */
    static ArchiveQuery find(QueryRetrieveModel model, Attributes id) throws QueryException {
        QueryLevel level = level(model, id);
        List<KeyMatcher> matchers = new ArrayList<>();
        List<Integer> returnKeys = new ArrayList<>();
        boolean unsupported = false, aggregates = false;
        for (DicomElement e : id) {
            int tag = e.tag();
            if (Tag.isGroupLength(tag) || tag == Tag.SpecificCharacterSet || tag == QueryKeys.QueryRetrieveLevel
                    || tag == QueryKeys.TimezoneOffsetFromUTC || tag == QueryKeys.QueryRetrieveView) {
                continue;
            }
            if (tag == QueryKeys.RetrieveAETitle || tag == QueryKeys.InstanceAvailability) {
                returnKeys.add(tag); // ours to say, never matched
                continue;
            }
            if (Tag.isPrivate(tag)) continue; // may be ignored when unrecognized (PS3.4 §C.4.1.1.3.2, note 4)
            QueryLevel kl = QueryKeys.levelOf(tag, model);
            if (kl == null || kl.ordinal() > level.ordinal() || e.value() instanceof Sequence) {
                unsupported = true; // an Optional Key we don't support: not returned (PS3.4 §C.2.2.1.3), FF01
                continue;
            }
            returnKeys.add(tag);
            try {
                KeyMatcher m = KeyMatcher.parse(tag, QueryKeys.vrOf(tag), id.getStrings(tag), isUniqueKey(tag, model));
                if (!m.isUniversal()) matchers.add(m);
                if (QueryKeys.isComputed(tag)) aggregates = true;
            } catch (KeyMatcher.InvalidKeyException ex) {
                throw new QueryException(INVALID_IDENTIFIER, ex.getMessage());
            }
        }
        return new ArchiveQuery(model, level, matchers, returnKeys, unsupported, aggregates);
    }

    /**
     * A C-MOVE or C-GET identifier (PS3.4 §C.4.2.1.4.1): the unique key of the level is required
     * (one value, or a list of UIDs); unique keys above are matched when present (as
     * relational-retrieve would). Other keys are ignored.
     */
    static ArchiveQuery retrieve(QueryRetrieveModel model, Attributes id) throws QueryException {
        QueryLevel level = level(model, id);
        List<KeyMatcher> matchers = new ArrayList<>();
        for (QueryLevel l = QueryLevel.top(model); l.ordinal() <= level.ordinal(); l = QueryLevel.values()[l.ordinal() + 1]) {
            String[] values = id.getStrings(l.uniqueKey);
            if (values.length == 0 || (values.length == 1 && values[0].isEmpty())) {
                if (l == level) throw new QueryException(INVALID_IDENTIFIER, "no " + keyword(l.uniqueKey) + " to retrieve at the " + level + " level");
                continue;
            }
            KeyMatcher m;
            try {
                m = KeyMatcher.parse(l.uniqueKey, QueryKeys.vrOf(l.uniqueKey), values, true);
            } catch (KeyMatcher.InvalidKeyException ex) {
                throw new QueryException(INVALID_IDENTIFIER, ex.getMessage());
            }
            if (!m.isLiteral() || (m.vr() == VR.UI && !Arrays.stream(values).allMatch(v -> UID.matcher(v).matches()))) {
                throw new QueryException(INVALID_IDENTIFIER, keyword(l.uniqueKey) + " of a retrieve must be one value or a list of UIDs, not \""
                        + String.join("\\", values) + "\"");
            }
            matchers.add(m);
            if (l == QueryLevel.IMAGE) break;
        }
        return new ArchiveQuery(model, level, matchers, List.of(), false, false);
    }

    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

    private static boolean isUniqueKey(int tag, QueryRetrieveModel model) {
        for (QueryLevel l : QueryLevel.values()) {
            if (l.uniqueKey == tag) return QueryLevel.isIn(l, model);
        }
        return false;
    }

    /** Some requested key is not supported: matches are reported with FF01 (PS3.4 Table C.4-1). */
    boolean hasUnsupportedKeys() { return unsupportedKeys; }

    boolean needsAggregates() { return needsAggregates; }

    /** The entity of the query level an instance belongs to: one response per entity. */
    String entityOf(IndexedInstance rec) {
        return rec.uniqueKey(level);
    }

    boolean matches(IndexedInstance rec, Aggregates agg) {
        for (KeyMatcher m : matchers) {
            if (!m.matches(values(rec, agg, m.tag()))) return false;
        }
        return true;
    }

    private String[] values(IndexedInstance rec, Aggregates agg, int tag) {
        if (tag == QueryKeys.AvailableTransferSyntaxUID) return new String[] {rec.transferSyntaxUid()};
        if (QueryKeys.isComputed(tag)) return agg.values(tag, rec);
        return rec.attributes().getStrings(tag);
    }

    /**
     * The C-FIND response identifier for the entity of an instance (PS3.4 §C.4.1.1.3.2): the keys
     * asked for (zero length where the entity has no value), the unique keys of the levels above
     * (§C.4.1.3.1.1), Query/Retrieve Level, Retrieve AE Title, and the instance's Specific Character
     * Set, values copied in their stored encoding.
     */
    Attributes response(IndexedInstance rec, Aggregates agg, String retrieveAeTitle) {
        Attributes r = new Attributes(false);
        DicomElement cs = rec.attributes().get(Tag.SpecificCharacterSet);
        if (cs != null) r.set(cs);
        r.setString(QueryKeys.QueryRetrieveLevel, VR.CS, level.name());
        r.setString(QueryKeys.RetrieveAETitle, VR.AE, retrieveAeTitle);
        for (QueryLevel l = QueryLevel.top(model); l.ordinal() < level.ordinal(); l = QueryLevel.values()[l.ordinal() + 1]) {
            copy(rec, r, l.uniqueKey);
        }
        for (int tag : returnKeys) {
            if (tag == QueryKeys.RetrieveAETitle) continue;
            if (tag == QueryKeys.InstanceAvailability) {
                r.setString(tag, VR.CS, "ONLINE");
            } else if (tag == QueryKeys.AvailableTransferSyntaxUID || QueryKeys.isComputed(tag)) {
                r.setString(tag, QueryKeys.vrOf(tag), values(rec, agg, tag));
            } else {
                copy(rec, r, tag);
            }
        }
        return r;
    }

    private static void copy(IndexedInstance rec, Attributes to, int tag) {
        DicomElement e = rec.attributes().get(tag);
        to.set(e != null ? e : new DicomElement(tag, QueryKeys.vrOf(tag), new byte[0]));
    }

    /** The values of Table C.3-1 that count or collect over the index (computed only when asked for). */
    static final class Aggregates {
        private final Map<String, Set<String>> patientStudies = new HashMap<>(), patientSeries = new HashMap<>();
        private final Map<String, Integer> patientInstances = new HashMap<>(), studyInstances = new HashMap<>(), seriesInstances = new HashMap<>();
        private final Map<String, Set<String>> studySeries = new HashMap<>(), studyModalities = new HashMap<>(), studyClasses = new HashMap<>();

        static Aggregates of(Stream<IndexedInstance> instances) {
            Aggregates a = new Aggregates();
            instances.forEach(a::add);
            return a;
        }

        private void add(IndexedInstance i) {
            String p = i.patientId(), st = i.studyInstanceUid(), se = i.seriesInstanceUid();
            patientStudies.computeIfAbsent(p, k -> new HashSet<>()).add(st);
            patientSeries.computeIfAbsent(p, k -> new HashSet<>()).add(se);
            patientInstances.merge(p, 1, Integer::sum);
            studySeries.computeIfAbsent(st, k -> new HashSet<>()).add(se);
            studyInstances.merge(st, 1, Integer::sum);
            seriesInstances.merge(se, 1, Integer::sum);
            String modality = i.attributes().getString(0x00080060);
            if (modality != null) studyModalities.computeIfAbsent(st, k -> new LinkedHashSet<>()).add(modality);
            studyClasses.computeIfAbsent(st, k -> new LinkedHashSet<>()).add(i.sopClassUid());
        }

        String[] values(int tag, IndexedInstance i) {
            String p = i.patientId(), st = i.studyInstanceUid(), se = i.seriesInstanceUid();
            return switch (tag) {
                case QueryKeys.NumberOfPatientRelatedStudies -> count(patientStudies.get(p));
                case QueryKeys.NumberOfPatientRelatedSeries -> count(patientSeries.get(p));
                case QueryKeys.NumberOfPatientRelatedInstances -> number(patientInstances.get(p));
                case QueryKeys.NumberOfStudyRelatedSeries -> count(studySeries.get(st));
                case QueryKeys.NumberOfStudyRelatedInstances -> number(studyInstances.get(st));
                case QueryKeys.NumberOfSeriesRelatedInstances -> number(seriesInstances.get(se));
                case QueryKeys.ModalitiesInStudy -> strings(studyModalities.get(st));
                case QueryKeys.SOPClassesInStudy -> strings(studyClasses.get(st));
                default -> new String[0];
            };
        }

        private static String[] count(Set<String> s) { return new String[] {Integer.toString(s == null ? 0 : s.size())}; }

        private static String[] number(Integer n) { return new String[] {Integer.toString(n == null ? 0 : n)}; }

        private static String[] strings(Set<String> s) { return s == null ? new String[0] : s.toArray(String[]::new); }
    }
}
