package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;

import java.util.List;
import java.util.Objects;

/** Builds a command set in tag order, leaving out optional fields that are null. */
final class CommandWriter {
    private final Attributes cmd = new Attributes(false);

    CommandWriter(int commandField, boolean hasDataSet) {
        cmd.setInt(CommandTag.CommandField, VR.US, commandField);
        cmd.setInt(CommandTag.CommandDataSetType, VR.US,
                hasDataSet ? DimseMessage.DATA_SET_PRESENT : DimseMessage.DATA_SET_ABSENT);
    }

    CommandWriter us(int tag, Integer value) {
        if (value != null) cmd.setInt(tag, VR.US, value);
        return this;
    }

    CommandWriter string(int tag, String value) {
        if (value != null) cmd.setString(tag, CommandTag.vrOf(tag), value);
        return this;
    }

    CommandWriter tags(int tag, List<Integer> tags) {
        if (!tags.isEmpty()) cmd.setInt(tag, VR.AT, tags.stream().mapToInt(Integer::intValue).toArray());
        return this;
    }

    CommandWriter status(Status status, String errorComment, List<Integer> offendingElements) {
        us(CommandTag.Status, status.code());
        tags(CommandTag.OffendingElement, offendingElements);
        return string(CommandTag.ErrorComment, errorComment);
    }

    CommandWriter subOperations(SubOperations s) {
        return us(CommandTag.NumberOfRemainingSuboperations, s.remaining())
                .us(CommandTag.NumberOfCompletedSuboperations, s.completed())
                .us(CommandTag.NumberOfFailedSuboperations, s.failed())
                .us(CommandTag.NumberOfWarningSuboperations, s.warning());
    }

    Attributes build() {
        return cmd;
    }

    // ---- checks for the records' constructors ------------------------------------------

    static void checkMessageId(String name, int id) {
        if (id < 0 || id > 0xFFFF) throw new IllegalArgumentException(name + " out of the US range: " + id);
    }

    static String requireUid(String name, String uid) {
        Objects.requireNonNull(uid, name);
        if (uid.isEmpty()) throw new IllegalArgumentException(name + " is empty");
        return uid;
    }

    /** Optional strings: empty is absent, as it reads back. */
    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static List<Integer> tagList(List<Integer> tags) {
        return tags == null ? List.of() : List.copyOf(tags);
    }
}
