namespace IlgpuCnn.Training.Callbacks;

/// <summary>
/// Whether a monitored metric should go down or up. <see cref="Auto"/> follows Keras'
/// ReduceLROnPlateau rule: a name containing "acc" is maximised, anything else minimised.
/// </summary>
public enum MonitorMode
{
    Auto,
    Min,
    Max,
}
