package dev.cachalot.origin;

import dev.cachalot.config.OriginConfig;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.StatusCodes;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParserFactory;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The {@link OriginClient} on Apache HttpClient 5 classic: one pooled client sized from config, no
 * redirects, no retries, no decompression, no cookies, no User-Agent or other added fields.
 */
public final class HttpOriginClient implements OriginClient {
    /** Fields the client library writes itself from the entity (RFC 9112 §6). */
    private static final String[] FRAMING = {"Content-Length", "Transfer-Encoding", "Expect"};

    private final PoolingHttpClientConnectionManager pool;
    private final CloseableHttpClient client;
    private final RequestConfig plain;
    private final RequestConfig expectContinue;
    private final java.util.concurrent.ConcurrentHashMap<OriginTarget, HttpHost> hosts =
            new java.util.concurrent.ConcurrentHashMap<>();

    public HttpOriginClient(OriginConfig config) {
        this(config, null);
    }

    /**
     * A client whose connections go only to the addresses {@code dnsResolver} returns (the forward
     * proxy's address guard); null for the system resolver.
     */
    public HttpOriginClient(OriginConfig config, DnsResolver dnsResolver) {
        Timeout connect = Timeout.of(config.connectTimeout());
        Timeout response = Timeout.of(config.responseTimeout());
        // The strict response parser of httpcore (the client's default skips garbage lines before
        // the status line); header limits keep a hostile origin from exhausting memory.
        Http1Config http1 = Http1Config.custom().setMaxHeaderCount(256).setMaxLineLength(65536).build();
        ManagedHttpClientConnectionFactory connections = ManagedHttpClientConnectionFactory.builder()
                .http1Config(http1)
                .responseParserFactory(new DefaultHttpResponseParserFactory(http1))
                .build();
        this.pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setConnectionFactory(connections)
                .setMaxConnTotal(config.maxConnections())
                .setMaxConnPerRoute(config.maxConnectionsPerRoute())
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setConnPoolPolicy(PoolReusePolicy.LIFO)
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(response).setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(response)
                        .setIdleTimeout(Timeout.of(config.idleTimeout()))
                        // A pooled connection idle this long is checked before reuse (stale close).
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .setDnsResolver(dnsResolver)
                .build();
        this.plain = RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(config.poolTimeout()))
                .setResponseTimeout(response)
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .setContentCompressionEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setExpectContinueEnabled(false)
                .build();
        this.expectContinue = RequestConfig.copy(plain).setExpectContinueEnabled(true).build();
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableDefaultUserAgent()
                .evictIdleConnections(TimeValue.of(config.idleTimeout()))
                .setDefaultRequestConfig(plain)
                .build();
    }

    @Override
    public OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) throws OriginException {
        HttpUriRequestBase request = new HttpUriRequestBase(head.method(), java.net.URI.create("/"));
        request.setPath(head.target());
        boolean expect = false;
        HeaderFields h = head.headers();
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            if (isFraming(name)) {
                // RFC 9110 §10.1.1: the client library sends its own Expect and waits for 100 Continue.
                if (name.equalsIgnoreCase("Expect") && h.value(i).trim().equalsIgnoreCase("100-continue")) {
                    expect = true;
                }
                continue;
            }
            request.addHeader(name, h.value(i));
        }
        if (target.hostHeader() != null && !target.hostHeader().isEmpty()) {
            request.setHeader("Host", target.hostHeader());
        } else if (!request.containsHeader("Host")) {
            request.setHeader("Host", head.authority().isEmpty() ? target.authority() : head.authority());
        }
        if (body != null) {
            request.setEntity(new StreamingEntity(body));
        }
        HttpClientContext context = HttpClientContext.create();
        context.setRequestConfig(expect && body != null ? expectContinue : plain);
        HttpHost host = hosts.computeIfAbsent(target, t -> new HttpHost(t.scheme(), t.host(), t.port()));
        long t0 = System.nanoTime();
        ClassicHttpResponse response;
        try {
            response = client.executeOpen(host, request, context);
        } catch (IOException e) {
            request.cancel();
            throw classify(e);
        }
        long headNanos = System.nanoTime() - t0;
        HeaderFields.Builder rh = HeaderFields.builder();
        for (Header header : response.getHeaders()) {
            rh.add(header.getName(), header.getValue());
        }
        int status = response.getCode();
        String reason = response.getReasonPhrase() == null ? StatusCodes.reason(status) : response.getReasonPhrase();
        ResponseHead responseHead;
        try {
            responseHead = new ResponseHead(status, reason, rh.build());
        } catch (IllegalArgumentException e) {
            request.cancel();
            throw new OriginException(OriginException.Kind.INVALID_RESPONSE, e.getMessage(), e);
        }
        HttpEntity entity = response.getEntity();
        InputStream raw;
        try {
            raw = entity == null ? InputStream.nullInputStream() : entity.getContent();
        } catch (IOException e) {
            request.cancel();
            throw classify(e);
        }
        long length = entity == null ? 0 : entity.getContentLength();
        return new Response(request, response, responseHead, raw, length, headNanos);
    }

    private static boolean isFraming(String name) {
        for (String f : FRAMING) {
            if (f.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Maps a client library failure to the kind of answer the client gets. */
    static OriginException classify(IOException e) {
        if (e instanceof OriginException) {
            return (OriginException) e;
        }
        ClientBodyException body = findCause(e, ClientBodyException.class);
        if (body != null) {
            return new OriginException(OriginException.Kind.CLIENT_BODY, String.valueOf(body.getCause()), e);
        }
        OriginException.Kind kind;
        if (e instanceof ConnectTimeoutException) {
            kind = OriginException.Kind.CONNECT_TIMEOUT;
        } else if (e instanceof ConnectionRequestTimeoutException) {
            kind = OriginException.Kind.POOL_EXHAUSTED;
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            kind = OriginException.Kind.CONNECT_REFUSED;
        } else if (e instanceof UnknownHostException) {
            kind = OriginException.Kind.UNKNOWN_HOST;
        } else if (e instanceof SocketTimeoutException) {
            kind = OriginException.Kind.RESPONSE_TIMEOUT;
        } else if (e instanceof SSLException) {
            kind = OriginException.Kind.TLS;
        } else if (e instanceof MalformedChunkCodingException || e instanceof MessageConstraintException
                || findCause(e, ProtocolException.class) != null || findCause(e, ParseException.class) != null
                || findCause(e, HttpException.class) != null) {
            kind = OriginException.Kind.INVALID_RESPONSE;
        } else if (e instanceof NoHttpResponseException || e instanceof ConnectionClosedException
                || e instanceof SocketException) {
            kind = OriginException.Kind.RESET;
        } else if (e instanceof InterruptedIOException) {
            kind = OriginException.Kind.RESPONSE_TIMEOUT;
        } else {
            kind = OriginException.Kind.RESET;
        }
        return new OriginException(kind, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    @Override
    public PoolStats poolStats() {
        org.apache.hc.core5.pool.PoolStats s = pool.getTotalStats();
        return new PoolStats(s.getLeased(), s.getAvailable(), s.getPending(), s.getMax());
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
        pool.close(CloseMode.IMMEDIATE);
    }

    /** A failure reading the client's body while sending it: not the origin's fault. */
    static final class ClientBodyException extends IOException {
        private static final long serialVersionUID = 1L;

        ClientBodyException(IOException cause) {
            super(cause);
        }
    }

    /** Streams the client's body to the origin, opening it only when the origin is ready. */
    private static final class StreamingEntity extends AbstractHttpEntity {
        private final RequestBody body;

        StreamingEntity(RequestBody body) {
            super((ContentType) null, null, body.length() < 0);
            this.body = body;
        }

        @Override
        public boolean isRepeatable() {
            return false;
        }

        @Override
        public long getContentLength() {
            return body.length();
        }

        @Override
        public InputStream getContent() throws IOException {
            return body.open();
        }

        @Override
        public boolean isStreaming() {
            return true;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            InputStream in;
            try {
                in = body.open();
            } catch (IOException e) {
                throw new ClientBodyException(e);
            }
            byte[] buf = new byte[16 * 1024];
            while (true) {
                int r;
                try {
                    r = in.read(buf);
                } catch (IOException e) {
                    throw new ClientBodyException(e);
                }
                if (r < 0) {
                    break;
                }
                out.write(buf, 0, r);
            }
        }

        @Override
        public void close() {
        }
    }

    /** The origin's response with the body still on the wire. */
    private static final class Response implements OriginResponse {
        private final HttpUriRequestBase request;
        private final ClassicHttpResponse response;
        private final ResponseHead head;
        private final long length;
        private final long headNanos;
        private final Body body;
        private boolean done;

        Response(HttpUriRequestBase request, ClassicHttpResponse response, ResponseHead head, InputStream raw,
                 long length, long headNanos) {
            this.request = request;
            this.response = response;
            this.head = head;
            this.length = length;
            this.headNanos = headNanos;
            this.body = new Body(raw);
        }

        @Override
        public ResponseHead head() {
            return head;
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public long headNanos() {
            return headNanos;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            if (!body.eof) {
                abort();
                return;
            }
            done = true;
            try {
                body.in.close();
                response.close();
            } catch (IOException e) {
                request.cancel();
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            // Cancelling shuts the connection down at once: the rest of the body is never read.
            request.cancel();
            try {
                response.close();
            } catch (IOException e) {
                // already discarded
            }
        }

        /** The body stream: translates failures into {@link OriginException} and notes the end. */
        private static final class Body extends FilterInputStream {
            final InputStream in;
            boolean eof;

            Body(InputStream in) {
                super(in);
                this.in = in;
            }

            @Override
            public int read() throws IOException {
                try {
                    int r = in.read();
                    if (r < 0) {
                        eof = true;
                    }
                    return r;
                } catch (IOException e) {
                    throw classify(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    int r = in.read(b, off, len);
                    if (r < 0) {
                        eof = true;
                    }
                    return r;
                } catch (IOException e) {
                    throw classify(e);
                }
            }

            @Override
            public void close() {
                // Ending the exchange is the response's job (close or abort), never the reader's.
            }
        }
    }
}
