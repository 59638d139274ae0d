package dev.ember.nn.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress output. On a terminal ({@code System.console().isTerminal()}) a bar redrawn in
 * place with '\r' shows batches done, samples per second, ETA and the running loss, ending in a
 * per-epoch summary line; otherwise only the per-epoch lines are printed; QUIET prints nothing.
 */
public final class Progress {
    public enum Mode { AUTO, BAR, PLAIN, QUIET }

    private final PrintStream out;
    private final Mode mode;
    private int epochs;
    private int epoch;
    private int batches;
    private long start;
    private long lastDraw;

    public Progress(PrintStream out, Mode mode) {
        this.out = out;
        this.mode = mode == Mode.AUTO ? (onTerminal() ? Mode.BAR : Mode.PLAIN) : mode;
    }

    /** Whether standard output is an interactive terminal (since JDK 22 a console exists even when redirected). */
    static boolean onTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    public Mode mode() {
        return mode;
    }

    void startEpoch(int epoch, int epochs, int batches) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        this.start = System.nanoTime();
        this.lastDraw = 0;
    }

    void batch(int done, long samples, double runningLoss) {
        if (mode != Mode.BAR) {
            return;
        }
        long now = System.nanoTime();
        if (done < batches && now - lastDraw < 100_000_000L) {
            return; // redraw at most 10 times a second
        }
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? samples / secs : 0;
        double eta = done > 0 ? secs * (batches - done) / done : 0;
        int width = 24;
        int filled = (int) ((long) width * done / Math.max(1, batches));
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s] %d/%d  %.0f samples/s  ETA %s  loss %.4f ",
                epoch + 1, epochs, bar, done, batches, rate, time(eta), runningLoss));
        out.flush();
    }

    void endEpoch(History.Epoch e) {
        if (mode == Mode.QUIET) {
            return;
        }
        StringBuilder sb = new StringBuilder(mode == Mode.BAR ? "\r\033[K" : "");
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", e.epoch() + 1, epochs, e.loss()));
        if (!Double.isNaN(e.accuracy())) {
            sb.append(String.format(Locale.ROOT, "  acc %.4f", e.accuracy()));
        }
        if (!Double.isNaN(e.valLoss())) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", e.valLoss()));
        }
        if (!Double.isNaN(e.valAccuracy())) {
            sb.append(String.format(Locale.ROOT, "  val_acc %.4f", e.valAccuracy()));
        }
        sb.append(String.format(Locale.ROOT, "  lr %.3g  %.2fs", e.lr(), e.seconds()));
        out.println(sb);
    }

    void message(String line) {
        if (mode != Mode.QUIET) {
            out.println(line);
        }
    }

    private static String time(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format("%d:%02d", t / 60, t % 60);
    }
}
