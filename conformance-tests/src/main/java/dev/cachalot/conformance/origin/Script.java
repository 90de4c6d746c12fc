package dev.cachalot.conformance.origin;

/** How the scripted origin answers the requests of one test: a function of the received request. */
@FunctionalInterface
public interface Script {
    /** Returns the reply for this request; {@link RecordedRequest#sequence()} tells which request of the test it is. */
    Reply respond(RecordedRequest request);
}
