package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.VR;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Random data sets for property tests: standard tags of every VR (so that implicit VR, which
 * takes the VR from the dictionary, loses nothing), private UN elements, nested sequences.
 */
final class RandomDataSets {
    private RandomDataSets() {}

    /** One standard tag per VR; the dictionary must give the same VR for implicit VR to be lossless. */
    static final Map<VR, Integer> TAGS = Map.ofEntries(
            Map.entry(VR.AE, 0x00080054), Map.entry(VR.AS, 0x00101010), Map.entry(VR.AT, 0x00209165),
            Map.entry(VR.CS, 0x00080060), Map.entry(VR.DA, 0x00080020), Map.entry(VR.DS, 0x00101020),
            Map.entry(VR.DT, 0x00080015), Map.entry(VR.FD, 0x00189087), Map.entry(VR.FL, 0x00089459),
            Map.entry(VR.IS, 0x00082122), Map.entry(VR.LO, 0x00100020), Map.entry(VR.LT, 0x00102155),
            Map.entry(VR.OB, 0x00420011), Map.entry(VR.OD, 0x00660022), Map.entry(VR.OF, 0x00181638),
            Map.entry(VR.OL, 0x00660040), Map.entry(VR.OV, 0x00720081), Map.entry(VR.OW, 0x00281201),
            Map.entry(VR.PN, 0x00100010), Map.entry(VR.SH, 0x00080050), Map.entry(VR.SL, 0x00186020),
            Map.entry(VR.SS, 0x00189219), Map.entry(VR.ST, 0x00080081), Map.entry(VR.SV, 0x00720082),
            Map.entry(VR.TM, 0x00080013), Map.entry(VR.UC, 0x00080119), Map.entry(VR.UI, 0x00080018),
            Map.entry(VR.UL, 0x00081161), Map.entry(VR.UR, 0x00080120), Map.entry(VR.US, 0x00280010),
            Map.entry(VR.UT, 0x0008030E), Map.entry(VR.UV, 0x00720083));

    static final int[] SEQUENCE_TAGS = {0x00081115, 0x00081140, 0x0040A730};

    static Arbitrary<Attributes> dataSets() {
        return dataSet(2);
    }

    private static Arbitrary<Attributes> dataSet(int depth) {
        Arbitrary<DicomElement> element = depth > 0
                ? Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, simpleElement()), net.jqwik.api.Tuple.of(1, sequence(depth)))
                : simpleElement();
        return element.list().ofMaxSize(12).map(list -> {
            TreeMap<Integer, DicomElement> byTag = new TreeMap<>(Integer::compareUnsigned);
            for (DicomElement e : list) byTag.put(e.tag(), e);
            Attributes a = new Attributes();
            byTag.values().forEach(a::add);
            return a;
        });
    }

    private static Arbitrary<DicomElement> sequence(int depth) {
        return Combinators.combine(Arbitraries.of(0, 1, 2), dataSet(depth - 1).list().ofMaxSize(3))
                .as((i, items) -> new DicomElement(SEQUENCE_TAGS[i], VR.SQ, new Sequence(items, true)));
    }

    private static Arbitrary<DicomElement> simpleElement() {
        Arbitrary<DicomElement> standard = Arbitraries.of(new ArrayList<>(TAGS.keySet()).stream()
                        .sorted(Comparator.comparing(Enum::name)).toList())
                .flatMap(vr -> value(vr).map(v -> new DicomElement(TAGS.get(vr), vr, v)));
        // private data element (odd group, element above the creator block) without a dictionary entry
        Arbitrary<DicomElement> priv = Combinators.combine(Arbitraries.integers().between(0x1000, 0x10FF),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(b -> b.length % 2 == 0 ? b : java.util.Arrays.copyOf(b, b.length + 1)))
                .as((e, b) -> new DicomElement(0x00090000 | e, VR.UN, b));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, standard), net.jqwik.api.Tuple.of(1, priv));
    }

    private static Arbitrary<byte[]> value(VR vr) {
        return switch (vr.kind()) {
            case STRING, TEXT -> text(vr).map(s -> Attributes.pad(s.getBytes(StandardCharsets.ISO_8859_1), vr));
            case BINARY -> {
                int unit = vr == VR.AT ? 4 : Math.max(vr.swapUnit(), vr == VR.OB || vr == VR.UN ? 2 : 1);
                yield Arbitraries.integers().between(0, 8).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n * unit));
            }
            default -> throw new IllegalArgumentException(vr.toString());
        };
    }

    private static Arbitrary<String> text(VR vr) {
        Arbitrary<String> one = switch (vr) {
            case UI -> Arbitraries.integers().between(0, 99999).list().ofMinSize(1).ofMaxSize(6)
                    .map(l -> String.join(".", l.stream().map(String::valueOf).toList()));
            case DS -> Arbitraries.doubles().between(-1e6, 1e6).ofScale(3).map(d -> Double.toString(d));
            case IS -> Arbitraries.integers().between(-99999, 99999).map(String::valueOf);
            case DA -> Arbitraries.strings().numeric().ofLength(8);
            case TM -> Arbitraries.strings().numeric().ofLength(6);
            case CS, AE -> Arbitraries.strings().withCharRange('A', 'Z').withChars('_', ' ', '0').ofMaxLength(16);
            default -> Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withChars(' ', '^', '.', '-')
                    .ofMaxLength(vr.isSingleValuedText() ? 200 : 60);
        };
        if (vr.isSingleValuedText()) return one.map(s -> s.strip());
        return one.map(String::strip).list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("\\", l));
    }

    static List<org.dicomrelay.dicom.data.TransferSyntax> uncompressed() {
        return List.of(org.dicomrelay.dicom.data.TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN,
                org.dicomrelay.dicom.data.TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                org.dicomrelay.dicom.data.TransferSyntax.EXPLICIT_VR_BIG_ENDIAN,
                org.dicomrelay.dicom.data.TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);
    }
}
