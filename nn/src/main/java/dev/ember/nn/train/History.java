package dev.ember.nn.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-epoch record of a training run: loss and accuracy on the training batches (accuracy NaN for
 * regression), validation loss and accuracy (NaN without validation), learning rate and seconds.
 * The training loss is the mean over the epoch's samples, {@code sum(batchLoss * batchRows) / rows},
 * of each batch's loss as computed before that batch's step (training mode: dropout on, so it
 * differs from a loss evaluated after the epoch, as Keras's and the usual PyTorch loop's does); it
 * is not the mean of the batch means, which would over-weight a partial last batch. Training
 * accuracy is counted the same way; validation loss and accuracy are over all validation rows
 * in evaluation mode after the epoch. {@code lr} is the rate used for all of the epoch's steps.
 * {@code bestEpoch} is the epoch whose weights the model holds after early stopping restored them
 * (-1 when nothing was restored, including runs with {@code restoreBest} off); {@code stoppedEarly}
 * says whether patience ran out.
 */
public final class History {
    public record Epoch(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double lr,
                        double seconds) {
    }

    private final List<Epoch> epochs = new ArrayList<>();
    int bestEpoch = -1;
    boolean stoppedEarly;
    long samples;
    double seconds;

    void add(Epoch e) {
        epochs.add(e);
    }

    public List<Epoch> epochs() {
        return List.copyOf(epochs);
    }

    public Epoch last() {
        return epochs.get(epochs.size() - 1);
    }

    /**
     * The epoch whose weights early stopping restored, or -1: counted from 0 like
     * {@link Epoch#epoch()} and Keras's {@code history.epoch}, so it is also its index in
     * {@link #epochs()}; the console and history.csv number epochs from 1, one more.
     */
    public int bestEpoch() {
        return bestEpoch;
    }

    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** Training samples processed (over all epochs). */
    public long samples() {
        return samples;
    }

    /** Wall-clock seconds of training, validation included. */
    public double seconds() {
        return seconds;
    }

    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : 0;
    }

    /** One series per quantity, for plots. */
    public double[] series(String name) {
        double[] s = new double[epochs.size()];
        for (int i = 0; i < s.length; i++) {
            Epoch e = epochs.get(i);
            s[i] = switch (name) {
                case "loss" -> e.loss;
                case "accuracy" -> e.accuracy;
                case "val_loss" -> e.valLoss;
                case "val_accuracy" -> e.valAccuracy;
                case "lr" -> e.lr;
                default -> throw new IllegalArgumentException("unknown series " + name);
            };
        }
        return s;
    }

    /**
     * CSV with header epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds (empty cells for NaN).
     * Epochs count from 1 here, as on the console, in the plots and in {@code best_epoch}.
     */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n");
        for (Epoch e : epochs) {
            sb.append(e.epoch + 1).append(',').append(num(e.loss)).append(',').append(num(e.accuracy)).append(',')
                    .append(num(e.valLoss)).append(',').append(num(e.valAccuracy)).append(',').append(num(e.lr))
                    .append(',').append(String.format(Locale.ROOT, "%.4f", e.seconds)).append('\n');
        }
        return sb.toString();
    }

    public void writeCsv(Path file) throws IOException {
        Files.writeString(file, toCsv());
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
