package dev.cachalot.server;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Linux's {@code SO_INCOMING_CPU} socket option (socket(7), since Linux 3.19) through JNA's
 * {@code getsockopt}; the file descriptor comes from the JDK's {@code sun.nio.ch.SelChImpl#getFDVal}
 * (exported to the unnamed module by Cachalot's launch flags: the jar manifest's Add-Exports).
 * Every failure (not Linux, JNA or libc not loadable, reflection denied, getsockopt refused) turns
 * the source into one that answers -1 (unknown) from then on, logged once at INFO.
 */
final class SocketIncomingCpu implements IncomingCpu {
    private static final Logger LOG = LoggerFactory.getLogger(SocketIncomingCpu.class);
    /** {@code SOL_SOCKET} on Linux (asm-generic/socket.h). */
    private static final int SOL_SOCKET = 1;
    /** {@code SO_INCOMING_CPU} on Linux (asm-generic/socket.h). */
    private static final int SO_INCOMING_CPU = 49;

    /** The one libc function used. */
    public interface LibC extends Library {
        int getsockopt(int fd, int level, int option, IntByReference value, IntByReference length);
    }

    private final LibC libc;
    private final Method fdVal;
    private final AtomicBoolean failed = new AtomicBoolean();

    private SocketIncomingCpu(LibC libc, Method fdVal) {
        this.libc = libc;
        this.fdVal = fdVal;
    }

    /** The SO_INCOMING_CPU reader, or {@link IncomingCpu#UNKNOWN} (logged once) where it cannot work. */
    static IncomingCpu load() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            LOG.info("connection placement: SO_INCOMING_CPU is Linux-only (os.name {}); connections go to the "
                    + "least-loaded I/O thread", os);
            return UNKNOWN;
        }
        try {
            Method fd = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            LibC libc = Native.load("c", LibC.class);
            return new SocketIncomingCpu(libc, fd);
        } catch (Throwable e) {
            // LinkageError (JNA's native part), ReflectiveOperationException, SecurityException, ...
            LOG.info("connection placement: cannot read SO_INCOMING_CPU ({}); connections go to the least-loaded "
                    + "I/O thread", e.toString());
            return UNKNOWN;
        }
    }

    @Override
    public int of(SocketChannel channel) {
        if (failed.get()) {
            return -1;
        }
        try {
            int fd = (Integer) fdVal.invoke(channel);
            IntByReference value = new IntByReference(-1);
            IntByReference length = new IntByReference(4);
            if (libc.getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, value, length) == 0) {
                return value.getValue();
            }
            giveUp("getsockopt(SO_INCOMING_CPU) failed, errno " + Native.getLastError());
        } catch (Throwable e) {
            giveUp(e.toString());
        }
        return -1;
    }

    private void giveUp(String why) {
        if (failed.compareAndSet(false, true)) {
            LOG.info("connection placement: cannot read SO_INCOMING_CPU ({}); connections go to the least-loaded "
                    + "I/O thread from now on", why);
        }
    }
}
