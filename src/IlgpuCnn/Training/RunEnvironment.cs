namespace IlgpuCnn.Training;

/// <summary>What a run found, recorded in config.json beside its options.</summary>
/// <param name="Device">The device's name.</param>
/// <param name="DataDirectory">The folder the data was read from.</param>
/// <param name="TrainRows">Training rows read (before the validation split).</param>
/// <param name="TestRows">Test rows read.</param>
/// <param name="Commit">The source commit the program was built from.</param>
/// <param name="StartedUtc">When the run started (ISO 8601).</param>
public sealed record RunEnvironment(string Device, string DataDirectory, int TrainRows, int TestRows, string Commit, string StartedUtc);
