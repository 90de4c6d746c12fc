package dev.cachalot.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A resolver answering from a table; a name may have a queue of answers (DNS rebinding). Never uses DNS. */
final class FakeResolver implements DestinationResolver {
    private final Map<String, Deque<List<InetAddress>>> answers = new HashMap<>();
    final AtomicInteger lookups = new AtomicInteger();

    /** Adds the next answer for {@code host}; the last answer repeats. */
    synchronized FakeResolver map(String host, String... literals) {
        List<InetAddress> list = new java.util.ArrayList<>();
        for (String l : literals) {
            try {
                list.add(InetAddress.getByAddress(host, Cidr.literal(l)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        answers.computeIfAbsent(host, h -> new ArrayDeque<>()).add(list);
        return this;
    }

    @Override
    public synchronized List<InetAddress> resolve(String host) throws UnknownHostException {
        byte[] literal = Cidr.literal(host);
        if (literal != null) {
            return List.of(InetAddress.getByAddress(literal)); // like the system resolver: no lookup
        }
        lookups.incrementAndGet();
        Deque<List<InetAddress>> q = answers.get(host);
        if (q == null) {
            throw new UnknownHostException(host);
        }
        return q.size() > 1 ? q.poll() : q.peek();
    }
}
