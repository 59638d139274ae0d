package dev.ember.nn.model;

import dev.ember.nn.Sequential;
import dev.ember.nn.SequentialBuilder;
import dev.ember.nn.data.StandardScaler;
import dev.ember.nn.io.I64Data;
import dev.ember.nn.io.Json;
import dev.ember.nn.io.SafeTensors;
import dev.ember.nn.io.SafeTensorsFile;
import dev.ember.nn.io.TensorData;
import dev.ember.runtime.Device;
import dev.ember.runtime.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Model files in the safetensors format. Tensors carry PyTorch {@code nn.Sequential} state_dict
 * names ("0.weight", "0.bias", "1.running_mean", ...), so the file opens with
 * {@code safetensors.torch.load_file} and loads into the same PyTorch architecture (with strict
 * {@code load_state_dict}: BatchNorm's int64 {@code num_batches_tracked} is saved too), and a
 * PyTorch-written file of this architecture loads here with {@link #loadWeights}. The architecture,
 * loss, names and scalers go into the header metadata as JSON strings under {@code ember.*} keys.
 * Saving is atomic; loading checks every tensor's presence, shape, dtype and finiteness by name,
 * rejects unexpected tensors and metadata that contradicts the model, and never returns a partly
 * loaded model. A file without {@code num_batches_tracked} (written before Ember saved it) still
 * loads, keeping the model's count.
 */
public final class ModelFile {
    public static final String FORMAT = "ember.format";
    public static final String ARCHITECTURE = "ember.architecture";
    public static final String LOSS = "ember.loss";
    public static final String DATA = "ember.data";
    public static final String FEATURE_NAMES = "ember.feature_names";
    public static final String CLASS_NAMES = "ember.class_names";
    public static final String FEATURE_SCALER = "ember.feature_scaler";
    public static final String TARGET_SCALER = "ember.target_scaler";
    /** Optional: the CSV file the model was trained on, its split and columns ({@link TrainingCsv}). */
    public static final String TRAINING_CSV = "ember.training_csv";
    static final String FORMAT_VALUE = "ember-sequential/1";

    private ModelFile() {
    }

    /**
     * Saves {@code m} atomically, waiting for a call on its model in progress on another thread (a
     * whole {@code Trainer.fit}). Non-finite weights and metadata that contradicts the model (a
     * scaler or name list of the wrong width, an unknown loss, bce on more than one output or
     * cross_entropy on one) are refused, as {@link #load} would refuse them.
     */
    public static void save(Path file, SavedModel m) throws IOException {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        Map<String, I64Data> int64s = new LinkedHashMap<>();
        // Under the model's lock, as its own calls: a fit (or a predict) on another thread finishes
        // first, so a checkpoint saved meanwhile holds one step's weights, not a mix of two.
        synchronized (m.model()) {
            if (m.model().isClosed()) {
                throw new IllegalStateException("cannot save " + m.model().describe() + " to " + file
                        + ": the model is closed");
            }
            ModelChecks.metadata(file.toString(), m, true);
            m.model().stateDict().forEach((name, t) -> {
                TensorData data = new TensorData(t.shape(), t.toArray());
                ModelChecks.finite(file.toString(), name, data);
                tensors.put(name, data);
            });
            m.model().counters().forEach((name, c) -> int64s.put(name, I64Data.scalar(c.get())));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT, FORMAT_VALUE);
        meta.put(ARCHITECTURE, Json.write(m.model().spec()));
        meta.put(LOSS, m.loss());
        if (m.dataName() != null) {
            meta.put(DATA, m.dataName());
        }
        meta.put(FEATURE_NAMES, Json.write(m.featureNames()));
        meta.put(CLASS_NAMES, Json.write(m.classNames()));
        if (m.featureScaler() != null) {
            meta.put(FEATURE_SCALER, scalerJson(m.featureScaler()));
        }
        if (m.targetScaler() != null) {
            meta.put(TARGET_SCALER, scalerJson(m.targetScaler()));
        }
        if (m.trainingCsv() != null) {
            meta.put(TRAINING_CSV, m.trainingCsv().toJson());
        }
        SafeTensors.write(file, tensors, int64s, meta);
    }

    /**
     * Reads a model saved by {@link #save}: architecture from the metadata, then every weight
     * checked, then the scalers, names and loss checked against the model.
     */
    @SuppressWarnings("unchecked")
    public static SavedModel load(Path file, Device device) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        String arch = f.metadata().get(ARCHITECTURE);
        if (arch == null) {
            throw new IllegalArgumentException(file + ": no Ember architecture in the metadata (key " + ARCHITECTURE
                    + "); a plain PyTorch file needs the model built in code and ModelFile.loadWeights");
        }
        String format = f.metadata().get(FORMAT);
        if (format != null && !format.equals(FORMAT_VALUE)) {
            throw new IllegalArgumentException(file + ": model format '" + format + "' (metadata " + FORMAT
                    + "), this Ember reads " + FORMAT_VALUE);
        }
        Map<String, Object> spec;
        try {
            Object parsed = Json.parse(arch);
            if (!(parsed instanceof Map)) {
                throw new IllegalArgumentException("expected a JSON object, got " + abbreviate(arch));
            }
            spec = (Map<String, Object>) parsed;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": corrupt architecture metadata: " + e.getMessage(), e);
        }
        Sequential model;
        try {
            long needs = SequentialBuilder.parameterFloats(spec);
            // Elements of any dtype: a file saved in float16 holds its weights, and copyWeights names
            // their dtypes; only an architecture larger than everything in the file is corrupt.
            long holds = f.elementCount();
            if (needs > holds) {
                // before building: a corrupt architecture must not allocate gigabytes first
                throw new IllegalArgumentException("the architecture needs " + needs + " float32 values of weights,"
                        + " the file holds " + holds + " values");
            }
            model = SequentialBuilder.fromSpec(spec, device, 0);
        } catch (IllegalArgumentException e) {
            // The spec's own errors. A device's (out of memory, a closed device) pass as themselves:
            // the file is fine and would load elsewhere.
            throw new IllegalArgumentException(file + ": bad architecture metadata: " + e.getMessage(), e);
        }
        try {
            copyWeights(f, model);
            String loss = f.metadata().get(LOSS);
            if (loss == null) {
                throw new IllegalArgumentException(f.source() + ": metadata has no " + LOSS + " entry (the loss the"
                        + " model was trained with, which decides how its outputs are read)");
            }
            SavedModel s = new SavedModel(model, loss, f.metadata().get(DATA),
                    stringList(f, FEATURE_NAMES), stringList(f, CLASS_NAMES), scaler(f, FEATURE_SCALER),
                    scaler(f, TARGET_SCALER), trainingCsv(f));
            ModelChecks.metadata(f.source(), s, false);
            return s;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /**
     * Loads weights (from Ember or PyTorch) into an existing model of the same architecture. Holds
     * the model's lock while it copies, so a prediction or fit on another thread sees the old
     * weights or the new ones, never a mix.
     */
    public static void loadWeights(Path file, Sequential model) throws IOException {
        SafeTensorsFile f = SafeTensors.read(file);
        synchronized (model) {
            copyWeights(f, model);
        }
    }

    /** Checks every tensor (presence, shape, finite values), then copies: a problem leaves the model untouched. */
    private static void copyWeights(SafeTensorsFile f, Sequential model) {
        Map<String, Tensor> state = model.stateDict();
        List<String> problems = new ArrayList<>();
        Map<String, TensorData> found = new LinkedHashMap<>();
        boolean notF32 = false;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            try {
                found.put(e.getKey(), f.require(e.getKey(), e.getValue().shape()));
            } catch (IllegalArgumentException ex) {
                String m = ex.getMessage().replace(f.source() + ": ", "");
                // a file saved in half precision has every weight so: the advice once, at the end
                notF32 |= m.endsWith(SafeTensorsFile.F32_ONLY);
                problems.add(m.endsWith(SafeTensorsFile.F32_ONLY)
                        ? m.substring(0, m.length() - SafeTensorsFile.F32_ONLY.length()) : m);
            }
        }
        Map<String, AtomicLong> counters = model.counters();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : counters.keySet()) {
            try {
                TensorData asFloat = f.tensors().get(name);
                if (asFloat != null && asFloat.data().length == 1) {
                    // A state dict converted with {k: v.float()} holds the count as float32: take
                    // it when it is still a whole, non-negative number.
                    float v = asFloat.data()[0];
                    if (v >= 0 && v == Math.rint(v) && Float.isFinite(v)) {
                        counts.put(name, (long) v);
                    } else {
                        problems.add("counter '" + name + "' is " + v + " (F32), not a whole count");
                    }
                    continue;
                }
                // Absent (a file from before Ember saved it): kept as is, as PyTorch's BatchNorm does.
                I64Data d = f.int64(name);
                if (d != null && d.data()[0] < 0) {
                    problems.add("counter '" + name + "' is " + d.data()[0] + ", a count cannot be negative");
                } else if (d != null) {
                    counts.put(name, d.data()[0]);
                }
            } catch (IllegalArgumentException ex) {
                problems.add(ex.getMessage().replace(f.source() + ": ", ""));
            }
        }
        Set<String> known = new LinkedHashSet<>(state.keySet());
        known.addAll(counters.keySet());
        Set<String> extra = new TreeSet<>();
        Set<String> inFile = new LinkedHashSet<>(f.tensors().keySet());
        inFile.addAll(f.otherDtypes().keySet());
        inFile.addAll(f.int64s().keySet());
        for (String name : inFile) {
            if (!known.contains(name)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            problems.add("unexpected tensors " + extra + " (the model has " + known + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(f.source() + " does not match the model: " + String.join("; ", problems)
                    + (notF32 ? SafeTensorsFile.F32_ONLY : ""));
        }
        found.forEach((name, data) -> ModelChecks.finite(f.source(), name, data));
        found.forEach((name, data) -> state.get(name).copyFrom(data.data()));
        counts.forEach((name, n) -> counters.get(name).set(n));
    }

    private static String scalerJson(StandardScaler s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", s.meanDouble());
        m.put("std", s.stdDouble());
        return Json.write(m);
    }

    @SuppressWarnings("unchecked")
    private static StandardScaler scaler(SafeTensorsFile f, String key) {
        String v = f.metadata().get(key);
        if (v == null) {
            return null;
        }
        try {
            if (!(Json.parse(v) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("expected a JSON object with 'mean' and 'std', got " + abbreviate(v));
            }
            return StandardScaler.ofDouble(doubles(m.get("mean"), "mean"), doubles(m.get("std"), "std"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f.source() + ": corrupt " + key + " metadata: " + e.getMessage(), e);
        }
    }

    /** The optional {@link #TRAINING_CSV} entry: null when absent (a file written before it, or from code). */
    private static TrainingCsv trainingCsv(SafeTensorsFile f) {
        String v = f.metadata().get(TRAINING_CSV);
        if (v == null) {
            return null;
        }
        try {
            return TrainingCsv.fromJson(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f.source() + ": corrupt " + TRAINING_CSV + " metadata: " + e.getMessage(),
                    e);
        }
    }

    private static double[] doubles(Object value, String name) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException("'" + name + "' must be a list of numbers, got " + value);
        }
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            if (!(l.get(i) instanceof Number n)) {
                throw new IllegalArgumentException("'" + name + "' element " + i + " is " + l.get(i) + ", not a number");
            }
            d[i] = n.doubleValue();
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private static List<String> stringList(SafeTensorsFile f, String key) {
        String v = f.metadata().get(key);
        if (v == null) {
            return List.of();
        }
        try {
            if (!(Json.parse(v) instanceof List<?> list)) {
                throw new IllegalArgumentException("expected a JSON list of strings, got " + abbreviate(v));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String str)) {
                    throw new IllegalArgumentException("element " + i + " is " + list.get(i) + ", not a string");
                }
                out.add(str);
            }
            return out;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f.source() + ": corrupt " + key + " metadata: " + e.getMessage(), e);
        }
    }
}
