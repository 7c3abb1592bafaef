package org.dicomrelay.dicom.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry of DICOM unique identifiers (PS3.6 Annex A): transfer syntaxes, SOP classes,
 * well-known SOP instances, frames of reference and coding schemes. Loaded once from
 * {@code uids.tsv}, which scripts/gen-uids derives from pydicom's UID table. Lookups take the
 * UID without its NUL padding and answer "" for anything not registered.
 */
public final class UidDictionary {
    private UidDictionary() {}

    private record Uid(String uid, String keyword, String name, String type, boolean retired) {}

    private static final String RESOURCE = "uids.tsv";

    private static final class Table {
        static final Map<String, Uid> BY_UID = new HashMap<>(1024);
        static final Map<String, Uid> BY_KEYWORD = new HashMap<>(1024);

        static {
            InputStream in = UidDictionary.class.getResourceAsStream(RESOURCE);
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    if (line.isEmpty() || line.charAt(0) == '#') continue;
                    String[] f = line.split("\t", -1);
                    if (f.length != 5) throw new IllegalStateException(RESOURCE + ":" + lineNo + ": malformed entry");
                    Uid u = new Uid(f[0], f[1], f[2], f[3], f[4].equals("R"));
                    BY_UID.put(u.uid(), u);
                    BY_KEYWORD.put(u.keyword(), u);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The registered name, e.g. "Explicit VR Little Endian"; "" if unknown. */
    public static String nameOf(String uid) {
        Uid u = Table.BY_UID.get(uid);
        return u == null ? "" : u.name();
    }

    /** The registered keyword, e.g. "CTImageStorage"; "" if unknown. */
    public static String keywordOf(String uid) {
        Uid u = Table.BY_UID.get(uid);
        return u == null ? "" : u.keyword();
    }

    /** The UID for a keyword; "" if unknown. */
    public static String uidOf(String keyword) {
        Uid u = Table.BY_KEYWORD.get(keyword);
        return u == null ? "" : u.uid();
    }

    /** The kind of UID as PS3.6 Table A-1 lists it, e.g. "Transfer Syntax", "SOP Class"; "" if unknown. */
    public static String typeOf(String uid) {
        Uid u = Table.BY_UID.get(uid);
        return u == null ? "" : u.type();
    }

    /** Whether PS3.6 lists the UID as retired; false if unknown. */
    public static boolean isRetired(String uid) {
        Uid u = Table.BY_UID.get(uid);
        return u != null && u.retired();
    }

    /** Number of registered UIDs. */
    static int size() {
        return Table.BY_UID.size();
    }
}
