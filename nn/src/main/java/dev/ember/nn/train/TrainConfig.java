package dev.ember.nn.train;

import dev.ember.nn.optim.LrSchedule;

/**
 * How {@link Trainer} runs: epochs, batch size, seed (shuffling, dropout; the model's own seed sets
 * its initial weights), a validation fraction carved from the training data when no validation
 * set is given (split with the fixed {@code validationSeed}, so {@code seed} does not move it),
 * early-stopping patience on the validation loss (0 = off) with restoring of the best weights,
 * learning-rate schedule, gradient clipping by global norm (0 = off) and progress output.
 *
 * <p>The validation fraction is a seeded random, unstratified draw of {@code ceil(fraction * rows)}
 * rows ({@link dev.ember.nn.data.Splits#random}), not Keras's {@code validation_split}, which takes
 * the last rows as given; pass a validation set (e.g. from a stratified {@code Splits.random}) for
 * either of those. Early stopping follows Keras's {@code EarlyStopping(monitor='val_loss',
 * min_delta=0, patience, restore_best_weights)}: an epoch is better only if its validation loss is
 * strictly lower than the best so far (a tie or NaN is not), training stops after
 * {@code patience} epochs in a row without improvement (so the run is {@code best + patience + 1}
 * epochs long), and with {@code restoreBest} the model ends with the best epoch's weights and
 * buffers whether it stopped early or ran out of epochs (Keras 3; tf.keras 2 restored only on an
 * early stop). Unlike Keras, patience 0 turns early stopping off, and patience without any
 * validation data is refused by {@link Trainer#fit}.
 */
public record TrainConfig(int epochs, int batchSize, long seed, double validationFraction, long validationSeed,
                          int patience, boolean restoreBest, LrSchedule schedule, float clipNorm,
                          Progress.Mode progress) {

    public TrainConfig {
        check(epochs, batchSize, validationFraction, patience, clipNorm);
        if (schedule == null) {
            schedule = LrSchedule.constant();
        }
        if (progress == null) {
            progress = Progress.Mode.AUTO;
        }
    }

    /**
     * The constructor's checks of the values a user chooses, with its messages, for a caller that
     * wants them before it has everything else (the command line, before loading data).
     */
    public static void check(int epochs, int batchSize, double validationFraction, int patience, float clipNorm) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
        }
    }

    /** 10 epochs, batch 32, seed 0, no validation, no early stopping, constant rate, automatic progress. */
    public static TrainConfig defaults() {
        return new TrainConfig(10, 32, 0, 0, 43, 0, true, LrSchedule.constant(), 0f, Progress.Mode.AUTO);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, seed, validationFraction, validationSeed, patience, restoreBest, schedule,
                clipNorm, progress);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(epochs, b, seed, validationFraction, validationSeed, patience, restoreBest, schedule,
                clipNorm, progress);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, s, validationFraction, validationSeed, patience, restoreBest, schedule,
                clipNorm, progress);
    }

    public TrainConfig withValidation(double fraction) {
        return new TrainConfig(epochs, batchSize, seed, fraction, validationSeed, patience, restoreBest, schedule,
                clipNorm, progress);
    }

    public TrainConfig withEarlyStopping(int p, boolean restore) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, validationSeed, p, restore, schedule,
                clipNorm, progress);
    }

    public TrainConfig withSchedule(LrSchedule s) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, validationSeed, patience, restoreBest, s,
                clipNorm, progress);
    }

    public TrainConfig withClipNorm(float c) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, validationSeed, patience, restoreBest, schedule,
                c, progress);
    }

    public TrainConfig withProgress(Progress.Mode m) {
        return new TrainConfig(epochs, batchSize, seed, validationFraction, validationSeed, patience, restoreBest, schedule,
                clipNorm, m);
    }
}
