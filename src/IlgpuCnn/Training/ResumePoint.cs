using System.Globalization;
using System.Text.Json;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>
/// The one resume rule (docs/CONTRACT.md, "--resume"). <see cref="Read"/> reads a training
/// checkpoint's header once: width, training state, and the options its run was written with.
/// <see cref="Apply"/> gives the resumed run's options: seed, width, batch size, validation split
/// and row limits stay the checkpoint's (a request for another value is refused); epochs, learning
/// rate, weight decay, augmentation, data folder and device may change. <see cref="Restore"/> puts
/// weights, moments and state into a trainer and sets its learning rate and stop flag: the
/// checkpoint's current rate, or the requested initial rate when it differs from the checkpoint's.
/// </summary>
public sealed class ResumePoint
{
    private ResumePoint(string path, double width, TrainingState state, RunOptions? saved)
    {
        Path = path;
        Width = width;
        State = state;
        Saved = saved;
    }

    public string Path { get; }

    /// <summary>The model width in the checkpoint's metadata.</summary>
    public double Width { get; }

    /// <summary>Where the run stopped (not yet checked against a trainer: <see cref="Restore"/> does).</summary>
    public TrainingState State { get; }

    /// <summary>The options the checkpoint's run was written with (null for a checkpoint that holds none).</summary>
    public RunOptions? Saved { get; }

    /// <summary>Reads the header of <paramref name="path"/>: a <see cref="UserError"/> when it is not a resumable checkpoint.</summary>
    public static ResumePoint Read(string path)
    {
        Checkpoint.RequireFile(path);
        var metadata = SafeTensors.ReadHeader(path).Metadata;
        double width = Checkpoint.ReadWidth(path, metadata);
        if (!metadata.TryGetValue(Checkpoint.StateKey, out var json))
        {
            throw new UserError($"'{path}' holds model weights but no training state, so it cannot be resumed; use the run's checkpoint.safetensors.");
        }

        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(json, RunConfig.Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new UserError($"The training state in '{path}' is not valid JSON ({e.Message}); the checkpoint is damaged, use another one.", e);
        }

        var saved = metadata.TryGetValue(Checkpoint.OptionsKey, out var options) ? RunConfig.Deserialize(options, path) : null;
        try
        {
            saved?.Validate();
        }
        catch (OptionException e)
        {
            // Options the user never passed: name the file, not a flag.
            throw new UserError($"The options saved in '{path}' are not valid ({e.Sentence.TrimEnd('.')}); the checkpoint is damaged, use another one.", e);
        }

        return new ResumePoint(path, width, state, saved);
    }

    /// <summary>
    /// The resumed run's options from <paramref name="requested"/>. <paramref name="given"/> names the
    /// options the caller set (property names: <c>Seed</c>, <c>LearningRate</c>, <c>Directory</c>, ...);
    /// null means every option of <paramref name="requested"/> is meant. A fixed option given with
    /// another value than the checkpoint's throws an <see cref="OptionException"/>.
    /// </summary>
    public RunOptions Apply(RunOptions requested, IReadOnlySet<string>? given = null)
    {
        bool Given(string name) => given is null || given.Contains(name);
        var saved = Saved ?? requested with { Training = requested.Training with { Width = Width } };
        var (r, t) = (requested.Training, saved.Training);
        Same(Given(nameof(t.Seed)), nameof(t.Seed), r.Seed, t.Seed, "seed");
        Same(Given(nameof(t.Width)), nameof(t.Width), r.Width, Width, "width");
        Same(Given(nameof(t.BatchSize)), nameof(t.BatchSize), r.BatchSize, t.BatchSize, "batch size");
        Same(Given(nameof(t.ValidationSplit)), nameof(t.ValidationSplit), r.ValidationSplit, t.ValidationSplit, "validation split");
        Same(Given(nameof(DataOptions.TrainLimit)), nameof(DataOptions.TrainLimit), requested.Data.TrainLimit, saved.Data.TrainLimit, "training-row limit");
        Same(Given(nameof(DataOptions.TestLimit)), nameof(DataOptions.TestLimit), requested.Data.TestLimit, saved.Data.TestLimit, "test-row limit");
        var optimizer = t.Optimizer with
        {
            LearningRate = Given(nameof(AdamWOptions.LearningRate)) ? r.Optimizer.LearningRate : t.Optimizer.LearningRate,
            WeightDecay = Given(nameof(AdamWOptions.WeightDecay)) ? r.Optimizer.WeightDecay : t.Optimizer.WeightDecay,
        };
        return requested with
        {
            Training = t with { Width = Width, Epochs = Given(nameof(t.Epochs)) ? r.Epochs : t.Epochs, Augment = Given(nameof(t.Augment)) ? r.Augment : t.Augment, Optimizer = optimizer },
            Callbacks = saved.Callbacks,
            Data = saved.Data with { Directory = Given(nameof(DataOptions.Directory)) ? requested.Data.Directory : saved.Data.Directory },
            Device = Given(nameof(RunOptions.Device)) ? requested.Device : saved.Device,
        };
    }

    /// <summary>
    /// Restores weights, moments, callback state, position, learning rate and stop flag into
    /// <paramref name="trainer"/> (built with <see cref="Apply"/>'s options); the state's values and
    /// the tensors' names and shapes are checked before any tensor data is read.
    /// </summary>
    public void Restore(Trainer trainer)
    {
        if (Math.Abs(Width - trainer.Model.Width) > 1e-9)
        {
            string w = Width.ToString(CultureInfo.InvariantCulture);
            throw new UserError($"Checkpoint '{Path}' is for a model of width {w}, but this model's width is {trainer.Model.Width.ToString(CultureInfo.InvariantCulture)}; build the model with width {w} to resume it.");
        }

        State.Validate(Path, trainer.StepsPerEpoch);
        var best = Checkpoint.LoadTrainingTensors(Path, trainer);
        trainer.SetState(State with { LearningRate = LearningRateFor(trainer.Options) }, best);
    }

    /// <summary>The rate the resumed run continues with: the checkpoint's current one, unless the initial rate was changed.</summary>
    public double LearningRateFor(TrainingOptions options) =>
        Saved is { } s && options.Optimizer.LearningRate != s.Training.Optimizer.LearningRate ? options.Optimizer.LearningRate : State.LearningRate;

    private static void Same<T>(bool given, string option, T requested, T saved, string what)
    {
        if (given && !EqualityComparer<T>.Default.Equals(requested, saved))
        {
            throw new OptionException(option, $"The requested {what} {Show(requested)} conflicts with the checkpoint's {what} {Show(saved)}; a resumed run keeps its {what}, so leave the option out to resume with {Show(saved)}, or start a new run instead of resuming.");
        }
    }

    private static string Show<T>(T value) => value switch
    {
        null => "(none)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
