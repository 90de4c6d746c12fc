package dev.cachalot.origin;

import dev.cachalot.http.ResponseHead;
import java.io.InputStream;

/**
 * A test origin's response: a given head and body stream, nothing to release. The scripted and fake
 * origins of the pipeline, pool and server tests answer with it.
 *
 * @param head          the response head
 * @param body          the body as the client reads it
 * @param contentLength the announced length, or -1
 * @param headNanos     the reported time to the head
 */
public record StaticOriginResponse(ResponseHead head, InputStream body, long contentLength, long headNanos)
        implements OriginResponse {
    @Override
    public void close() {}

    @Override
    public void abort() {}
}
