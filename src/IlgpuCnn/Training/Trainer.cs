using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;
using IlgpuCnn.Training.Callbacks;

namespace IlgpuCnn.Training;

/// <summary>
/// Keras' <c>fit</c> for the recipe. Each epoch: reshuffle the training part, and per batch
/// (<see cref="TrainingOptions.BatchSize"/>) gather → augment → forward → loss → backward → AdamW,
/// all on the device; then validate in inference mode and run the callbacks (EarlyStopping,
/// ReduceLROnPlateau, History, and any the caller adds). Buffers are allocated here once; a step
/// allocates nothing and synchronises only when the progress bar asks for the running metrics
/// (a few times a second).
/// </summary>
public sealed class Trainer : ITrainingControl, IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly VggModel _model;
    private readonly TrainingOptions _options;
    private readonly DataSplit _split;
    private readonly DeviceDataset _data;
    private readonly EpochShuffler _shuffler;
    private readonly int[] _validationOrder;
    private readonly Tensor _raw;
    private readonly Tensor _input;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly Augmentation _augmentation;
    private readonly GradientTape _tape;
    private readonly AdamW _optimizer;
    private readonly List<ICallback> _callbacks;
    private Resumption? _resume;
    private int _orderEpoch = -1; // the epoch whose shuffled order is on the device (-1: none)

    public Trainer(ComputeDevice device, VggModel model, TrainingOptions options, CifarDataset trainRows, IEnumerable<ICallback>? extraCallbacks = null, CallbackOptions? callbacks = null)
    {
        options.Validate();
        callbacks ??= new CallbackOptions();
        _model = model;
        _options = options;
        _split = DataSplit.Create(trainRows.Count, options.ValidationSplit);
        _data = new DeviceDataset(device, trainRows);
        _shuffler = new EpochShuffler(options.Seed, _split.TrainCount);
        _validationOrder = _split.ValidationIndices();
        _raw = Tensor.Allocate(device, VggModel.InputShape(options.BatchSize), false, "batch.raw");
        _input = Tensor.Allocate(device, VggModel.InputShape(options.BatchSize), false, "batch.input");
        _labels = device.Accelerator.Allocate1D<int>(options.BatchSize);
        _augmentation = Augmentation.For(device);
        _tape = new GradientTape(device);
        _optimizer = new AdamW(device, model.Store, options.Optimizer);
        EarlyStopping = new EarlyStopping(callbacks.EarlyStopping);
        ReduceLr = new ReduceLROnPlateau(callbacks.ReduceLr);
        _callbacks = [EarlyStopping, ReduceLr, History, .. extraCallbacks ?? []];
        LearningRate = options.Optimizer.LearningRate;
    }

    public TrainingOptions Options => _options;

    public VggModel Model => _model;

    public AdamW Optimizer => _optimizer;

    public History History { get; } = new();

    public EarlyStopping EarlyStopping { get; }

    public ReduceLROnPlateau ReduceLr { get; }

    public DataSplit Split => _split;

    public int StepsPerEpoch => DeviceDataset.BatchCount(_split.TrainCount, _options.BatchSize);

    public double LearningRate { get; set; }

    public bool StopTraining { get; set; }

    /// <summary>Epochs completed so far (also after a resume); the next epoch to run.</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Batches done in the epoch in progress (non-zero only after an interruption); the next batch to run.</summary>
    public int BatchesDoneInEpoch { get; private set; }

    public float[] CaptureWeights() => _model.Store.Download();

    public void RestoreWeights(float[] weights) => _model.Store.Upload(weights);

    public void SaveCheckpoint(string path, RunOptions? run) => Checkpoint.SaveTraining(path, this, run);

    /// <summary>
    /// Trains until the epoch budget is spent, EarlyStopping stops, or <paramref name="cancel"/> fires
    /// (then the step in flight finishes). A NaN/∞ loss throws <see cref="TrainingDivergedException"/>
    /// (see <see cref="NonFiniteGuard"/>) before any callback or checkpoint sees the bad epoch.
    /// </summary>
    public FitResult Fit(ITrainingReporter? reporter = null, CancellationToken cancel = default)
    {
        reporter ??= SilentReporter.Instance;
        BeginTraining();
        var seconds = new List<double>();
        for (int epoch = EpochsCompleted; epoch < _options.Epochs && !StopTraining; epoch++)
        {
            var run = new EpochRun(epoch, BatchesDoneInEpoch, reporter);
            if (cancel.IsCancellationRequested || !RunEpoch(run, cancel))
            {
                return new FitResult(History, EpochsCompleted, 0, true, Mean(seconds));
            }

            var logs = Validate(run);
            seconds.Add(run.Clock.Elapsed.TotalSeconds);
            EndEpoch(run, logs);
        }

        int bestEpoch = EndTraining(reporter);
        return new FitResult(History, EpochsCompleted, bestEpoch, false, Mean(seconds));
    }

    /// <summary>
    /// One step of the recipe: gather the batch, augment it, forward, loss, backward, AdamW.
    /// </summary>
    public void TrainStep(int epoch, int batch)
    {
        if (batch < 0 || batch >= StepsPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} is outside the epoch's {StepsPerEpoch} batches");
        }

        UseEpochOrder(epoch);
        int first = batch * _options.BatchSize;
        int count = Math.Min(_options.BatchSize, _split.TrainCount - first);
        var input = _options.Augment ? _input : _raw;
        input.EnsureShape(VggModel.InputShape(count));
        _raw.EnsureShape(VggModel.InputShape(count));
        _data.Gather(first, count, _raw.View, _labels.View);
        if (_options.Augment)
        {
            _augmentation.Apply(_raw.View, _input.View, count, _options.Seed, epoch, batch);
        }

        _tape.Begin(ForwardPass.Training(_options.Seed, _optimizer.Iterations));
        var loss = _model.ForwardLoss(input, _labels.View, _tape);
        _tape.Backward(loss); // gradients are zero: the previous AdamW step consumed them
        _optimizer.Step();
    }

    /// <summary>The resumable state (tensors are saved separately by <see cref="Checkpoint"/>).</summary>
    public TrainingState GetState()
    {
        var (lossSum, correct) = BatchesDoneInEpoch > 0 ? _model.Loss.ReadMetrics() : (0, 0);
        return new TrainingState
        {
            EpochsCompleted = EpochsCompleted,
            BatchesDoneInEpoch = BatchesDoneInEpoch,
            Iterations = _optimizer.Iterations,
            LearningRate = LearningRate,
            LossSum = lossSum,
            CorrectSum = correct,
            EarlyStopping = EarlyStopping.GetState(),
            ReduceLr = ReduceLr.GetState(),
            History = History.Names.ToDictionary(n => n, n => History[n].ToList()),
            StopTraining = StopTraining,
        };
    }

    /// <summary>
    /// Continues from a saved state (<see cref="ResumePoint.Restore"/>): position, learning rate and
    /// stop flag are set here, once; the callbacks get their part when the next <see cref="Fit"/> begins.
    /// </summary>
    public void SetState(TrainingState state, float[]? bestWeights)
    {
        EpochsCompleted = state.EpochsCompleted;
        BatchesDoneInEpoch = state.BatchesDoneInEpoch;
        _optimizer.Iterations = state.Iterations;
        LearningRate = state.LearningRate;
        StopTraining = state.StopTraining;
        if (state.BatchesDoneInEpoch > 0)
        {
            _model.Loss.SetMetrics(state.LossSum, state.CorrectSum);
        }

        // The callbacks take their part after OnTrainBegin has reset them (Fit → BeginTraining).
        _resume = new Resumption(state, bestWeights);
    }

    public void Dispose()
    {
        _labels.Dispose();
        _input.Dispose();
        _raw.Dispose();
        _data.Dispose();
    }

    private static double Mean(List<double> values) => values.Count > 0 ? values.Average() : 0;

    /// <summary>OnTrainBegin for every callback, then the counters of a resumed run put back.</summary>
    private void BeginTraining()
    {
        foreach (var cb in _callbacks)
        {
            cb.OnTrainBegin(this);
        }

        if (_resume is { State: var state, BestWeights: var best })
        {
            History.Restore(state.History.Select(kv => new KeyValuePair<string, IReadOnlyList<double>>(kv.Key, kv.Value)));
            if (state.EarlyStopping is not null)
            {
                EarlyStopping.SetState(state.EarlyStopping, best);
            }

            if (state.ReduceLr is not null)
            {
                ReduceLr.SetState(state.ReduceLr);
            }

            _resume = null;
        }
    }

    /// <summary>The epoch's batches from <see cref="EpochRun.FirstBatch"/> on; false when cancelled before its last batch.</summary>
    private bool RunEpoch(EpochRun run, CancellationToken cancel)
    {
        foreach (var cb in _callbacks)
        {
            cb.OnEpochBegin(run.Epoch, this);
        }

        _optimizer.LearningRate = LearningRate;
        UseEpochOrder(run.Epoch);
        if (run.FirstBatch == 0)
        {
            _model.Loss.ResetMetrics();
        }

        run.Reporter.PhaseChanged(TrainingPhase.Training);
        run.Reporter.EpochStarted(run.Epoch + 1, _options.Epochs, StepsPerEpoch);
        for (int b = run.FirstBatch; b < StepsPerEpoch; b++)
        {
            TrainStep(run.Epoch, b);
            BatchesDoneInEpoch = b + 1;
            if (cancel.IsCancellationRequested && b + 1 < StepsPerEpoch)
            {
                CheckTrainingLoss(run); // never leave a diverged step's weights in the interruption checkpoint
                return false;
            }

            ReportProgress(run, b + 1);
        }

        return true;
    }

    /// <summary>The progress bar's running metrics, a few times a second and after the last batch.</summary>
    private void ReportProgress(EpochRun run, int batchesDone)
    {
        if (run.Clock.Elapsed - run.LastReport <= ProgressInterval && batchesDone < StepsPerEpoch)
        {
            return;
        }

        run.LastReport = run.Clock.Elapsed;
        var (lossSum, correct) = CheckTrainingLoss(run);
        int seen = Math.Min(batchesDone * _options.BatchSize, _split.TrainCount);
        run.Reporter.StepProgress(batchesDone, StepsPerEpoch, run.Clock.Elapsed, correct / seen, lossSum / seen);
    }

    private (double LossSum, double Correct) CheckTrainingLoss(EpochRun run)
    {
        var sums = _model.Loss.ReadMetrics();
        NonFiniteGuard.CheckTraining(sums.LossSum, _model.Loss.FiniteBatches, run.Epoch, run.FirstBatch);
        return sums;
    }

    /// <summary>The epoch's logs: training metrics over the epoch, validation metrics in inference mode.</summary>
    private EpochLogs Validate(EpochRun run)
    {
        var (trainLoss, trainCorrect) = CheckTrainingLoss(run);
        run.Reporter.PhaseChanged(TrainingPhase.Validation);
        var (valLoss, valAccuracy) = Evaluate(_validationOrder);
        run.Clock.Stop();
        NonFiniteGuard.CheckValidation(valLoss, run.Epoch);
        return EpochLogs.Create(trainCorrect / _split.TrainCount, trainLoss / _split.TrainCount, valAccuracy, valLoss, LearningRate);
    }

    /// <summary>The epoch line, then the callbacks (which may lower the learning rate or stop training).</summary>
    private void EndEpoch(EpochRun run, EpochLogs logs)
    {
        EpochsCompleted = run.Epoch + 1;
        BatchesDoneInEpoch = 0;
        run.Reporter.EpochEnded(run.Epoch + 1, StepsPerEpoch, StepsPerEpoch - run.FirstBatch, logs, run.Clock.Elapsed);
        double lrBefore = LearningRate;
        foreach (var cb in _callbacks)
        {
            cb.OnEpochEnd(run.Epoch, logs, this);
        }

        if (LearningRate != lrBefore)
        {
            run.Reporter.Message($"Epoch {run.Epoch + 1}: ReduceLROnPlateau reducing learning rate to {LearningRate:G6}.");
        }
    }

    /// <summary>OnTrainEnd for every callback and Keras' closing messages; returns the 1-based epoch whose weights were restored (0: none).</summary>
    private int EndTraining(ITrainingReporter reporter)
    {
        foreach (var cb in _callbacks)
        {
            cb.OnTrainEnd(this);
        }

        if (EarlyStopping.StoppedEpoch > 0)
        {
            reporter.Message($"Epoch {EarlyStopping.StoppedEpoch + 1}: early stopping");
        }

        if (EarlyStopping.BestWeights is null)
        {
            return 0;
        }

        reporter.Message($"Restoring model weights from the end of the best epoch: {EarlyStopping.BestEpoch + 1}.");
        return EarlyStopping.BestEpoch + 1;
    }

    /// <summary>Mean loss and accuracy over the given rows of the training file, in inference mode.</summary>
    private (double Loss, double Accuracy) Evaluate(int[] rows)
    {
        _data.SetOrder(rows);
        _orderEpoch = -1;
        _model.Loss.ResetMetrics();
        for (int first = 0; first < rows.Length; first += _options.BatchSize)
        {
            int count = Math.Min(_options.BatchSize, rows.Length - first);
            _raw.EnsureShape(VggModel.InputShape(count));
            _data.Gather(first, count, _raw.View, _labels.View);
            _tape.Begin(ForwardPass.Inference);
            _model.ForwardLoss(_raw, _labels.View, _tape);
        }

        var (loss, correct) = _model.Loss.ReadMetrics();
        return (loss / rows.Length, correct / rows.Length);
    }

    /// <summary>Puts the epoch's shuffled order of the training rows on the device (once per epoch).</summary>
    private void UseEpochOrder(int epoch)
    {
        if (_orderEpoch != epoch)
        {
            _data.SetOrder(_shuffler.Permutation(epoch));
            _orderEpoch = epoch;
        }
    }

    /// <summary>A checkpoint's state waiting for <see cref="BeginTraining"/> to hand the callbacks their part.</summary>
    private sealed record Resumption(TrainingState State, float[]? BestWeights);

    /// <summary>One epoch in progress: where it started, its clock and its reporter.</summary>
    private sealed class EpochRun(int epoch, int firstBatch, ITrainingReporter reporter)
    {
        public int Epoch { get; } = epoch;

        /// <summary>The first batch this call runs (non-zero when a resumed or interrupted epoch continues).</summary>
        public int FirstBatch { get; } = firstBatch;

        public ITrainingReporter Reporter { get; } = reporter;

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public TimeSpan LastReport { get; set; }
    }
}
