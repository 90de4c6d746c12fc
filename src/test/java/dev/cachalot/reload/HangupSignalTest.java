package dev.cachalot.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The SIGHUP handler is installed (by reflection) and runs its action when the signal arrives. */
class HangupSignalTest {
    @Test
    void aRaisedHangupRunsTheAction() throws Exception {
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "no SIGHUP on Windows");
        CountDownLatch ran = new CountDownLatch(1);
        HangupSignal.Installed installed = HangupSignal.install(ran::countDown);
        assertTrue(installed == HangupSignal.Installed.YES || installed == HangupSignal.Installed.IGNORED_BY_PARENT,
                "installed: " + installed);
        assumeTrue(installed == HangupSignal.Installed.YES, "this test JVM was started with SIGHUP ignored");
        // sun.misc.Signal.raise(new Signal("HUP")), by reflection as in the class under test.
        Class<?> signal = Class.forName("sun.misc.Signal");
        Object hup = signal.getConstructor(String.class).newInstance("HUP");
        signal.getMethod("raise", signal).invoke(null, hup);
        assertTrue(ran.await(30, TimeUnit.SECONDS), "the handler ran");
        // Leave a harmless handler behind rather than one holding this test's latch.
        assertEquals(HangupSignal.Installed.YES, HangupSignal.install(() -> { }));
    }
}
