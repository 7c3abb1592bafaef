package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.ByteSwap;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.DicomParseException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Command sets to and from bytes (PS3.7 §6.3.1): implicit VR little endian whatever the presentation
 * context's transfer syntax, group 0000 only, in ascending tag order, Command Group Length first.
 */
public final class CommandCodec {
    private CommandCodec() {}

    /** The largest command set accepted either way. Real ones are about 200 bytes. */
    public static final int MAX_COMMAND_LENGTH = 64 * 1024;

    /** {@code message.toCommand()}, encoded. */
    public static byte[] encode(DimseMessage message) {
        return encode(message.toCommand());
    }

    /**
     * Encodes the group 0000 elements of {@code command} in tag order after a Command Group Length
     * computed here (any given one is ignored). Odd-length values are padded as their VR requires.
     *
     * @throws IllegalArgumentException for an element outside group 0000, a sequence or fragments, a
     *                                  tag given twice, or a result larger than {@link #MAX_COMMAND_LENGTH}
     */
    public static byte[] encode(Attributes command) {
        List<DicomElement> elements = new ArrayList<>();
        for (DicomElement e : command) {
            if (e.tag() == CommandTag.CommandGroupLength) continue;
            if (Tag.group(e.tag()) != 0) {
                throw new IllegalArgumentException(Tag.toString(e.tag()) + " is not a command element (group 0000)");
            }
            if (!(e.value() instanceof byte[])) {
                throw new IllegalArgumentException(CommandTag.describe(e.tag()) + ": command elements hold plain values, not "
                        + e.value().getClass().getSimpleName());
            }
            elements.add(e);
        }
        elements.sort(Comparator.comparingInt(DicomElement::tag));
        long groupLength = 0;
        List<byte[]> values = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            DicomElement e = elements.get(i);
            if (i > 0 && elements.get(i - 1).tag() == e.tag()) {
                throw new IllegalArgumentException(CommandTag.describe(e.tag()) + " occurs twice");
            }
            byte[] v = (byte[]) e.value();
            if (command.bigEndian()) v = ByteSwap.swapped(v, e.vr());
            v = Attributes.pad(v, e.vr());
            values.add(v);
            groupLength += 8 + v.length;
        }
        long total = 12 + groupLength;
        if (total > MAX_COMMAND_LENGTH) {
            throw new IllegalArgumentException("command set of " + total + " bytes exceeds the limit of " + MAX_COMMAND_LENGTH);
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        header(out, CommandTag.CommandGroupLength, 4).putInt((int) groupLength);
        for (int i = 0; i < elements.size(); i++) {
            header(out, elements.get(i).tag(), values.get(i).length).put(values.get(i));
        }
        return out.array();
    }

    private static ByteBuffer header(ByteBuffer out, int tag, int length) {
        return out.putShort((short) Tag.group(tag)).putShort((short) Tag.element(tag)).putInt(length);
    }

    /**
     * Decodes a command set, giving each element its VR from PS3.7 Annex E ({@link CommandTag}); an
     * element Annex E does not list is kept as UN. Elements come back in tag order, Command Group
     * Length included as received; its value is not held against the byte count, since the
     * fragments that carried the command already delimit it.
     *
     * @throws DimseFormatException when the bytes are no command set: malformed or truncated, an
     *                              element outside group 0000, a sequence, a tag given twice, a US or UL
     *                              value of the wrong size, nothing at all, or more than {@link #MAX_COMMAND_LENGTH} bytes
     */
    public static Attributes decode(byte[] bytes, int off, int len) throws DimseFormatException {
        Objects.checkFromIndexSize(off, len, bytes.length);
        if (len > MAX_COMMAND_LENGTH) {
            throw new DimseFormatException("command set of " + len + " bytes exceeds the limit of " + MAX_COMMAND_LENGTH);
        }
        if (len == 0) throw new DimseFormatException("empty command set");
        Attributes cmd = new Attributes(false);
        try {
            DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(bytes, off, len),
                    TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
            DicomInputStream.Event event;
            while ((event = in.next()) != DicomInputStream.Event.END) {
                int tag = in.tag();
                if (Tag.group(tag) != 0) {
                    throw problem(in, Tag.toString(tag) + " is not a command element (group 0000): not a command set");
                }
                if (event != DicomInputStream.Event.ELEMENT) {
                    throw problem(in, CommandTag.describe(tag) + " has undefined length; command elements cannot");
                }
                if (cmd.contains(tag)) throw problem(in, CommandTag.describe(tag) + " occurs twice");
                VR vr = CommandTag.vrOf(tag);
                if (vr == null) vr = VR.UN;
                checkLength(in, tag, vr, in.length());
                cmd.set(new DicomElement(tag, vr, in.readValue()));
            }
        } catch (DimseFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DimseFormatException("malformed command set: " + e.getMessage(), e);
        }
        return cmd;
    }

    /** {@code decode(bytes, 0, bytes.length)}. */
    public static Attributes decode(byte[] bytes) throws DimseFormatException {
        return decode(bytes, 0, bytes.length);
    }

    private static DimseFormatException problem(DicomInputStream in, String problem) {
        return new DimseFormatException("malformed command set: at offset " + in.headerPosition() + ": " + problem);
    }

    /** Every US and UL command element has VM 1 (Annex E); empty is let through as "no value". */
    private static void checkLength(DicomInputStream in, int tag, VR vr, long length) throws DimseFormatException {
        int size = switch (vr) {
            case US -> 2;
            case UL -> 4;
            default -> -1;
        };
        if (size > 0 && length != 0 && length != size) {
            throw problem(in, CommandTag.describe(tag) + ": " + vr + " value of " + length + " bytes, expected " + size);
        }
        if (vr == VR.AT && length % 4 != 0) {
            throw problem(in, CommandTag.describe(tag) + ": AT value of " + length + " bytes, not a multiple of 4");
        }
    }
}
