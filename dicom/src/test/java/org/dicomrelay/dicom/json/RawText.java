package org.dicomrelay.dicom.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * dcm2json sometimes emits bytes it did not transcode, which are not UTF-8. This decodes UTF-8
 * where it is valid and keeps every other byte as a char U+DC80..U+DCFF (Python's
 * "surrogateescape"), so that the original bytes of any string can be recovered exactly.
 */
final class RawText {
    private RawText() {}

    static String decode(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            int n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            if (n == 1) {
                sb.append((char) c);
                i++;
                continue;
            }
            if (n > 1 && i + n <= b.length && continuation(b, i + 1, i + n)) {
                String s = new String(b, i, n, StandardCharsets.UTF_8);
                if (!s.contains("\uFFFD")) {
                    sb.append(s);
                    i += n;
                    continue;
                }
            }
            sb.append((char) (0xDC00 | c));
            i++;
        }
        return sb.toString();
    }

    private static boolean continuation(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if ((b[i] & 0xC0) != 0x80) return false;
        return true;
    }

    /** The bytes a decoded string came from. */
    static byte[] bytes(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF) {
                out.write(c & 0xFF);
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
