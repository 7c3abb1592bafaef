package org.dicomrelay.dicom.json;

import java.io.IOException;
import java.io.Writer;

/**
 * Writes JSON tokens straight to a {@link Writer}, so a document of any size is never held as a
 * string. Commas and (when pretty) newlines and two-space indentation are inserted here; callers
 * only say what comes next.
 */
final class JsonGenerator {
    private final Writer out;
    private final boolean pretty;
    private int depth;
    /** True when the container just opened, or a name was just written: no comma is due. */
    private boolean first = true;
    private boolean afterName;

    JsonGenerator(Writer out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    void beginObject() throws IOException { open('{'); }

    void endObject() throws IOException { close('}'); }

    void beginArray() throws IOException { open('['); }

    void endArray() throws IOException { close(']'); }

    void name(String name) throws IOException {
        separate();
        quoted(name);
        out.write(pretty ? ": " : ":");
        afterName = true;
    }

    void string(String s) throws IOException {
        separate();
        quoted(s);
    }

    /** A number already in JSON number syntax (the caller guarantees it). */
    void number(String jsonNumber) throws IOException {
        separate();
        out.write(jsonNumber);
    }

    void nullValue() throws IOException {
        separate();
        out.write("null");
    }

    /** Starts a string value whose content the caller writes raw via {@link #raw} (base64 needs no escaping). */
    void beginRawString() throws IOException {
        separate();
        out.write('"');
    }

    Writer raw() { return out; }

    void endRawString() throws IOException { out.write('"'); }

    void flush() throws IOException { out.flush(); }

    private void open(char c) throws IOException {
        separate();
        out.write(c);
        depth++;
        first = true;
    }

    private void close(char c) throws IOException {
        depth--;
        if (!first) newline();
        out.write(c);
        first = false;
    }

    private void separate() throws IOException {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (!first) out.write(',');
            newline();
        }
        first = false;
    }

    private void newline() throws IOException {
        if (!pretty) return;
        out.write('\n');
        for (int i = 0; i < depth; i++) out.write("  ");
    }

    private void quoted(String s) throws IOException {
        out.write('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.write(s, start, i - start);
            start = i + 1;
            switch (c) {
                case '"' -> out.write("\\\"");
                case '\\' -> out.write("\\\\");
                case '\n' -> out.write("\\n");
                case '\r' -> out.write("\\r");
                case '\t' -> out.write("\\t");
                case '\b' -> out.write("\\b");
                case '\f' -> out.write("\\f");
                default -> out.write(String.format("\\u%04x", (int) c));
            }
        }
        out.write(s, start, s.length() - start);
        out.write('"');
    }
}
