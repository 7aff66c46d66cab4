using System.CommandLine;
using IlgpuCnn.Training;

namespace IlgpuCnn.Cli.Commands;

/// <summary>
/// The flags of <c>ilgpucnn train</c>, their defaults taken from a default <see cref="RunOptions"/>,
/// read back into one, and which of them the user gave (a resumed run keeps the checkpoint's others: <see cref="ResumePoint"/>).
/// </summary>
internal sealed class TrainFlags
{
    private static readonly RunOptions Defaults = new();
    private readonly Option<string?> _data = SharedOptions.Data();
    private readonly Option<string?> _output = new("--out") { Description = "Run folder for every output (default: runs/<UTC timestamp>)." };
    private readonly Option<string> _device = SharedOptions.Device();
    private readonly Option<int> _epochs = new("--epochs") { Description = "Maximum epochs (EarlyStopping may stop sooner).", DefaultValueFactory = _ => Defaults.Training.Epochs };
    private readonly Option<int> _batch = new("--batch-size") { Description = "Images per training step.", DefaultValueFactory = _ => Defaults.Training.BatchSize };
    private readonly Option<double> _lr = new("--lr") { Description = "Initial AdamW learning rate (ReduceLROnPlateau halves it on plateaus).", DefaultValueFactory = _ => Defaults.Training.Optimizer.LearningRate };
    private readonly Option<double> _wd = new("--weight-decay") { Description = "AdamW decoupled weight decay, applied to every trainable variable.", DefaultValueFactory = _ => Defaults.Training.Optimizer.WeightDecay };
    private readonly Option<double> _split = new("--validation-split") { Description = "Fraction of the training rows held out for validation (the LAST rows, before shuffling).", DefaultValueFactory = _ => Defaults.Training.ValidationSplit };
    private readonly Option<uint> _seed = new("--seed") { Description = "One seed for initialisation, shuffling, augmentation and dropout.", DefaultValueFactory = _ => Defaults.Training.Seed };
    private readonly Option<double> _width = new("--width") { Description = "Multiplies every filter/unit count (1.0 = the tutorial's 1,245,482 parameters; smaller for quick runs).", DefaultValueFactory = _ => Defaults.Training.Width };
    private readonly Option<int?> _trainLimit = new("--train-limit") { Description = "Use only the first N training rows (before the validation split), for quick runs." };
    private readonly Option<int?> _testLimit = new("--test-limit") { Description = "Use only the first N test rows, for quick runs." };
    private readonly Option<bool> _noAugment = new("--no-augment") { Description = "Train without random flip/rotation/zoom." };
    private readonly Option<double?> _maxMinutes = new("--max-minutes") { Description = "Stop after the epoch in which this many minutes of the run have passed, then evaluate and write every run file (the checkpoint resumes with the next epoch)." };
    private readonly Option<bool> _noSelfTest = new("--no-selftest") { Description = "On CUDA, skip the quick self-test (kernels vs the CPU reference, about a second) that runs before the first epoch." };
    private readonly Option<bool> _overwrite = new("--overwrite") { Description = "Replace an earlier run in the --out folder (without it such a folder is refused)." };
    private readonly Option<string?> _resume = new("--resume") { Description = "Continue the run saved in this checkpoint.safetensors (weights, optimizer, lr, callbacks, position, options); --seed, --width, --batch-size, --validation-split and the limits stay the checkpoint's." };

    /// <summary>Flag of each options property, for <see cref="OptionException"/>s.</summary>
    public static IReadOnlyDictionary<string, string> FlagOf { get; } = new Dictionary<string, string>
    {
        [nameof(TrainingOptions.Epochs)] = "--epochs",
        [nameof(TrainingOptions.BatchSize)] = "--batch-size",
        [nameof(TrainingOptions.ValidationSplit)] = "--validation-split",
        [nameof(TrainingOptions.Width)] = "--width",
        [nameof(TrainingOptions.Seed)] = "--seed",
        [nameof(AdamWOptions.LearningRate)] = "--lr",
        [nameof(AdamWOptions.WeightDecay)] = "--weight-decay",
        [nameof(DataOptions.TrainLimit)] = "--train-limit",
        [nameof(DataOptions.TestLimit)] = "--test-limit",
    };

    public void AddTo(Command cmd)
    {
        Option[] all = [_data, _output, _device, _epochs, _batch, _lr, _wd, _split, _seed, _width, _trainLimit, _testLimit, _noAugment, _resume, _maxMinutes, _noSelfTest, _overwrite];
        foreach (var option in all)
        {
            cmd.Options.Add(option);
        }
    }

    /// <summary>The options the flags ask for (defaults where a flag is absent).</summary>
    public RunOptions Read(ParseResult parse) => new()
    {
        Device = SharedOptions.DeviceKindOf(parse.GetValue(_device)!),
        OutputDirectory = parse.GetValue(_output),
        Resume = parse.GetValue(_resume),
        MaxMinutes = parse.GetValue(_maxMinutes),
        Overwrite = parse.GetValue(_overwrite),
        Data = new DataOptions { Directory = parse.GetValue(_data), TrainLimit = parse.GetValue(_trainLimit), TestLimit = parse.GetValue(_testLimit) },
        Training = new TrainingOptions
        {
            Epochs = parse.GetValue(_epochs),
            BatchSize = parse.GetValue(_batch),
            ValidationSplit = parse.GetValue(_split),
            Seed = parse.GetValue(_seed),
            Width = parse.GetValue(_width),
            Augment = !parse.GetValue(_noAugment),
            Optimizer = new AdamWOptions { LearningRate = parse.GetValue(_lr), WeightDecay = parse.GetValue(_wd) },
        },
    };

    /// <summary>The options the user gave on the command line, by property name, for <see cref="ResumePoint.Apply"/>.</summary>
    public IReadOnlySet<string> Given(ParseResult parse)
    {
        var byOption = new (Option Flag, string Name)[]
        {
            (_epochs, nameof(TrainingOptions.Epochs)), (_batch, nameof(TrainingOptions.BatchSize)), (_lr, nameof(AdamWOptions.LearningRate)),
            (_wd, nameof(AdamWOptions.WeightDecay)), (_split, nameof(TrainingOptions.ValidationSplit)), (_seed, nameof(TrainingOptions.Seed)),
            (_width, nameof(TrainingOptions.Width)), (_trainLimit, nameof(DataOptions.TrainLimit)), (_testLimit, nameof(DataOptions.TestLimit)),
            (_noAugment, nameof(TrainingOptions.Augment)), (_data, nameof(DataOptions.Directory)), (_device, nameof(RunOptions.Device)),
        };
        return byOption.Where(o => parse.GetResult(o.Flag) is { Implicit: false }).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>--no-selftest: not an option of the run (it changes nothing trained), so not in <see cref="RunOptions"/>.</summary>
    public bool NoSelfTest(ParseResult parse) => parse.GetValue(_noSelfTest);
}
