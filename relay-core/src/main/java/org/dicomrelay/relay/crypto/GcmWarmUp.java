package org.dicomrelay.relay.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Gets AES-GCM compiled with the CPU's intrinsics (AES-NI/VAES counter mode, CLMUL GHASH) early in a
 * router's or the Bridge's life. HotSpot applies those intrinsics only where C2 compiles a caller of
 * {@code CounterMode.implCrypt} and {@code GHASH.processBlocks}, i.e. after thousands of calls; an
 * envelope's 1 MiB segment is one call, so a JVM relaying large objects ran GCM in plain Java for
 * gigabytes: measured 10 ms/MB to seal and open (Tink, 1 MiB segments, JDK 17, this machine's EPYC)
 * against 0.2-0.45 ms/MB once compiled, and the same code serves TLS records. A few thousand calls on
 * small buffers, once per JVM on a daemon thread, take ~0.2 s of CPU. The key and data are zeros and
 * nothing leaves this class: it only exercises the provider's code.
 */
public final class GcmWarmUp {
    /** Calls per API form; C2 compiles after ~5,000 invocations (Tier4InvocationThreshold). */
    static final int CALLS = 6_000;
    private static final int SMALL = 256;
    /**
     * Every fourth call: the provider takes other branches for data of several blocks (TLS records are 16 KiB), and
     * code compiled from a profile that never took them is thrown away the first time they are (measured: 16 KiB
     * records still ran at 2-6 ms/MB after a warm-up of 256-byte calls only, 0.5-1.9 with these). Odd: a partial block.
     */
    private static final int LARGE = 8 * 1024 + 17;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final System.Logger LOG = System.getLogger(GcmWarmUp.class.getName());

    private GcmWarmUp() {}

    /** Starts the warm-up on a daemon thread, once per JVM (later calls do nothing); it ends by itself. */
    public static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                run(CALLS);
            } catch (GeneralSecurityException | RuntimeException e) {
                // only speed is at stake: GCM still works, interpreted until the JIT gets there by itself
                LOG.log(System.Logger.Level.INFO, "AES-GCM warm-up failed (GCM runs slower until the JIT compiles it by itself): " + org.dicomrelay.dicom.net.FailureText.of(e));
            }
        }, "aes-gcm-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Seals and opens {@code calls} small messages through each form the provider has (arrays, heap and direct buffers). */
    static void run(int calls) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
        Cipher enc = Cipher.getInstance("AES/GCM/NoPadding"), dec = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] plain = new byte[LARGE], sealed = new byte[LARGE + 16], opened = new byte[LARGE];
        ByteBuffer heapIn = ByteBuffer.allocate(LARGE + 16), heapOut = ByteBuffer.allocate(LARGE + 16);
        ByteBuffer directIn = ByteBuffer.allocateDirect(LARGE + 16), directOut = ByteBuffer.allocateDirect(LARGE + 16);
        byte[] iv = new byte[12];
        for (int i = 0; i < calls; i++) {
            iv[0] = (byte) i;
            iv[1] = (byte) (i >>> 8); // a fresh IV per encryption: the provider refuses key and IV reuse
            int bytes = i % 4 == 3 ? LARGE : SMALL;
            GCMParameterSpec spec = new GCMParameterSpec(128, iv);
            enc.init(Cipher.ENCRYPT_MODE, key, spec);
            int n = enc.doFinal(plain, 0, bytes, sealed, 0);
            dec.init(Cipher.DECRYPT_MODE, key, spec);
            dec.doFinal(sealed, 0, n, opened, 0);
            boolean heap = ((i >> 2) & 1) == 0; // each size through both kinds of buffer
            ByteBuffer in = heap ? heapIn : directIn, out = heap ? heapOut : directOut;
            in.clear();
            in.put(sealed, 0, n).flip();
            out.clear();
            dec.init(Cipher.DECRYPT_MODE, key, spec);
            dec.doFinal(in, out);
            in.clear();
            in.put(plain, 0, bytes).flip();
            out.clear();
            iv[2] = 1; // the buffer form's encryption gets an IV of its own
            enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            enc.doFinal(in, out);
            iv[2] = 0;
        }
    }
}
