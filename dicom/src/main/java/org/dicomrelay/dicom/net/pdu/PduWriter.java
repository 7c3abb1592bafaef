package org.dicomrelay.dicom.net.pdu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes PDUs (PS3.8 §9.3). P-DATA-TF is written straight from the PDV buffers, without copying. */
public final class PduWriter {
    private final OutputStream out;
    private final byte[] hdr = new byte[12];

    public PduWriter(OutputStream out) {
        this.out = out;
    }

    public void write(Pdu pdu) throws IOException {
        write(pdu, true);
    }

    /**
     * @param flush false for a P-DATA-TF that more of the same message follows: the buffer then
     *              fills before a system call, which matters with the 16 KiB PDUs many peers use
     */
    public void write(Pdu pdu, boolean flush) throws IOException {
        if (pdu instanceof PDataTf p) {
            writePData(p.pdvs());
        } else if (pdu instanceof AAssociateRq rq) {
            writeBody(Pdu.TYPE_ASSOCIATE_RQ, associate(rq.protocolVersion(), rq.calledAeTitle(), rq.callingAeTitle(),
                    rq.applicationContext(), rq.presentationContexts(), true, rq.userInformation()));
        } else if (pdu instanceof AAssociateAc ac) {
            writeBody(Pdu.TYPE_ASSOCIATE_AC, associate(ac.protocolVersion(), ac.calledAeTitle(), ac.callingAeTitle(),
                    ac.applicationContext(), ac.presentationContexts(), false, ac.userInformation()));
        } else if (pdu instanceof AAssociateRj rj) {
            writeBody(Pdu.TYPE_ASSOCIATE_RJ, new byte[] {0, (byte) rj.result(), (byte) rj.source(), (byte) rj.reason()});
        } else if (pdu instanceof AReleaseRq) {
            writeBody(Pdu.TYPE_RELEASE_RQ, new byte[4]);
        } else if (pdu instanceof AReleaseRp) {
            writeBody(Pdu.TYPE_RELEASE_RP, new byte[4]);
        } else {
            AAbort a = (AAbort) pdu;
            writeBody(Pdu.TYPE_ABORT, new byte[] {0, 0, (byte) a.source(), (byte) a.reason()});
        }
        if (flush) out.flush();
    }

    /** Bytes in front of the data of a P-DATA-TF with one PDV: the PDU header (6) and the PDV item header (6). */
    public static final int SINGLE_PDV_HEADER = 12;

    /**
     * Writes a P-DATA-TF of one PDV whose {@code length} data bytes are already in {@code pdu} at
     * {@link #SINGLE_PDV_HEADER}: both headers are filled in in front of them, so that the PDU goes
     * to the stream in one write, neither copied nor split into a small header segment and the data.
     */
    public void writeSinglePdv(byte[] pdu, int length, int pcid, boolean command, boolean last, boolean flush) throws IOException {
        long pduLength = 6L + length;
        int itemLength = length + 2;
        pdu[0] = (byte) Pdu.TYPE_P_DATA_TF;
        pdu[1] = 0;
        pdu[2] = (byte) (pduLength >>> 24);
        pdu[3] = (byte) (pduLength >>> 16);
        pdu[4] = (byte) (pduLength >>> 8);
        pdu[5] = (byte) pduLength;
        pdu[6] = (byte) (itemLength >>> 24);
        pdu[7] = (byte) (itemLength >>> 16);
        pdu[8] = (byte) (itemLength >>> 8);
        pdu[9] = (byte) itemLength;
        pdu[10] = (byte) pcid;
        pdu[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
        out.write(pdu, 0, SINGLE_PDV_HEADER + length);
        if (flush) out.flush();
    }

    /** The encoded length of a P-DATA-TF's variable field for PDVs of these data lengths. */
    public static long pDataLength(int... pdvLengths) {
        long n = 0;
        for (int l : pdvLengths) n += 6 + l;
        return n;
    }

    private void writePData(List<Pdv> pdvs) throws IOException {
        long len = 0;
        for (Pdv p : pdvs) len += 6 + p.length();
        header(Pdu.TYPE_P_DATA_TF, len);
        out.write(hdr, 0, 6);
        for (Pdv p : pdvs) {
            int l = p.length() + 2;
            hdr[0] = (byte) (l >>> 24);
            hdr[1] = (byte) (l >>> 16);
            hdr[2] = (byte) (l >>> 8);
            hdr[3] = (byte) l;
            hdr[4] = (byte) p.presentationContextId();
            hdr[5] = (byte) p.controlHeader();
            out.write(hdr, 0, 6);
            out.write(p.data(), p.offset(), p.length());
        }
    }

    private void writeBody(int type, byte[] body) throws IOException {
        header(type, body.length);
        out.write(hdr, 0, 6);
        out.write(body);
    }

    private void header(int type, long len) {
        hdr[0] = (byte) type;
        hdr[1] = 0;
        hdr[2] = (byte) (len >>> 24);
        hdr[3] = (byte) (len >>> 16);
        hdr[4] = (byte) (len >>> 8);
        hdr[5] = (byte) len;
    }

    private static byte[] associate(int version, String called, String calling, String appContext,
                                    List<PresentationContext> pcs, boolean rq, UserInformation ui) {
        Buf b = new Buf();
        b.u16(version).u16(0).ae(called).ae(calling).zeros(32);
        b.item(0x10, ascii(appContext));
        for (PresentationContext pc : pcs) {
            Buf p = new Buf();
            if (rq) {
                p.u8(pc.id()).zeros(3);
                p.item(0x30, ascii(pc.abstractSyntax()));
                for (String ts : pc.transferSyntaxes()) p.item(0x40, ascii(ts));
                b.item(0x20, p.bytes());
            } else {
                p.u8(pc.id()).u8(0).u8(pc.result()).u8(0);
                if (pc.transferSyntax() != null) p.item(0x40, ascii(pc.transferSyntax()));
                b.item(0x21, p.bytes());
            }
        }
        b.item(0x50, userInformation(ui, rq));
        return b.bytes();
    }

    private static byte[] userInformation(UserInformation ui, boolean rq) {
        Buf b = new Buf();
        b.item(0x51, new Buf().u32(ui.maxLength()).bytes());
        if (ui.implementationClassUid() != null) b.item(0x52, ascii(ui.implementationClassUid()));
        if (ui.asyncOperationsWindow() != null) {
            b.item(0x53, new Buf().u16(ui.asyncOperationsWindow()[0]).u16(ui.asyncOperationsWindow()[1]).bytes());
        }
        for (RoleSelection r : ui.roleSelections()) {
            byte[] uid = ascii(r.sopClassUid());
            b.item(0x54, new Buf().u16(uid.length).raw(uid).u8(r.scu() ? 1 : 0).u8(r.scp() ? 1 : 0).bytes());
        }
        if (ui.implementationVersionName() != null) b.item(0x55, ascii(ui.implementationVersionName()));
        for (ExtendedNegotiation e : ui.extendedNegotiations()) {
            byte[] uid = ascii(e.sopClassUid());
            b.item(0x56, new Buf().u16(uid.length).raw(uid).raw(e.info()).bytes());
        }
        if (rq) {
            for (CommonExtendedNegotiation c : ui.commonExtendedNegotiations()) {
                byte[] sop = ascii(c.sopClassUid()), svc = ascii(c.serviceClassUid());
                Buf rel = new Buf();
                for (String r : c.relatedGeneralSopClasses()) {
                    byte[] u = ascii(r);
                    rel.u16(u.length).raw(u);
                }
                byte[] relBytes = rel.bytes();
                b.item(0x57, new Buf().u16(sop.length).raw(sop).u16(svc.length).raw(svc).u16(relBytes.length).raw(relBytes).bytes());
            }
        }
        UserIdentity id = ui.userIdentity();
        if (id != null) {
            if (rq) {
                b.item(0x58, new Buf().u8(id.type()).u8(id.positiveResponseRequested() ? 1 : 0)
                        .u16(id.primary().length).raw(id.primary()).u16(id.secondary().length).raw(id.secondary()).bytes());
            } else {
                b.item(0x59, new Buf().u16(id.primary().length).raw(id.primary()).bytes());
            }
        }
        return b.bytes();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A small big-endian byte builder for the association PDUs. */
    private static final class Buf {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream(256);

        Buf u8(int v) { b.write(v); return this; }

        Buf u16(int v) { b.write(v >>> 8); b.write(v); return this; }

        Buf u32(long v) { return u16((int) (v >>> 16)).u16((int) v); }

        Buf raw(byte[] x) { b.writeBytes(x); return this; }

        Buf zeros(int n) { return raw(new byte[n]); }

        Buf ae(String title) {
            byte[] t = new byte[16];
            java.util.Arrays.fill(t, (byte) ' ');
            byte[] a = ascii(title);
            System.arraycopy(a, 0, t, 0, Math.min(16, a.length));
            return raw(t);
        }

        Buf item(int type, byte[] body) {
            return u8(type).u8(0).u16(body.length).raw(body);
        }

        byte[] bytes() { return b.toByteArray(); }
    }
}
