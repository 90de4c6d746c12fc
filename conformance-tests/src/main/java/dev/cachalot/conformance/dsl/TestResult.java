package dev.cachalot.conformance.dsl;

import java.util.List;

/**
 * The result of one test against one cache.
 *
 * @param id test id
 * @param title requirement title
 * @param anchor spec anchor
 * @param level requirement level
 * @param rationale requirement text
 * @param outcome pass / fail / inconclusive / not applicable
 * @param reason why it failed or was not judged (empty on pass)
 * @param knownDeviation reason from the known-deviations file, or null when the test is not listed
 * @param millis duration
 * @param transcript the exchanges of the test, one line each
 */
public record TestResult(String id, String title, String anchor, Level level, String rationale, Outcome outcome,
                         String reason, String knownDeviation, long millis, List<String> transcript) {
}
