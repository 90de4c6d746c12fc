package dev.cachalot.admin;

/** One admin operation: turns a request into a response. Exceptions become a logged 500. */
@FunctionalInterface
public interface AdminEndpoint {
    AdminResponse handle(AdminRequest request) throws Exception;
}
