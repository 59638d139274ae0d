package dev.ember.nn.io;

import java.io.IOException;

/**
 * A file was read but is not a valid safetensors file (truncated, not safetensors at all, a
 * header that is not the format's JSON, offsets that do not match the data). An
 * {@link IOException}, as {@link java.util.zip.ZipException} is for zip files, so callers that
 * handle I/O errors catch it too; its own type lets them tell bad input from a failing read
 * (the command line exits 2 for it, as for any bad input, and 1 for an I/O failure).
 */
public final class SafeTensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsFormatException(String message) {
        super(message);
    }
}
