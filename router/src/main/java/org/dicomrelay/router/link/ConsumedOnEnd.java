package org.dicomrelay.router.link;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A payload stream that runs an action once, when it has been read to its end (for an envelope: authenticated whole). */
final class ConsumedOnEnd extends FilterInputStream {
    private final Runnable atEnd;
    private boolean done;

    ConsumedOnEnd(InputStream in, Runnable atEnd) {
        super(in);
        this.atEnd = atEnd;
    }

    @Override public int read() throws IOException {
        int b = super.read();
        if (b < 0) ended();
        return b;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) ended();
        return n;
    }

    private void ended() {
        if (done) return;
        done = true;
        atEnd.run();
    }
}
