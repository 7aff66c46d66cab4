namespace IlgpuCnn.Training.Onnx;

/// <summary>
/// What an exported model says about the run that trained it (written into the ONNX model's
/// metadata_props); null where the run is not known, e.g. a checkpoint exported outside its run folder.
/// </summary>
/// <param name="TestAccuracy">accuracy on the test split at the end of the run</param>
/// <param name="TestRows">how many test rows that accuracy was measured on</param>
/// <param name="Commit">git commit of the code that trained the model</param>
public sealed record OnnxModelFacts(double? TestAccuracy, int? TestRows, string? Commit);
