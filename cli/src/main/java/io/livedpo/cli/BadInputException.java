package io.livedpo.cli;

/** Input the user must fix (a missing file, a malformed line): one line on stderr, exit code 2. */
final class BadInputException extends RuntimeException {

    BadInputException(String message) {
        super(message);
    }
}
