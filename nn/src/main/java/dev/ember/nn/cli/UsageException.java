package dev.ember.nn.cli;

/** A command-line mistake: reported as one line with exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
