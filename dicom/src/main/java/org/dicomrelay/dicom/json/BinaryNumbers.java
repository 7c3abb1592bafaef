package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.VR;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** The values of the binary number VRs (PS3.5 Table 6.2-1) to and from JSON numbers. */
final class BinaryNumbers {
    private BinaryNumbers() {}

    private static final BigInteger UV_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    static int unit(VR vr) {
        return switch (vr) {
            case US, SS -> 2;
            case UL, SL, FL -> 4;
            case SV, UV, FD -> 8;
            default -> throw new IllegalArgumentException("not a binary number VR: " + vr);
        };
    }

    static boolean isBinaryNumber(VR vr) {
        return switch (vr) {
            case US, SS, UL, SL, FL, SV, UV, FD -> true;
            default -> false;
        };
    }

    /**
     * One entry per whole value (a trailing partial value is ignored, as it is no value).
     * Floats are written with digits that read back to the same binary value; non-finite floats
     * come out as Java's "NaN", "Infinity", "-Infinity", which are not JSON numbers.
     */
    static String[] decode(byte[] b, VR vr, boolean bigEndian) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        String[] v = new String[b.length / unit(vr)];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (vr) {
                case US -> Integer.toString(buf.getShort() & 0xFFFF);
                case SS -> Integer.toString(buf.getShort());
                case UL -> Integer.toUnsignedString(buf.getInt());
                case SL -> Integer.toString(buf.getInt());
                case SV -> Long.toString(buf.getLong());
                case UV -> Long.toUnsignedString(buf.getLong());
                case FL -> {
                    float f = buf.getFloat();
                    yield floating(f, Float.toString(f));
                }
                case FD -> {
                    double d = buf.getDouble();
                    yield floating(d, Double.toString(d));
                }
                default -> throw new IllegalArgumentException("not a binary number VR: " + vr);
            };
        }
        return v;
    }

    /**
     * Java's round-tripping digits, laid out as JavaScript does: plain notation from 1e-7 to 1e21
     * (862399761.111079, not 8.62399761111079E8), integers without ".0", exponents beyond.
     */
    private static String floating(double value, String javaText) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return javaText;
        if (value == 0) return 1 / value < 0 ? "-0" : "0";
        BigDecimal digits = new BigDecimal(javaText).stripTrailingZeros();
        double magnitude = Math.abs(value);
        return magnitude >= 1e-7 && magnitude < 1e21 ? digits.toPlainString() : digits.toString();
    }

    static boolean isFinite(String decoded) {
        return !decoded.equals("NaN") && !decoded.endsWith("Infinity");
    }

    /** Range-checked encoding of JSON numbers (strings where F.2.3 or our writer allow them) into little-endian values. */
    static byte[] encode(VR vr, List<?> values, String path) throws DicomJsonException {
        ByteBuffer buf = ByteBuffer.allocate(values.size() * unit(vr)).order(ByteOrder.LITTLE_ENDIAN);
        for (Object v : values) {
            switch (vr) {
                case FL -> buf.putFloat(v instanceof JsonNumber n ? Float.parseFloat(n.text()) : (float) floating(vr, v, path));
                case FD -> buf.putDouble(floating(vr, v, path));
                case US -> buf.putShort((short) integer(vr, v, path, 0, 0xFFFF).intValue());
                case SS -> buf.putShort((short) integer(vr, v, path, Short.MIN_VALUE, Short.MAX_VALUE).intValue());
                case UL -> buf.putInt((int) integer(vr, v, path, 0, 0xFFFFFFFFL).longValue());
                case SL -> buf.putInt(integer(vr, v, path, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue());
                case SV -> buf.putLong(integer(vr, v, path, BigInteger.valueOf(Long.MIN_VALUE), BigInteger.valueOf(Long.MAX_VALUE)).longValue());
                case UV -> buf.putLong(integer(vr, v, path, BigInteger.ZERO, UV_MAX).longValue());
                default -> throw new IllegalArgumentException(vr.name());
            }
        }
        return buf.array();
    }

    private static double floating(VR vr, Object v, String path) throws DicomJsonException {
        if (v instanceof JsonNumber n) return Double.parseDouble(n.text());
        if (v instanceof String s) {
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw DicomJsonReader.error(path, vr + " values must be numbers, found " + DicomJsonReader.describe(v));
    }

    private static BigInteger integer(VR vr, Object v, String path, long min, long max) throws DicomJsonException {
        return integer(vr, v, path, BigInteger.valueOf(min), BigInteger.valueOf(max));
    }

    private static BigInteger integer(VR vr, Object v, String path, BigInteger min, BigInteger max) throws DicomJsonException {
        BigDecimal d;
        if (v instanceof JsonNumber n) {
            d = n.toBigDecimal();
        } else if (v instanceof String s && (vr == VR.SV || vr == VR.UV) && s.matches("-?[0-9]+")) {
            d = new BigDecimal(s); // F.2.3: SV and UV may be strings, to keep 64-bit precision
        } else {
            throw DicomJsonReader.error(path, vr + " values must be numbers, found " + DicomJsonReader.describe(v));
        }
        BigInteger i;
        try {
            i = d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw DicomJsonReader.error(path, vr + " value " + DicomJsonReader.describe(v) + " is not an integer");
        }
        if (i.compareTo(min) < 0 || i.compareTo(max) > 0) throw DicomJsonReader.error(path, vr + " value " + DicomJsonReader.describe(v) + " is out of range " + min + ".." + max);
        return i;
    }
}
