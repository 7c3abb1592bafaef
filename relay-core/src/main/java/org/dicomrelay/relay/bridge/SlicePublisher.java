package org.dicomrelay.relay.bridge;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body from bytes already in memory (a blob part), published as slices of
 * {@value #SLICE} bytes of the caller's array: no copy and no buffer per chunk, where the JDK's
 * {@code ofByteArray} and {@code ofInputStream} copy every 16 KiB into a new buffer. The array must
 * not change until the request is answered. Each subscription starts from the first byte (a
 * request sent again publishes the part again).
 */
final class SlicePublisher implements Flow.Publisher<ByteBuffer> {
    static final int SLICE = 64 * 1024;

    private final byte[] data;
    private final int length;

    SlicePublisher(byte[] data, int length) {
        Objects.checkFromIndexSize(0, length, data.length);
        this.data = data;
        this.length = length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Slices(subscriber));
    }

    /** Demand-driven; a request() from within onNext only adds demand (the running loop serves it). */
    private final class Slices implements Flow.Subscription {
        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private int position;
        private volatile boolean cancelled;

        Slices(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
                return;
            }
            // Only the caller that raises demand from 0 emits: no recursion, one emitter at a time.
            if (demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b) != 0) return;
            do {
                long served = 0;
                long wanted = demand.get();
                while (served < wanted && !cancelled && position < length) {
                    int n2 = Math.min(SLICE, length - position);
                    ByteBuffer slice = ByteBuffer.wrap(data, position, n2).slice();
                    position += n2;
                    served++;
                    subscriber.onNext(slice);
                }
                if (!cancelled && position >= length) {
                    cancelled = true;
                    subscriber.onComplete();
                    return;
                }
                if (cancelled) return;
                wanted = demand.addAndGet(-served);
                if (wanted == 0) return;
            } while (true);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
