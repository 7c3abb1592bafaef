package org.dicomrelay.dicom.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard data element dictionary (PS3.6 Table 6-1, 7-1, 8-1), loaded once from
 * {@code dictionary.tsv}, which scripts/gen-dictionary derives from DCMTK's dicom.dic.
 *
 * <p>Besides the listed entries, two rules of PS3.5 are built in: every (gggg,0000) is a Group
 * Length (§7.2), and (gggg,0010-00FF) of a private group is a Private Creator (§7.8.1). Other
 * private elements are unknown here; their meaning depends on the creator.
 */
public final class ElementDictionary {

    /**
     * One dictionary entry. {@code vrs} lists the allowed VRs in PS3.6 order (e.g. OB, OW); it is
     * empty for the item and delimitation tags, which have no VR (PS3.5 §7.5).
     */
    public record Entry(int tag, List<VR> vrs, String vm, String keyword, String name, boolean retired) {
        public Entry {
            vrs = List.copyOf(vrs);
        }

        /**
         * The first VR as PS3.6 lists it, UN for the item and delimitation tags. For OB/OW and
         * similar entries this is not what Implicit VR implies: use {@link ElementDictionary#vrOf}.
         */
        public VR vr() {
            return vrs.isEmpty() ? VR.UN : vrs.get(0);
        }

        Entry withTag(int newTag) {
            return newTag == tag ? this : new Entry(newTag, vrs, vm, keyword, name, retired);
        }
    }

    private static final String RESOURCE = "dictionary.tsv";

    // Group lengths other than 0000 and 0002 are retired (PS3.5 §7.2); tags are filled in per lookup.
    private static final Entry GROUP_LENGTH =
            new Entry(0, List.of(VR.UL), "1", "GroupLength", "Group Length", true);
    private static final Entry PRIVATE_CREATOR =
            new Entry(0, List.of(VR.LO), "1", "PrivateCreator", "Private Creator", false);

    private static final class Standard {
        static final ElementDictionary INSTANCE = load();
    }

    private final Map<Integer, Entry> exact;
    private final Map<String, Entry> byKeyword;
    // Repeating entries such as (60xx,3000): a tag matches when (tag & mask) == value.
    private final int[] masks;
    private final int[] values;
    private final Entry[] masked;

    private ElementDictionary(List<Entry> exactEntries, List<Entry> maskedEntries, List<Integer> maskList) {
        exact = new HashMap<>(exactEntries.size() * 2);
        byKeyword = new HashMap<>((exactEntries.size() + maskedEntries.size()) * 2);
        for (Entry e : exactEntries) {
            exact.put(e.tag(), e);
            byKeyword.put(e.keyword(), e);
        }
        masks = new int[maskedEntries.size()];
        values = new int[maskedEntries.size()];
        masked = maskedEntries.toArray(new Entry[0]);
        for (int i = 0; i < masked.length; i++) {
            masks[i] = maskList.get(i);
            values[i] = masked[i].tag();
            byKeyword.put(masked[i].keyword(), masked[i]);
        }
    }

    /** The PS3.6 dictionary; loaded on first use. */
    public static ElementDictionary standard() {
        return Standard.INSTANCE;
    }

    /** Number of entries in the table, the built-in Group Length and Private Creator rules not counted. */
    public int size() {
        return exact.size() + masked.length;
    }

    /** The entry for a tag, with {@code tag()} equal to the argument; null if unknown. */
    public Entry entry(int tag) {
        Entry e = find(tag);
        return e == null ? null : e.withTag(tag);
    }

    /**
     * The VR to assume when the stream does not say, i.e. in Implicit VR; UN for unknown and
     * private tags (PS3.5 §6.2.2). Where PS3.6 allows several VRs:
     * <ul>
     * <li>OB or OW: OW. PS3.5 §A.1 gives Pixel Data, Overlay Data and Waveform Data the VR OW in
     *     Implicit VR Little Endian; the other OB-or-OW elements are 16-bit sample data too.
     * <li>US or SS: US. Which one holds depends on Pixel Representation (0028,0103), known only
     *     to the caller; the bytes are the same.
     * <li>US or OW, US or SS or OW (LUT Data): OW, the bulk form, like Pixel Data.
     * </ul>
     */
    public VR vrOf(int tag) {
        Entry e = find(tag);
        return e == null ? VR.UN : implicitVR(e.vrs());
    }

    /** The tag for a keyword, -1 if unknown. Repeating entries give their base, e.g. OverlayData gives (6000,3000). */
    public int tagOf(String keyword) {
        Entry e = byKeyword.get(keyword);
        return e == null ? -1 : e.tag();
    }

    /** The keyword of a tag, "" if unknown. */
    public String keywordOf(int tag) {
        Entry e = find(tag);
        return e == null ? "" : e.keyword();
    }

    static VR implicitVR(List<VR> vrs) {
        if (vrs.isEmpty()) return VR.UN;
        if (vrs.size() == 1) return vrs.get(0);
        if (vrs.contains(VR.OW)) return VR.OW;
        if (vrs.contains(VR.US)) return VR.US;
        return vrs.get(0);
    }

    /** The entry that describes {@code tag}, its own tag not adjusted. */
    private Entry find(int tag) {
        Entry e = exact.get(tag);
        if (e != null) return e;
        int group = tag >>> 16;
        int element = tag & 0xFFFF;
        if (element == 0) return GROUP_LENGTH;
        if ((group & 1) != 0) {
            // PS3.5 §7.8.1: groups 0001-0007 and FFFF are not private groups and carry no creators.
            boolean privateGroup = group > 0x0007 && group != 0xFFFF;
            return privateGroup && element >= 0x0010 && element <= 0x00FF ? PRIVATE_CREATOR : null;
        }
        for (int i = 0; i < masks.length; i++) {
            if ((tag & masks[i]) == values[i]) return masked[i];
        }
        return null;
    }

    private static ElementDictionary load() {
        InputStream in = ElementDictionary.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
        List<Entry> exactEntries = new ArrayList<>(5000);
        List<Entry> maskedEntries = new ArrayList<>();
        List<Integer> maskList = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isEmpty() || line.charAt(0) == '#') continue;
                String[] f = line.split("\t", -1);
                if (f.length != 6 || f[0].length() != 8) {
                    throw new IllegalStateException(RESOURCE + ":" + lineNo + ": malformed entry");
                }
                int mask = 0;
                int value = 0;
                for (int i = 0; i < 8; i++) {
                    char c = f[0].charAt(i);
                    mask <<= 4;
                    value <<= 4;
                    if (c != 'x') {
                        mask |= 0xF;
                        value |= Character.digit(c, 16);
                    }
                }
                Entry e = new Entry(value, parseVRs(f[1]), f[2], f[3], f[4], f[5].equals("R"));
                if (mask == -1) {
                    exactEntries.add(e);
                } else {
                    // Repeating groups are even (PS3.5 §7.6): odd groups never reach the masks, as
                    // find() settles them as private first.
                    maskedEntries.add(e);
                    maskList.add(mask);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ElementDictionary(exactEntries, maskedEntries, maskList);
    }

    private static List<VR> parseVRs(String field) {
        if (field.equals("NONE")) return List.of();
        List<VR> vrs = new ArrayList<>(2);
        for (String s : field.split("/")) vrs.add(VR.valueOf(s));
        return vrs;
    }
}
