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
/// Keras' <c>fit</c> for the recipe. Each epoch: reshuffle the training part, and per batch of 64
/// gather → augment → forward → loss → backward → AdamW, all on the device; then validate in
/// inference mode and run the callbacks (EarlyStopping, ReduceLROnPlateau, History, and any the
/// user adds). Buffers are allocated here once; a step allocates nothing and synchronises only
/// when the progress bar asks for the running metrics (a few times a second).
/// </summary>
public sealed class Trainer : ITrainingControl, IDisposable
{
    private readonly ComputeDevice _device;
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
    private int _startEpoch;
    private int _startBatch;
    private (double Loss, double Correct) _startSums;
    private bool _resumed;
    private TrainingState? _pendingState;
    private int _orderEpoch = -1; // the epoch whose shuffled order is on the device (-1: none)
    private float[]? _pendingBestWeights;

    public Trainer(ComputeDevice device, VggModel model, TrainingOptions options, CifarDataset trainRows, IEnumerable<ICallback>? extraCallbacks = null)
    {
        options.Validate();
        _device = device;
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
        _optimizer = new AdamW(device, model.Store, options.LearningRate, options.WeightDecay);
        History = new History();
        EarlyStopping = new EarlyStopping(EarlyStoppingOptions.Recipe);
        ReduceLr = new ReduceLROnPlateau(ReduceLROnPlateauOptions.Recipe);
        _callbacks = [EarlyStopping, ReduceLr, History, .. extraCallbacks ?? []];
        LearningRate = options.LearningRate;
    }

    public TrainingOptions Options => _options;

    public VggModel Model => _model;

    public AdamW Optimizer => _optimizer;

    public History History { get; private set; }

    public EarlyStopping EarlyStopping { get; }

    public ReduceLROnPlateau ReduceLr { get; }

    public DataSplit Split => _split;

    public int StepsPerEpoch => DeviceDataset.BatchCount(_split.TrainCount, _options.BatchSize);

    public double LearningRate { get; set; }

    public bool StopTraining { get; set; }

    /// <summary>Epochs completed so far (also after a resume).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Batches done in the epoch in progress (non-zero only after an interruption).</summary>
    public int BatchesDoneInEpoch { get; private set; }

    public float[] CaptureWeights() => _model.Store.Download();

    public void RestoreWeights(float[] weights) => _model.Store.Upload(weights);

    /// <summary>
    /// Trains until the epoch budget is spent, EarlyStopping stops, or <paramref name="cancel"/> fires
    /// (then the step in flight finishes). A NaN/∞ loss throws <see cref="TrainingDivergedException"/>
    /// (see <see cref="NonFiniteGuard"/>) before any callback or checkpoint sees the bad epoch.
    /// </summary>
    public FitResult Fit(ITrainingReporter? reporter = null, CancellationToken cancel = default)
    {
        reporter ??= SilentReporter.Instance;
        foreach (var cb in _callbacks)
        {
            cb.OnTrainBegin(this);
        }

        if (_resumed)
        {
            ApplyCallbackState();
        }

        int steps = StepsPerEpoch;
        var perEpoch = new List<double>();
        bool interrupted = false;
        for (int epoch = _startEpoch; epoch < _options.Epochs && !StopTraining; epoch++)
        {
            if (cancel.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            foreach (var cb in _callbacks)
            {
                cb.OnEpochBegin(epoch, this);
            }

            _optimizer.LearningRate = LearningRate;
            UseEpochOrder(epoch);
            int firstBatch = epoch == _startEpoch ? _startBatch : 0;
            if (firstBatch > 0)
            {
                _model.Loss.SetMetrics(_startSums.Loss, _startSums.Correct);
            }
            else
            {
                _model.Loss.ResetMetrics();
            }

            reporter.PhaseChanged(TrainingPhase.Training);
            reporter.EpochStarted(epoch + 1, _options.Epochs, steps);
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            for (int b = firstBatch; b < steps; b++)
            {
                TrainStep(epoch, b);
                BatchesDoneInEpoch = b + 1;
                if (cancel.IsCancellationRequested && b + 1 < steps)
                {
                    // Never leave a diverged step's weights in the interruption checkpoint.
                    NonFiniteGuard.CheckTraining(_model.Loss.ReadMetrics().LossSum, _model.Loss.FiniteBatches, epoch, firstBatch);
                    interrupted = true;
                    break;
                }

                if (clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250) || b + 1 == steps)
                {
                    lastReport = clock.Elapsed;
                    var (lossSum, correct) = _model.Loss.ReadMetrics();
                    NonFiniteGuard.CheckTraining(lossSum, _model.Loss.FiniteBatches, epoch, firstBatch);
                    int seen = Math.Min((b + 1) * _options.BatchSize, _split.TrainCount);
                    reporter.StepProgress(b + 1, steps, clock.Elapsed, correct / seen, lossSum / seen);
                }
            }

            if (interrupted)
            {
                break;
            }

            var (trainLoss, trainCorrect) = _model.Loss.ReadMetrics();
            NonFiniteGuard.CheckTraining(trainLoss, _model.Loss.FiniteBatches, epoch, firstBatch);
            reporter.PhaseChanged(TrainingPhase.Validation);
            var (valLoss, valAccuracy) = Evaluate(_validationOrder);
            clock.Stop();
            double loss = trainLoss / _split.TrainCount;
            NonFiniteGuard.CheckValidation(valLoss, epoch);

            var logs = EpochLogs.Create(trainCorrect / _split.TrainCount, loss, valAccuracy, valLoss, LearningRate);
            perEpoch.Add(clock.Elapsed.TotalSeconds);
            EpochsCompleted = epoch + 1;
            BatchesDoneInEpoch = 0;
            reporter.EpochEnded(epoch + 1, steps, steps - firstBatch, logs, clock.Elapsed);
            double lrBefore = LearningRate;
            foreach (var cb in _callbacks)
            {
                cb.OnEpochEnd(epoch, logs, this);
            }

            if (LearningRate != lrBefore)
            {
                reporter.Message($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {LearningRate:G6}.");
            }
        }

        _startBatch = 0;
        _startEpoch = EpochsCompleted;
        int bestEpoch = 0;
        if (!interrupted)
        {
            foreach (var cb in _callbacks)
            {
                cb.OnTrainEnd(this);
            }

            if (EarlyStopping.StoppedEpoch > 0)
            {
                reporter.Message($"Epoch {EarlyStopping.StoppedEpoch + 1}: early stopping");
            }

            if (EarlyStopping.BestWeights is not null)
            {
                bestEpoch = EarlyStopping.BestEpoch + 1;
                reporter.Message($"Restoring model weights from the end of the best epoch: {bestEpoch}.");
            }
        }

        return new FitResult(History, EpochsCompleted, bestEpoch, interrupted, perEpoch.Count > 0 ? perEpoch.Average() : 0);
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

        _tape.Begin(training: true, _options.Seed, _optimizer.Iterations);
        var loss = _model.ForwardLoss(input, _labels.View, _tape);
        _tape.Backward(loss); // gradients are zero: the previous AdamW step consumed them
        _optimizer.Step();
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
            _tape.Begin(training: false, _options.Seed, _optimizer.Iterations);
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
            Seed = _options.Seed,
            Width = _options.Width,
            LossSum = lossSum,
            CorrectSum = correct,
            EarlyStopping = EarlyStopping.GetState(),
            ReduceLr = ReduceLr.GetState(),
            History = History.Names.ToDictionary(n => n, n => History[n].ToList()),
            StopTraining = StopTraining,
        };
    }

    /// <summary>Continues from a saved state: the next <see cref="Fit"/> picks up where it stopped.</summary>
    public void SetState(TrainingState state, float[]? bestWeights)
    {
        EpochsCompleted = state.EpochsCompleted;
        BatchesDoneInEpoch = state.BatchesDoneInEpoch;
        _startEpoch = state.EpochsCompleted;
        _startBatch = state.BatchesDoneInEpoch;
        _startSums = (state.LossSum, state.CorrectSum);
        _optimizer.Iterations = state.Iterations;
        LearningRate = state.LearningRate;
        _optimizer.LearningRate = state.LearningRate;
        StopTraining = state.StopTraining;
        _pendingState = state;
        _pendingBestWeights = bestWeights;
        _resumed = true;
    }

    private void ApplyCallbackState()
    {
        var state = _pendingState!;
        History = new History(state.History.Select(kv => new KeyValuePair<string, IReadOnlyList<double>>(kv.Key, kv.Value)));
        int at = _callbacks.FindIndex(c => c is History);
        _callbacks[at] = History;
        if (state.EarlyStopping is not null)
        {
            EarlyStopping.SetState(state.EarlyStopping, _pendingBestWeights);
        }

        if (state.ReduceLr is not null)
        {
            ReduceLr.SetState(state.ReduceLr);
        }

        LearningRate = state.LearningRate;
        StopTraining = state.StopTraining;
        _resumed = false;
    }

    public void Dispose()
    {
        _labels.Dispose();
        _input.Dispose();
        _raw.Dispose();
        _data.Dispose();
    }
}
