package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link AnswerYield}: one yield per {@code every} answers of a thread, none when 0. */
class AnswerYieldTest {

    @Test
    void everyNthAnswerOfAThreadYields() {
        AtomicInteger yielded = new AtomicInteger();
        AnswerYield y = new AnswerYield(3, yielded::incrementAndGet);
        int[] expected = {0, 0, 1, 1, 1, 2, 2};
        for (int i = 0; i < expected.length; i++) {
            y.answered();
            assertEquals(expected[i], yielded.get(), "after answer " + (i + 1));
        }
        assertEquals(2, y.yields());
    }

    @Test
    void zeroNeverYields() {
        AtomicInteger yielded = new AtomicInteger();
        AnswerYield y = new AnswerYield(0, yielded::incrementAndGet);
        for (int i = 0; i < 1000; i++) {
            y.answered();
        }
        assertEquals(0, yielded.get());
        assertEquals(0, y.yields());
    }

    @Test
    void oneYieldsAfterEveryAnswer() {
        AtomicInteger yielded = new AtomicInteger();
        AnswerYield y = new AnswerYield(1, yielded::incrementAndGet);
        for (int i = 0; i < 5; i++) {
            y.answered();
        }
        assertEquals(5, yielded.get());
    }

    @Test
    void eachThreadCountsItsOwnAnswers() throws Exception {
        // Two threads with 2 answers each: 4 answers in all, but no thread reached 3.
        AtomicInteger yielded = new AtomicInteger();
        AnswerYield y = new AnswerYield(3, yielded::incrementAndGet);
        y.answered();
        y.answered();
        Thread other = new Thread(() -> {
            y.answered();
            y.answered();
        });
        other.start();
        other.join(60_000);
        assertEquals(0, yielded.get());
        y.answered(); // this thread's third
        assertEquals(1, yielded.get());
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AnswerYield(-1));
    }
}
