package dev.cachalot.reload;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action on SIGHUP, the Unix convention for "reload your configuration". The JDK's only
 * handle on signals is {@code sun.misc.Signal} (module jdk.unsupported); naming it in source makes
 * javac warn, and the build is warning-free, so it is reached by reflection, with the handler as a
 * dynamic proxy of {@code sun.misc.SignalHandler}. Where that API or the signal does not exist
 * (Windows, a JVM without jdk.unsupported, {@code -Xrs}), {@link #install} says so and the admin
 * {@code POST /reload} remains.
 */
public final class HangupSignal {
    private static final Logger LOG = LoggerFactory.getLogger(HangupSignal.class);

    /** The result of installing the handler. */
    public enum Installed {
        /** SIGHUP now runs the action. */
        YES,
        /**
         * Installed, but the process was started with SIGHUP ignored (e.g. under {@code nohup}), and
         * the JVM keeps it ignored: the signal will not arrive. Use POST /reload.
         */
        IGNORED_BY_PARENT,
        /** No signal support on this platform or JVM. */
        UNAVAILABLE
    }

    private HangupSignal() {}

    /** Installs {@code action} as the SIGHUP handler; it runs on the JVM's signal dispatch thread. */
    public static Installed install(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = Proxy.newProxyInstance(HangupSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    new Handler(action));
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, hup, handler);
            Object ignore = handlerClass.getField("SIG_IGN").get(null);
            if (previous != null && previous.equals(ignore)) {
                return Installed.IGNORED_BY_PARENT;
            }
            return Installed.YES;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
                    ? e.getCause() : e;
            LOG.debug("no SIGHUP handler: {}", cause.toString());
            return Installed.UNAVAILABLE;
        }
    }

    /** The proxy's behaviour: {@code handle(Signal)} runs the action; Object methods behave as usual. */
    private static final class Handler implements InvocationHandler {
        private final Runnable action;

        Handler(Runnable action) {
            this.action = action;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            switch (method.getName()) {
                case "handle":
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        LOG.warn("SIGHUP action failed", e);
                    }
                    return null;
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "toString":
                    return "cachalot SIGHUP handler";
                default:
                    return null;
            }
        }
    }
}
