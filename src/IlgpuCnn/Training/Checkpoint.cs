using System.Globalization;
using System.Text.Json;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>
/// Safetensors checkpoints (readable by PyTorch and Hugging Face tools). A model file holds every
/// parameter by name (<c>block1.conv1.kernel</c> [Co, Ci, 3, 3], <c>head.dense1.kernel</c>
/// [in, out], BN <c>moving_mean</c>/<c>moving_variance</c>, ...) and the architecture and width in
/// <c>__metadata__</c>. A training checkpoint adds the AdamW moments (<c>optimizer.m</c>,
/// <c>optimizer.v</c>, flat in parameter order), EarlyStopping's best weights, and the
/// <see cref="TrainingState"/> and the run's options (<see cref="RunConfig"/>) as snake_case JSON.
/// All writes are atomic (temp file, then rename).
/// </summary>
public static class Checkpoint
{
    public const string ArchitectureKey = "architecture";
    public const string WidthKey = "width";
    public const string ClassesKey = "classes";
    public const string StateKey = "training_state";
    public const string OptionsKey = "run_options";
    public const string MomentsM = "optimizer.m";
    public const string MomentsV = "optimizer.v";
    public const string BestWeights = "early_stopping.best_weights";

    /// <summary>Writes the model's parameters.</summary>
    public static void SaveModel(string path, VggModel model) => SafeTensors.Write(path, ModelTensors(model), ModelMetadata(model));

    /// <summary>Writes everything a resumed run needs, and the run's options when given.</summary>
    public static void SaveTraining(string path, Trainer trainer, RunOptions? run = null)
    {
        var model = trainer.Model;
        var store = model.Store;
        var tensors = ModelTensors(model);
        long n = store.TrainableCount;
        var m = new float[n];
        var v = new float[n];
        store.FirstMoments.SubView(0, n).CopyToCPU(m);
        store.SecondMoments.SubView(0, n).CopyToCPU(v);
        tensors.Add(NamedTensor.F32(MomentsM, [n], m));
        tensors.Add(NamedTensor.F32(MomentsV, [n], v));
        if (trainer.EarlyStopping.BestWeights is { } best)
        {
            tensors.Add(NamedTensor.F32(BestWeights, [best.LongLength], best));
        }

        var meta = ModelMetadata(model);
        meta[StateKey] = JsonSerializer.Serialize(trainer.GetState(), RunConfig.Json);
        if (run is not null)
        {
            meta[OptionsKey] = RunConfig.Serialize(run);
        }

        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>
    /// Reads a model file (or a training checkpoint) into a new model on <paramref name="device"/>.
    /// The header is checked first (architecture, width, every tensor's name, dtype and shape), so
    /// a crafted file is refused before its data is read.
    /// </summary>
    public static VggModel LoadModel(string path, ComputeDevice device)
    {
        RequireFile(path);
        VggModel? model = null;
        try
        {
            var content = SafeTensors.Read(path, header =>
            {
                double width = ReadWidth(path, header.Metadata);
                model = VggModel.Create(device, width);
                CheckTensors(path, header, model.Store);
            });
            LoadParameters(path, content, model!);
            return model!;
        }
        catch
        {
            model?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads the weights and AdamW moments of a training checkpoint into <paramref name="trainer"/>'s
    /// model (tensor names, dtypes and shapes checked before any data is read) and returns
    /// EarlyStopping's best weights (null when none); <see cref="ResumePoint.Restore"/> calls it.
    /// </summary>
    internal static float[]? LoadTrainingTensors(string path, Trainer trainer)
    {
        var store = trainer.Model.Store;
        var content = SafeTensors.Read(path, header => CheckTensors(path, header, store));
        LoadParameters(path, content, trainer.Model);
        long n = store.TrainableCount;
        var m = Flat(path, content, MomentsM, n);
        var v = Flat(path, content, MomentsV, n);
        store.FirstMoments.SubView(0, n).CopyFromCPU(m);
        store.SecondMoments.SubView(0, n).CopyFromCPU(v);
        return content.Find(BestWeights) is null ? null : Flat(path, content, BestWeights, store.TotalCount);
    }

    /// <summary>Every tensor in the header must be one this model reads, with its dtype and shape: anything else is refused before the data is read.</summary>
    private static void CheckTensors(string path, SafeTensorsHeader header, ParameterStore store)
    {
        var expected = store.All.ToDictionary(p => p.Name, p => p.Dims.Select(d => (long)d).ToArray(), StringComparer.Ordinal);
        expected[MomentsM] = [store.TrainableCount];
        expected[MomentsV] = [store.TrainableCount];
        expected[BestWeights] = [store.TotalCount];
        foreach (var t in header.Tensors)
        {
            if (!expected.TryGetValue(t.Name, out var dims))
            {
                throw new UserError($"Checkpoint '{path}' holds a tensor '{t.Name}' that is no part of this model ({t.DType} [{string.Join(", ", t.Shape)}]); use a model.safetensors or checkpoint.safetensors written by 'ilgpucnn train'.");
            }

            if (t.DType != SafeTensorsDType.F32)
            {
                throw new UserError($"Tensor '{t.Name}' in '{path}' is {t.DType}, expected F32; use a checkpoint written by 'ilgpucnn train'.");
            }

            if (!t.Shape.SequenceEqual(dims))
            {
                throw new UserError($"Tensor '{t.Name}' in '{path}' has shape [{string.Join(", ", t.Shape)}] but the model expects [{string.Join(", ", dims)}]; the checkpoint is of another architecture or width.");
            }
        }
    }

    private static List<NamedTensor> ModelTensors(VggModel model)
    {
        var values = model.Store.Download();
        var list = new List<NamedTensor>();
        foreach (var p in model.Store.All)
        {
            long start = model.Store.FlatOffset(p);
            list.Add(NamedTensor.F32(p.Name, p.Dims.Select(d => (long)d).ToArray(), values.AsSpan((int)start, p.Count)));
        }

        return list;
    }

    private static Dictionary<string, string> ModelMetadata(VggModel model) => new()
    {
        [ArchitectureKey] = VggModel.Architecture,
        [WidthKey] = model.Width.ToString("R", CultureInfo.InvariantCulture),
        [ClassesKey] = model.Classes.ToString(CultureInfo.InvariantCulture),
        ["format"] = "ilgpucnn-1; layout NCHW; conv kernels [out, in, kh, kw]; dense kernels [in, out]",
    };

    /// <summary>Throws a <see cref="UserError"/> unless <paramref name="path"/> is an existing regular file (checked before any work).</summary>
    public static void RequireFile(string path)
    {
        BoundedFile.RequireExisting(path, "pass the path of a .safetensors file written by 'ilgpucnn train'");
    }

    internal static double ReadWidth(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ArchitectureKey, out var arch) || arch != VggModel.Architecture)
        {
            throw new UserError($"'{path}' is not an IlgpuCnn {VggModel.Architecture} checkpoint (its architecture is '{arch ?? "unknown"}'); pass a model.safetensors or checkpoint.safetensors written by 'ilgpucnn train'.");
        }

        if (!metadata.TryGetValue(WidthKey, out var w) || !double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out double width) || !(width > 0 && width <= TrainingOptions.MaxWidth))
        {
            throw new UserError($"'{path}' has no valid width in its metadata; the checkpoint is damaged, use another one.");
        }

        return width;
    }

    private static void LoadParameters(string path, SafeTensorsContent content, VggModel model)
    {
        var store = model.Store;
        var values = new float[store.TotalCount];
        foreach (var p in store.All)
        {
            var t = content.Find(p.Name) ?? throw new UserError($"Checkpoint '{path}' has no tensor '{p.Name}'; it was written for another architecture, use a checkpoint of this model.");
            if (!t.Shape.SequenceEqual(p.Dims.Select(d => (long)d)))
            {
                throw new UserError($"Tensor '{p.Name}' in '{path}' has shape [{string.Join(", ", t.Shape)}] but the model expects [{string.Join(", ", p.Dims)}]; the checkpoint is of another architecture or width.");
            }

            if (t.DType != SafeTensorsDType.F32)
            {
                throw new UserError($"Tensor '{p.Name}' in '{path}' is {t.DType}, expected F32; use a checkpoint written by 'ilgpucnn train'.");
            }

            long start = store.FlatOffset(p);
            var floats = t.ToFloats();
            RequireFinite(path, p.Name, floats);
            floats.CopyTo(values, start);
        }

        store.Upload(values);
    }

    /// <summary>NaN/∞ weights (a diverged run) would give NaN probabilities for every image: refuse them.</summary>
    private static void RequireFinite(string path, string name, float[] values)
    {
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            throw new UserError($"Tensor '{name}' in '{path}' holds a non-finite value ({values[bad].ToString(CultureInfo.InvariantCulture)} at index {bad}): the run that wrote it diverged; use the checkpoint of an earlier epoch or train again with a lower --lr.");
        }
    }

    private static float[] Flat(string path, SafeTensorsContent content, string name, long count)
    {
        var t = content.Find(name) ?? throw new UserError($"Checkpoint '{path}' has no tensor '{name}'; it cannot be resumed, use the run's checkpoint.safetensors.");
        if (t.Count != count || t.DType != SafeTensorsDType.F32)
        {
            throw new UserError($"Tensor '{name}' in '{path}' has {t.Count} {t.DType} values but {count} F32 values are expected; the checkpoint is of another architecture or width.");
        }

        var values = t.ToFloats();
        RequireFinite(path, name, values);
        return values;
    }
}
