package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void idsFromManyThreadsAreAllDistinctAndCarryThePrefix() throws Exception {
        RequestIds ids = new RequestIds("abc");
        int threads = 6;
        int each = RequestIds.BLOCK * 3 + 17; // several blocks per thread, the last one partly used
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                parts.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>(each);
                    for (int i = 0; i < each; i++) {
                        mine.add(ids.next());
                    }
                    return mine;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<List<String>> f : parts) {
                for (String id : f.get(30, TimeUnit.SECONDS)) {
                    assertTrue(id.matches("abc-[0-9a-z]+"), id);
                    all.add(id);
                }
            }
            assertEquals(threads * each, all.size(), "no id handed out twice");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneThreadCountsUpFromOne() {
        RequestIds ids = new RequestIds("p");
        assertEquals("p-1", ids.next());
        assertEquals("p-2", ids.next());
        for (int i = 3; i <= RequestIds.BLOCK + 2; i++) {
            assertEquals("p-" + Long.toString(i, 36), ids.next());
        }
    }

    @Test
    void theDigitsCountedInPlaceAreThoseOfLongToStringAcrossCarries() {
        RequestIds ids = new RequestIds("x");
        // Blocks start at multiples of BLOCK: numbers 1..200,000 cross every carry up to four digits
        // ("z" -> "10", "zz" -> "100", "zzz" -> "1000") and many block starts.
        for (long i = 1; i <= 200_000; i++) {
            assertEquals("x-" + Long.toString(i, 36), ids.next());
        }
    }

    @Test
    void aKeptBlockContinuesTheThreadsSequenceAndAnotherThreadsBlockIsNotUsed() throws Exception {
        RequestIds ids = new RequestIds("k");
        RequestIds.Block mine = ids.block();
        assertEquals("k-1", ids.next(mine));
        assertEquals("k-2", ids.next());
        assertEquals("k-3", ids.next(mine), "one sequence per thread, kept block or not");
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            // On another thread, a block that is not that thread's own is not touched: that thread
            // takes (and counts in) a block of its own.
            String theirs = other.submit(() -> ids.next(mine)).get(30, TimeUnit.SECONDS);
            assertEquals("k-" + Long.toString(RequestIds.BLOCK + 1, 36), theirs);
        } finally {
            other.shutdownNow();
        }
        assertEquals("k-4", ids.next(mine));
    }
}
