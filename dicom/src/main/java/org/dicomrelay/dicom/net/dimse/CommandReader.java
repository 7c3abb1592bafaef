package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.VR;

import java.util.ArrayList;
import java.util.List;

/** Reads the fields of one command set, failing with the command's name and the element at fault. */
final class CommandReader {
    private final Attributes cmd;
    private final int field;

    /** Checks the command field is {@code expected}. */
    CommandReader(Attributes cmd, int expected) throws DimseFormatException {
        this.cmd = cmd;
        this.field = commandField(cmd);
        if (field != expected) {
            throw new DimseFormatException("expected a " + CommandField.name(expected) + " command, found "
                    + CommandField.name(field), field, messageIdOrMinusOne(cmd));
        }
    }

    static int commandField(Attributes cmd) throws DimseFormatException {
        Integer f = us(cmd, CommandTag.CommandField, null);
        if (f == null) throw new DimseFormatException("command set has no " + CommandTag.describe(CommandTag.CommandField));
        return f;
    }

    static int messageIdOrMinusOne(Attributes cmd) {
        try {
            Integer id = us(cmd, CommandTag.MessageID, null);
            return id == null ? -1 : id;
        } catch (DimseFormatException e) {
            return -1;
        }
    }

    DimseFormatException error(String problem) {
        return new DimseFormatException(CommandField.name(field) + ": " + problem, field, messageIdOrMinusOne(cmd));
    }

    /** A US value; null when absent or empty. */
    private static Integer us(Attributes cmd, int tag, CommandReader r) throws DimseFormatException {
        DicomElement e = cmd.get(tag);
        if (e == null || e.isEmpty()) return null;
        if (e.vr() != VR.US || e.valueLength() != 2) {
            String problem = CommandTag.describe(tag) + " must be one US value, found " + e.vr() + " of "
                    + e.valueLength() + " bytes";
            throw r != null ? r.error(problem) : new DimseFormatException(problem);
        }
        return cmd.getInt(tag, 0);
    }

    Integer optionalUS(int tag) throws DimseFormatException {
        return us(cmd, tag, this);
    }

    int requiredUS(int tag) throws DimseFormatException {
        Integer v = us(cmd, tag, this);
        if (v == null) throw error("missing " + CommandTag.describe(tag));
        return v;
    }

    /** A string value, trimmed of its padding; null when absent or empty. */
    String optionalString(int tag) throws DimseFormatException {
        DicomElement e = cmd.get(tag);
        if (e == null || e.isEmpty()) return null;
        if (!e.vr().isString() || !(e.value() instanceof byte[])) {
            throw error(CommandTag.describe(tag) + " must be a string, found " + e.vr());
        }
        String s = cmd.getString(tag);
        return s == null || s.isEmpty() ? null : s;
    }

    String requiredString(int tag) throws DimseFormatException {
        String s = optionalString(tag);
        if (s == null) throw error("missing " + CommandTag.describe(tag));
        return s;
    }

    List<Integer> tags(int tag) throws DimseFormatException {
        DicomElement e = cmd.get(tag);
        if (e == null || e.isEmpty()) return List.of();
        if (e.vr() != VR.AT || e.valueLength() % 4 != 0) {
            throw error(CommandTag.describe(tag) + " must be AT values, found " + e.vr() + " of " + e.valueLength() + " bytes");
        }
        List<Integer> out = new ArrayList<>();
        for (int t : cmd.getInts(tag)) out.add(t);
        return List.copyOf(out);
    }

    boolean hasDataSet() throws DimseFormatException {
        return requiredUS(CommandTag.CommandDataSetType) != DimseMessage.DATA_SET_ABSENT;
    }

    /** For messages that always carry a data set (true) or never do (false). */
    void requireDataSet(boolean required) throws DimseFormatException {
        if (hasDataSet() != required) {
            throw error(required ? "Command Data Set Type (0000,0800) is 0101H, but this message requires a data set"
                    : "Command Data Set Type (0000,0800) announces a data set, but this message has none");
        }
    }

    Priority priority() throws DimseFormatException {
        int code = requiredUS(CommandTag.Priority);
        Priority p = Priority.of(code);
        if (p == null) throw error(String.format("Priority (0000,0700) %04XH is none of LOW, MEDIUM, HIGH", code));
        return p;
    }

    Status status() throws DimseFormatException {
        return new Status(requiredUS(CommandTag.Status));
    }

    SubOperations subOperations() throws DimseFormatException {
        return new SubOperations(optionalUS(CommandTag.NumberOfRemainingSuboperations),
                optionalUS(CommandTag.NumberOfCompletedSuboperations),
                optionalUS(CommandTag.NumberOfFailedSuboperations),
                optionalUS(CommandTag.NumberOfWarningSuboperations));
    }
}
