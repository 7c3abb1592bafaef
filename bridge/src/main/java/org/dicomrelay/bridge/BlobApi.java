package org.dicomrelay.bridge;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.dicomrelay.relay.cloud.BlobNames;

/**
 * The HTTP API of {@link Blobs}, under {@code /api/router/blobs} (router-authenticated):
 * <ul>
 *   <li>{@code GET /api/router/blobs}: the caller's part size, quota and use;</li>
 *   <li>{@code PUT /api/router/blobs/{name}/parts/{index}?to=ROUTER&offset=N[&last=true]}: a part, streamed to disk;</li>
 *   <li>{@code GET /api/router/blobs/{name}}: a blob addressed to the caller, streamed; while it is
 *       still being uploaded, without a length, its parts as they land (a stalled or aborted upload
 *       cuts the response off, so the reader sees an error, never a clean end);</li>
 *   <li>{@code GET /api/router/blobs/{name}} with {@code Range: bytes=FIRST-LAST}: those bytes (206), see {@link #download};</li>
 *   <li>{@code DELETE /api/router/blobs/{name}}: by its sender or recipient;</li>
 * </ul>
 * and {@code GET /api/admin/blobs}: how many blobs and bytes the Bridge holds. Bodies are never
 * read into memory whole, and never logged.
 */
final class BlobApi {
    private static final Pattern PART_INDEX = Pattern.compile("[0-9]{1,9}");
    private static final Pattern PART_OFFSET = Pattern.compile("[0-9]{1,18}");
    private static final int COPY_BUFFER = 256 * 1024;

    private static final System.Logger LOG = System.getLogger(BlobApi.class.getName());

    private final Blobs blobs;

    BlobApi(Blobs blobs) {
        this.blobs = blobs;
    }

    /**
     * @param router wraps a handler with router authentication
     * @param admin  wraps a handler with admin authentication
     * @param me     the authenticated router of a request
     */
    void configure(JavalinConfig cfg, UnaryOperator<Handler> router, UnaryOperator<Handler> admin, Function<Context, String> me) {
        var r = cfg.routes;
        r.get("/api/router/blobs", router.apply(ctx -> {
            ctx.json(blobs.account(me.apply(ctx)));
        }));
        r.put("/api/router/blobs/{name}/parts/{index}", router.apply(ctx -> putPart(ctx, me.apply(ctx))));
        r.get("/api/router/blobs/{name}", router.apply(ctx -> download(ctx, me.apply(ctx))));
        r.delete("/api/router/blobs/{name}", router.apply(ctx -> {
            blobs.delete(me.apply(ctx), name(ctx));
            ctx.status(204);
        }));
        r.get("/api/admin/blobs", admin.apply(ctx -> {
            BlobTable.Totals t = blobs.totals();
            ctx.json(BridgeApi.obj("blobs", t.blobs(), "bytes", t.bytes(), "receivedSinceStart", blobs.received()));
        }));
    }

    private void putPart(Context ctx, String me) throws Exception {
        String name = name(ctx);
        String index = ctx.pathParam("index");
        if (!PART_INDEX.matcher(index).matches()) throw ApiException.badRequest("part index must be a whole number");
        String to = ctx.queryParam("to");
        if (to == null || !RouterRecord.ROUTER_ID.matcher(to).matches()) throw ApiException.badRequest("'to' (the recipient's router ID) is missing");
        String offsetText = ctx.queryParam("offset");
        long offset;
        if (offsetText == null) offset = -1;
        else if (PART_OFFSET.matcher(offsetText).matches()) offset = Long.parseLong(offsetText);
        else throw ApiException.badRequest("'offset' must be a whole number");
        if (offset < 0) throw ApiException.badRequest("'offset' (where the part starts in the blob) is missing");
        String last = ctx.queryParam("last");
        if (last != null && !last.equals("true") && !last.equals("false")) throw ApiException.badRequest("'last' must be true or false");
        long size;
        try (InputStream body = ctx.req().getInputStream()) {
            size = blobs.putPart(me, name, to, Integer.parseInt(index), offset, "true".equals(last), ctx.req().getContentLengthLong(), body);
        }
        ctx.json(Map.of("name", name, "sizeBytes", size));
    }

    /**
     * Streams the blob straight to the response, bypassing any response compression (ciphertext):
     * a complete one with its length; one being uploaded chunked, flushing what it has before
     * waiting for the next part. A failure once the response has started (the upload aborted,
     * expired or stalled) propagates, and Jetty then cuts the connection off without the final chunk.
     * With {@code Range: bytes=FIRST-LAST} (one range, RFC 9110 section 14; the recipient downloads
     * a blob in parallel ranges): 206 and those bytes, of a complete blob with
     * {@code Content-Range: bytes FIRST-LAST/SIZE} (416 and {@code bytes *}{@code /SIZE} if it starts
     * at or beyond the end), of one being uploaded with {@code bytes FIRST-LAST/*}, as they come,
     * ending early (cleanly) where the blob ends. Any other Range header is ignored: the whole blob.
     */
    private void download(Context ctx, String me) throws Exception {
        ByteRange range = ByteRange.parse(ctx.header("Range"));
        Blobs.Download d = blobs.open(me, name(ctx), range == null ? 0 : range.first());
        try (InputStream in = d.in()) {
            var res = ctx.res();
            res.setContentType("application/octet-stream");
            long left;
            if (range == null) {
                res.setStatus(200);
                if (d.size() >= 0) res.setContentLengthLong(d.size());
                left = d.size() >= 0 ? d.size() : Long.MAX_VALUE;
            } else if (d.size() >= 0 && range.first() >= d.size()) {
                res.setStatus(416);
                res.setHeader("Content-Range", "bytes */" + d.size());
                res.setContentLengthLong(0);
                return;
            } else {
                res.setStatus(206);
                long last = d.size() >= 0 ? Math.min(range.last(), d.size() - 1) : range.last();
                res.setHeader("Content-Range", "bytes " + range.first() + "-" + last + "/" + (d.size() >= 0 ? d.size() : "*"));
                left = last - range.first() + 1;
                if (d.size() >= 0) res.setContentLengthLong(left);
            }
            copy(ctx, in, res.getOutputStream(), left, d.size() >= 0);
        }
    }

    /** Copies {@code left} bytes (or to the end, if not {@code exact}); a failure cuts the response off. */
    private static void copy(Context ctx, InputStream in, OutputStream out, long left, boolean exact) throws IOException {
        byte[] buf = new byte[COPY_BUFFER];
        try {
            while (left > 0) {
                if (in instanceof BlobReader r && r.wouldWait()) out.flush(); // the reader gets what has landed so far
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    if (exact) throw new java.io.EOFException("blob file shorter than recorded");
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
            }
            out.flush();
        } catch (IOException e) {
            // Never an error answer inside a 200 already under way: the reader would take it for the blob's bytes.
            cutOff(ctx, e);
        }
    }

    /**
     * Ends a response already under way without its final chunk, so that the reader sees an error
     * (a clean end would pass a truncated blob off as whole, at least to the transport).
     */
    private static void cutOff(Context ctx, IOException why) {
        LOG.log(System.Logger.Level.INFO, "cut off the download of a blob: " + FailureText.of(why));
        ServletContextRequest r = ServletContextRequest.getServletContextRequest(ctx.req());
        // The connection itself, not the exchange: aborting the exchange makes Javalin fail noisily when it finishes.
        if (r != null) r.getConnectionMetaData().getConnection().getEndPoint().close();
    }

    /** A well-formed blob name; anything else is a blob nobody has (404). */
    private static String name(Context ctx) {
        String name = ctx.pathParam("name");
        if (!BlobNames.isValid(name)) throw ApiException.notFound("no such blob for this router");
        return name;
    }
}
