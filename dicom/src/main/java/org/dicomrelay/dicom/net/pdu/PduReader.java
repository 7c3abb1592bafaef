package org.dicomrelay.dicom.net.pdu;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes PDUs from a stream (PS3.8 §9.3). Every length is checked against its enclosing length
 * and against limits before anything is allocated, so hostile input ends in a
 * {@link PduFormatException}, never in a large allocation.
 */
public final class PduReader {
    /** A-ASSOCIATE PDUs larger than this are refused (real ones are a few KiB; SAML identities a few more). */
    public static final int MAX_ASSOCIATE_PDU = 1 << 20;

    private final InputStream in;
    private long maxPDataLength;
    private final byte[] header = new byte[6];
    /** Body bytes of a PDU refused on its header, still in the stream; skipped before the next read. */
    private long unreadBody;

    /** Reused for the bodies of P-DATA-TF PDUs once {@link #reusePDataBuffer()} is called; grows to the largest seen. */
    private byte[] pDataBuffer;
    private boolean reusePData;

    /** @param maxPDataLength the maximum P-DATA-TF length we announced; 0 = unlimited (capped at 64 MiB). */
    public PduReader(InputStream in, long maxPDataLength) {
        this.in = in;
        maxPDataLength(maxPDataLength);
    }

    /**
     * Reads every P-DATA-TF into the same buffer rather than a new array per PDU (a few hundred KiB
     * each, thousands per second). The PDVs of a P-DATA-TF are then valid only until the next
     * {@link #read()}: for a caller that consumes them before reading on, as an association does.
     */
    public PduReader reusePDataBuffer() {
        reusePData = true;
        return this;
    }

    public void maxPDataLength(long max) {
        this.maxPDataLength = max == 0 ? 64L << 20 : max;
    }

    /**
     * The next PDU, or null at a clean end of stream before any byte of a PDU. A PDU refused on its
     * header (unknown type, length out of range) throws at once, before its body is read; the next
     * call skips that body first, so the PDUs after it are still found where they start (PS3.8
     * Table 9-10 still has to tell them apart in Sta13).
     */
    public Pdu read() throws IOException {
        if (unreadBody > 0 && !skipUnreadBody()) return null;
        int n = in.readNBytes(header, 0, 6);
        if (n == 0) return null;
        if (n < 6) throw new EOFException("connection closed inside a PDU header");
        int type = header[0] & 0xFF;
        long length = ByteBuffer.wrap(header, 2, 4).getInt() & 0xFFFFFFFFL;
        unreadBody = length;
        switch (type) {
            case Pdu.TYPE_P_DATA_TF -> {
                if (length > maxPDataLength) {
                    throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE,
                            "P-DATA-TF of " + length + " bytes exceeds the negotiated maximum of " + maxPDataLength);
                }
            }
            case Pdu.TYPE_ASSOCIATE_RQ, Pdu.TYPE_ASSOCIATE_AC -> {
                if (length > MAX_ASSOCIATE_PDU || length < 68) {
                    throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "A-ASSOCIATE PDU length " + length + " is out of range");
                }
            }
            case Pdu.TYPE_ASSOCIATE_RJ, Pdu.TYPE_RELEASE_RQ, Pdu.TYPE_RELEASE_RP, Pdu.TYPE_ABORT -> {
                if (length != 4) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "PDU type " + type + " must have length 4, has " + length);
            }
            default -> throw new PduFormatException(AAbort.UNRECOGNIZED_PDU, "unrecognized PDU type 0x" + Integer.toHexString(type));
        }
        unreadBody = 0;
        // readNBytes(byte[], ...) fills one array; readNBytes(int) would gather 8 KiB chunks and copy them again.
        byte[] body;
        if (type == Pdu.TYPE_P_DATA_TF && reusePData) {
            if (pDataBuffer == null || pDataBuffer.length < length) pDataBuffer = new byte[(int) length];
            body = pDataBuffer;
        } else {
            body = new byte[(int) length];
        }
        int got = in.readNBytes(body, 0, (int) length);
        if (got < length) throw new EOFException("connection closed inside a PDU of type " + type + " (" + got + " of " + length + " bytes)");
        ByteBuffer b = ByteBuffer.wrap(body);
        return switch (type) {
            case Pdu.TYPE_P_DATA_TF -> pData(body, (int) length);
            case Pdu.TYPE_ASSOCIATE_RQ, Pdu.TYPE_ASSOCIATE_AC -> associate(type, b);
            case Pdu.TYPE_ASSOCIATE_RJ -> new AAssociateRj(body[1] & 0xFF, body[2] & 0xFF, body[3] & 0xFF);
            case Pdu.TYPE_RELEASE_RQ -> new AReleaseRq();
            case Pdu.TYPE_RELEASE_RP -> new AReleaseRp();
            default -> new AAbort(body[2] & 0xFF, body[3] & 0xFF);
        };
    }

    /** False if the stream ended first. A timeout leaves the rest to skip for the next call. */
    private boolean skipUnreadBody() throws IOException {
        byte[] scratch = new byte[(int) Math.min(unreadBody, 8192)];
        while (unreadBody > 0) {
            int k = in.read(scratch, 0, (int) Math.min(unreadBody, scratch.length));
            if (k < 0) {
                unreadBody = 0;
                return false;
            }
            unreadBody -= k;
        }
        return true;
    }

    private static PDataTf pData(byte[] body, int length) throws PduFormatException {
        List<Pdv> pdvs = new ArrayList<>(2);
        int i = 0;
        while (i < length) {
            if (length - i < 6) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "truncated PDV item header");
            long len = ByteBuffer.wrap(body, i, 4).getInt() & 0xFFFFFFFFL;
            if (len < 2 || len > length - i - 4) {
                throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "PDV item length " + len + " does not fit its P-DATA-TF");
            }
            int pcid = body[i + 4] & 0xFF;
            int mch = body[i + 5] & 0xFF;
            pdvs.add(new Pdv(pcid, (mch & 1) != 0, (mch & 2) != 0, body, i + 6, (int) len - 2));
            i += 4 + (int) len;
        }
        if (pdvs.isEmpty()) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "P-DATA-TF without a PDV item");
        return new PDataTf(pdvs);
    }

    private static Pdu associate(int type, ByteBuffer b) throws PduFormatException {
        int version = b.getShort() & 0xFFFF;
        b.getShort();
        String called = ascii(b, 16).strip();
        String calling = ascii(b, 16).strip();
        b.position(b.position() + 32);
        String appContext = null;
        List<PresentationContext> pcs = new ArrayList<>();
        UserInformation ui = null;
        while (b.hasRemaining()) {
            Item item = item(b);
            switch (item.type) {
                case 0x10 -> appContext = uid(item.body, item.body.remaining());
                case 0x20 -> {
                    if (type != Pdu.TYPE_ASSOCIATE_RQ) throw unexpected(item.type);
                    pcs.add(rqContext(item.body));
                }
                case 0x21 -> {
                    if (type != Pdu.TYPE_ASSOCIATE_AC) throw unexpected(item.type);
                    pcs.add(acContext(item.body));
                }
                case 0x50 -> ui = userInformation(item.body);
                default -> throw new PduFormatException(AAbort.UNRECOGNIZED_PDU_PARAMETER, "unrecognized item type 0x" + Integer.toHexString(item.type));
            }
        }
        if (appContext == null) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "no application context item");
        if (ui == null) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "no user information item");
        return type == Pdu.TYPE_ASSOCIATE_RQ
                ? new AAssociateRq(version, called, calling, appContext, pcs, ui)
                : new AAssociateAc(version, called, calling, appContext, pcs, ui);
    }

    private static PduFormatException unexpected(int itemType) {
        return new PduFormatException(AAbort.UNEXPECTED_PDU_PARAMETER, "unexpected item type 0x" + Integer.toHexString(itemType));
    }

    private record Item(int type, ByteBuffer body) {}

    private static Item item(ByteBuffer b) throws PduFormatException {
        if (b.remaining() < 4) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "truncated item header");
        int type = b.get() & 0xFF;
        b.get();
        int len = b.getShort() & 0xFFFF;
        if (len > b.remaining()) {
            throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "item 0x" + Integer.toHexString(type) + " length " + len + " exceeds its PDU");
        }
        ByteBuffer body = b.slice(b.position(), len);
        b.position(b.position() + len);
        return new Item(type, body);
    }

    private static PresentationContext rqContext(ByteBuffer b) throws PduFormatException {
        if (b.remaining() < 4) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "truncated presentation context");
        int id = b.get() & 0xFF;
        b.position(b.position() + 3);
        String as = null;
        List<String> tss = new ArrayList<>();
        while (b.hasRemaining()) {
            Item sub = item(b);
            switch (sub.type) {
                case 0x30 -> as = uid(sub.body, sub.body.remaining());
                case 0x40 -> tss.add(uid(sub.body, sub.body.remaining()));
                default -> throw new PduFormatException(AAbort.UNRECOGNIZED_PDU_PARAMETER, "unrecognized sub-item 0x" + Integer.toHexString(sub.type) + " in presentation context " + id);
            }
        }
        if (as == null) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "presentation context " + id + " has no abstract syntax");
        return new PresentationContext(id, 0, as, tss);
    }

    private static PresentationContext acContext(ByteBuffer b) throws PduFormatException {
        if (b.remaining() < 4) throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "truncated presentation context");
        int id = b.get() & 0xFF;
        b.get();
        int result = b.get() & 0xFF;
        b.get();
        String ts = null;
        while (b.hasRemaining()) {
            Item sub = item(b);
            if (sub.type == 0x40) ts = uid(sub.body, sub.body.remaining());
            else throw new PduFormatException(AAbort.UNRECOGNIZED_PDU_PARAMETER, "unrecognized sub-item 0x" + Integer.toHexString(sub.type) + " in presentation context " + id);
        }
        // A rejected context may lack its transfer syntax sub-item (PS3.8 §9.3.3.2).
        return PresentationContext.ac(id, result, ts);
    }

    private static UserInformation userInformation(ByteBuffer b) throws PduFormatException {
        long maxLength = 0;
        String implClass = null, implVersion = null;
        int[] window = null;
        List<RoleSelection> roles = new ArrayList<>();
        List<ExtendedNegotiation> ext = new ArrayList<>();
        List<CommonExtendedNegotiation> common = new ArrayList<>();
        UserIdentity identity = null;
        while (b.hasRemaining()) {
            Item sub = item(b);
            ByteBuffer s = sub.body;
            try {
                switch (sub.type) {
                    case 0x51 -> maxLength = s.getInt() & 0xFFFFFFFFL;
                    case 0x52 -> implClass = uid(s, s.remaining());
                    case 0x53 -> window = new int[] {s.getShort() & 0xFFFF, s.getShort() & 0xFFFF};
                    case 0x54 -> {
                        String uid = uid(s, s.getShort() & 0xFFFF);
                        roles.add(new RoleSelection(uid, s.get() == 1, s.get() == 1));
                    }
                    case 0x55 -> implVersion = ascii(s, s.remaining()).strip();
                    case 0x56 -> {
                        String uid = uid(s, s.getShort() & 0xFFFF);
                        byte[] info = new byte[s.remaining()];
                        s.get(info);
                        ext.add(new ExtendedNegotiation(uid, info));
                    }
                    case 0x57 -> {
                        String sop = uid(s, s.getShort() & 0xFFFF);
                        String service = uid(s, s.getShort() & 0xFFFF);
                        int relLen = s.getShort() & 0xFFFF;
                        ByteBuffer rel = s.slice(s.position(), relLen);
                        List<String> related = new ArrayList<>();
                        while (rel.hasRemaining()) related.add(uid(rel, rel.getShort() & 0xFFFF));
                        common.add(new CommonExtendedNegotiation(sop, service, related));
                    }
                    case 0x58 -> {
                        int t = s.get() & 0xFF;
                        boolean positive = s.get() == 1;
                        byte[] primary = bytes(s, s.getShort() & 0xFFFF);
                        byte[] secondary = s.remaining() >= 2 ? bytes(s, s.getShort() & 0xFFFF) : new byte[0];
                        identity = new UserIdentity(t, positive, primary, secondary);
                    }
                    case 0x59 -> identity = UserIdentity.response(bytes(s, s.getShort() & 0xFFFF));
                    default -> { /* unknown user information sub-items are ignored (PS3.7 §D.3.3) */ }
                }
            } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
                throw new PduFormatException(AAbort.INVALID_PDU_PARAMETER_VALUE, "malformed user information sub-item 0x" + Integer.toHexString(sub.type));
            }
        }
        return new UserInformation(maxLength, implClass, implVersion, window, roles, ext, common, identity);
    }

    private static byte[] bytes(ByteBuffer b, int len) {
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    private static String ascii(ByteBuffer b, int len) {
        return new String(bytes(b, len), StandardCharsets.US_ASCII);
    }

    /** UIDs may be padded with NUL or space by some peers. */
    private static String uid(ByteBuffer b, int len) {
        String s = ascii(b, len);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\0' || s.charAt(end - 1) == ' ')) end--;
        return s.substring(0, end);
    }
}
