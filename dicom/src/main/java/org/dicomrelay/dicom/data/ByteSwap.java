package org.dicomrelay.dicom.data;

/** Reverses the byte order of binary values in place, unit by unit (2, 4 or 8 bytes, by VR). */
public final class ByteSwap {
    private ByteSwap() {}

    public static void swap(byte[] b, int off, int len, int unit) {
        if (unit <= 1) return;
        int end = off + len - len % unit;
        for (int i = off; i < end; i += unit) {
            for (int lo = i, hi = i + unit - 1; lo < hi; lo++, hi--) {
                byte t = b[lo];
                b[lo] = b[hi];
                b[hi] = t;
            }
        }
    }

    public static byte[] swapped(byte[] b, VR vr) {
        byte[] c = b.clone();
        swap(c, 0, c.length, vr.swapUnit());
        return c;
    }
}
