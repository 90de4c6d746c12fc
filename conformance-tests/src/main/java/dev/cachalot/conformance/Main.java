package dev.cachalot.conformance;

/** Command-line entry point of the conformance suite runner. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("conformance");
    }
}
