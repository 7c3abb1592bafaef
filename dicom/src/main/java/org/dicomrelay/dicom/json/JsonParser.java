package org.dicomrelay.dicom.json;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser into plain values: {@code Map<String,Object>} (keys in document order),
 * {@code List<Object>}, {@code String}, {@link JsonNumber}, {@code Boolean} and {@code null}.
 * Nesting is bounded by a depth limit, so hostile input ends in a {@link DicomJsonException}
 * rather than a StackOverflowError; duplicate keys are refused, as their meaning is undefined.
 */
final class JsonParser {
    private final Reader in;
    private final int maxDepth;
    private final char[] buf = new char[8192];
    private int pos, len;
    private long consumed;
    private int depth;

    JsonParser(Reader in, int maxDepth) {
        this.in = in;
        this.maxDepth = maxDepth;
    }

    /** Parses one JSON text; anything but whitespace after it is an error. */
    Object parseDocument() throws IOException {
        Object v = value();
        skipWhitespace();
        if (peek() != -1) throw error("unexpected '" + (char) peek() + "' after the end of the JSON text");
        return v;
    }

    private Object value() throws IOException {
        skipWhitespace();
        int c = peek();
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            case -1 -> throw error("unexpected end of JSON text");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected '" + (char) c + "' where a JSON value was expected");
            }
        };
    }

    private Map<String, Object> object() throws IOException {
        enter();
        read();
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            read();
            depth--;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a quoted member name");
            long at = offset();
            String name = string();
            skipWhitespace();
            expect(':');
            Object v = value();
            if (map.containsKey(name)) throw new DicomJsonException(at, "duplicate member name \"" + name + "\"");
            map.put(name, v);
            skipWhitespace();
            int c = read();
            if (c == '}') break;
            if (c != ',') throw error(c, "expected ',' or '}' in an object");
        }
        depth--;
        return map;
    }

    private List<Object> array() throws IOException {
        enter();
        read();
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            read();
            depth--;
            return list;
        }
        while (true) {
            list.add(value());
            skipWhitespace();
            int c = read();
            if (c == ']') break;
            if (c != ',') throw error(c, "expected ',' or ']' in an array");
        }
        depth--;
        return list;
    }

    private void enter() throws DicomJsonException {
        if (++depth > maxDepth) throw error("JSON nested deeper than the limit of " + maxDepth + " levels");
    }

    private String string() throws IOException {
        read();
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = read();
            if (c == '"') return sb.toString();
            if (c == -1) throw error("unterminated string");
            if (c < 0x20) throw error(c, "unescaped control character in a string");
            if (c != '\\') {
                sb.append((char) c);
                continue;
            }
            int e = read();
            switch (e) {
                case '"', '\\', '/' -> sb.append((char) e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());
                default -> throw error(e, "invalid escape in a string");
            }
        }
    }

    private char hex4() throws IOException {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int c = read();
            int d = Character.digit(c < 0 ? 0 : c, 16);
            if (c < 0 || d < 0) throw error(c, "invalid \\u escape");
            v = v << 4 | d;
        }
        return (char) v;
    }

    private JsonNumber number() throws IOException {
        StringBuilder sb = new StringBuilder();
        if (peek() == '-') sb.append((char) read());
        if (peek() == '0') {
            sb.append((char) read());
        } else {
            digits(sb);
        }
        if (peek() == '.') {
            sb.append((char) read());
            digits(sb);
        }
        if (peek() == 'e' || peek() == 'E') {
            sb.append((char) read());
            if (peek() == '+' || peek() == '-') sb.append((char) read());
            digits(sb);
        }
        return new JsonNumber(sb.toString());
    }

    private void digits(StringBuilder sb) throws IOException {
        int c = peek();
        if (c < '0' || c > '9') throw error(c, "expected a digit in a number");
        while ((c = peek()) >= '0' && c <= '9') sb.append((char) read());
    }

    private Object literal(String word, Object value) throws IOException {
        for (int i = 0; i < word.length(); i++) {
            int c = read();
            if (c != word.charAt(i)) throw error(c, "invalid literal, expected " + word);
        }
        return value;
    }

    private void expect(char want) throws IOException {
        int c = read();
        if (c != want) throw error(c, "expected '" + want + "'");
    }

    private void skipWhitespace() throws IOException {
        int c;
        while ((c = peek()) == ' ' || c == '\t' || c == '\n' || c == '\r') read();
    }

    private int peek() throws IOException {
        if (pos == len) {
            consumed += len;
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos];
    }

    private int read() throws IOException {
        int c = peek();
        if (c >= 0) pos++;
        return c;
    }

    private long offset() { return consumed + pos; }

    private DicomJsonException error(String problem) {
        return new DicomJsonException(offset(), problem);
    }

    /** For a character already consumed: points at it. */
    private DicomJsonException error(int c, String problem) {
        String found = c < 0 ? "end of input" : c < 0x20 ? String.format("U+%04X", c) : "'" + (char) c + "'";
        return new DicomJsonException(Math.max(0, offset() - (c < 0 ? 0 : 1)), problem + ", found " + found);
    }
}
