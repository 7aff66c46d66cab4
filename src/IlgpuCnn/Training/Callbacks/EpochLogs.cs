namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// One epoch's metrics by Keras name (<c>accuracy</c>, <c>loss</c>, <c>val_accuracy</c>,
/// <c>val_loss</c>, <c>learning_rate</c>), kept in insertion order like Keras' <c>logs</c> dict.
/// </summary>
public sealed class EpochLogs
{
    public const string Accuracy = "accuracy";
    public const string Loss = "loss";
    public const string ValAccuracy = "val_accuracy";
    public const string ValLoss = "val_loss";
    public const string LearningRate = "learning_rate";

    private readonly List<string> _order = [];
    private readonly Dictionary<string, double> _values = [];

    /// <summary>Metric names in the order they were first set.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>The value of <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public double this[string name]
    {
        get => _values.TryGetValue(name, out var v)
            ? v
            : throw new KeyNotFoundException($"epoch logs have no metric '{name}' (they have: {string.Join(", ", _order)})");
        set => Set(name, value);
    }

    /// <summary>Sets (or replaces) a metric, keeping its first position.</summary>
    public EpochLogs Set(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.ContainsKey(name))
        {
            _order.Add(name);
        }

        _values[name] = value;
        return this;
    }

    public bool TryGet(string name, out double value) => _values.TryGetValue(name, out value);

    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>The usual five metrics, in Keras' order.</summary>
    public static EpochLogs Create(double accuracy, double loss, double valAccuracy, double valLoss, double learningRate) =>
        new EpochLogs()
            .Set(Accuracy, accuracy)
            .Set(Loss, loss)
            .Set(ValAccuracy, valAccuracy)
            .Set(ValLoss, valLoss)
            .Set(LearningRate, learningRate);
}
