package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SO_INCOMING_CPU read through JNA on a real loopback connection, and the fallback on failure. */
class SocketIncomingCpuTest {

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    @Test
    void anAcceptedLoopbackConnectionHasAnIncomingCpu() throws IOException {
        assumeTrue(linux(), "SO_INCOMING_CPU is Linux-only");
        IncomingCpu cpus = SocketIncomingCpu.load();
        assertTrue(cpus instanceof SocketIncomingCpu, "JNA and the fd accessor load on Linux (test JVM flags)");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                assertTrue(client.isConnected());
                int cpu = cpus.of(accepted);
                // The CPU that handled the handshake: some CPU number, never "unknown".
                assertTrue(cpu >= 0 && cpu < 65_536, "incoming cpu " + cpu);
            }
        }
    }

    @Test
    void afterAFailureEveryAnswerIsUnknown() throws IOException {
        assumeTrue(linux(), "SO_INCOMING_CPU is Linux-only");
        IncomingCpu cpus = SocketIncomingCpu.load();
        // Not a JDK socket channel: the file descriptor cannot be found, so the source gives up.
        assertEquals(-1, cpus.of(new NotAJdkChannel()));
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                assertTrue(client.isConnected());
                assertEquals(-1, cpus.of(accepted), "a good socket is unknown too once the source gave up");
            }
        }
    }

    /** A socket channel that is not the JDK's implementation (it has no file descriptor to ask). */
    private static final class NotAJdkChannel extends SocketChannel {
        NotAJdkChannel() {
            super(SelectorProvider.provider());
        }

        @Override
        public SocketChannel bind(SocketAddress local) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public SocketChannel shutdownInput() {
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() {
            return this;
        }

        @Override
        public Socket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isConnectionPending() {
            return false;
        }

        @Override
        public boolean connect(SocketAddress remote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public int read(ByteBuffer dst) {
            return -1;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            return 0;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel() {
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
        }
    }
}
