package dev.cachalot;

/** Command-line entry point of the Cachalot proxy. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("cachalot");
    }
}
