package org.dicomrelay.providers.emulators;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for an emulator to be ready: the condition polled every 20 ms until a deadline. JDK only
 * (not Awaitility, a test library), because {@code demo --cloud} runs the emulators in the product.
 */
final class Readiness {
    private static final long POLL_MILLIS = 20;

    private Readiness() {}

    static void await(String what, Duration timeout, Callable<Boolean> ready) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!ready.call()) {
                if (System.nanoTime() - deadline > 0) throw new IOException(what + ": not ready within " + timeout.toSeconds() + " s");
                Thread.sleep(POLL_MILLIS); // between polls of the condition
            }
        } catch (IOException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for " + what + " interrupted");
        } catch (Exception e) {
            throw new IOException(what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }
}
