namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Records every epoch's logs like Keras' <c>History</c>: <see cref="Metrics"/> is
/// <c>history.history</c>, one list per metric name (in first-seen order), one entry per epoch
/// that reported it. A resumed run starts from the previous run's lists.
/// </summary>
public sealed class History : ICallback
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, List<double>> _values = [];
    private readonly List<int> _epochs = [];

    public History() { }

    /// <summary>Starts from earlier epochs (e.g. read from history.json when resuming), numbered 0..n-1.</summary>
    public History(IEnumerable<KeyValuePair<string, IReadOnlyList<double>>> previous) => Restore(previous);

    /// <summary>Replaces everything recorded with earlier epochs (a resumed run's), numbered 0..n-1.</summary>
    public void Restore(IEnumerable<KeyValuePair<string, IReadOnlyList<double>>> previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        _names.Clear();
        _values.Clear();
        _epochs.Clear();
        int epochs = 0;
        foreach (var (name, values) in previous)
        {
            _names.Add(name);
            _values[name] = [.. values];
            epochs = Math.Max(epochs, values.Count);
        }

        _epochs.AddRange(Enumerable.Range(0, epochs));
    }

    /// <summary>Metric name → one value per epoch, in the order names were first seen.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Metrics =>
        _names.ToDictionary(n => n, n => (IReadOnlyList<double>)_values[n]);

    /// <summary>Metric names in first-seen order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>0-based epoch numbers recorded (Keras' <c>history.epoch</c>).</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>One metric's values, or an empty list if it was never reported.</summary>
    public IReadOnlyList<double> this[string name] => _values.TryGetValue(name, out var v) ? v : [];

    public void OnEpochEnd(int epoch, EpochLogs logs, ITrainingControl control) => Record(epoch, logs);

    /// <summary>Appends one epoch's logs.</summary>
    public void Record(int epoch, EpochLogs logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _epochs.Add(epoch);
        foreach (var name in logs.Names)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                list = [];
                _values[name] = list;
                _names.Add(name);
            }

            list.Add(logs[name]);
        }
    }
}
