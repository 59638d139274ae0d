package dev.ember.nn.train;

import dev.ember.nn.Init;
import dev.ember.nn.Sequential;
import dev.ember.nn.SequentialBuilder;
import dev.ember.nn.data.Split;
import dev.ember.nn.loss.Loss;
import dev.ember.nn.optim.LrSchedule;
import dev.ember.nn.optim.Optimizer;
import dev.ember.runtime.Device;

import java.io.PrintStream;

/**
 * One training run from a {@link RunConfig} and a prepared split: builds the model (hidden
 * layers with activation, dropout and optional batch norm after each, then an output layer sized
 * by the loss), the optimizer and the trainer, trains and evaluates on the test part. The caller
 * owns (and closes) the returned model.
 */
public final class Experiment {
    private Experiment() {
    }

    public record Result(Sequential model, Loss loss, History history, Evaluation test) {
    }

    /** Builds the model a config describes for {@code inputs} features and {@code classes} (0 = regression). */
    public static Sequential buildModel(RunConfig c, int inputs, int classes, Device device) {
        String lossName = c.resolvedLoss(classes);
        Loss loss = Loss.parse(lossName);
        int outputs = Task.of(loss) == Task.CLASSIFICATION ? classes : 1;
        SequentialBuilder b = Sequential.builder(inputs).init(Init.parse(c.init()));
        for (int h : c.hidden()) {
            b.dense(h, c.activation());
            if (c.batchNorm()) {
                b.batchNorm();
            }
            if (c.dropout() > 0) {
                b.dropout(c.dropout());
            }
        }
        b.dense(outputs);
        return b.build(device, c.seed());
    }

    public static Result run(RunConfig c, Split split, Device device, Progress.Mode mode, PrintStream out) {
        Loss loss = Loss.parse(c.resolvedLoss(split.train().classes()));
        Sequential model = buildModel(c, split.train().cols(), split.train().classes(), device);
        try (Optimizer opt = Optimizer.create(c.optimizer(), model.parameters(), c.lr(), c.resolvedWeightDecay(),
                c.momentum())) {
            TrainConfig tc = new TrainConfig(c.epochs(), c.batchSize(), c.seed(), c.validation(), 43, c.patience(), true,
                    LrSchedule.parse(c.schedule()), c.clipNorm(), mode);
            Trainer t = new Trainer(model, loss, opt, tc, out);
            History h = t.fit(split.train(), null);
            Evaluation ev = Trainer.evaluate(model, loss, split.test(), 256);
            return new Result(model, loss, h, ev);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
