using ILGPU.Runtime;
using IlgpuCnn.Autograd;
using IlgpuCnn.Data;
using IlgpuCnn.Models;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>Result of running a model over a labelled dataset in inference mode.</summary>
/// <param name="Loss">mean cross-entropy</param>
/// <param name="Accuracy">fraction of argmax predictions equal to the label</param>
/// <param name="Predictions">argmax class per row</param>
public sealed record EvaluationResult(double Loss, double Accuracy, int[] Predictions);

/// <summary>Runs a model over a dataset in inference mode (moving BN statistics, no dropout).</summary>
public static class Evaluator
{
    /// <summary>Loss, accuracy and predictions over <paramref name="data"/>; <paramref name="cancel"/> stops between batches (<see cref="OperationCanceledException"/>).</summary>
    public static EvaluationResult Evaluate(VggModel model, CifarDataset data, int batchSize = 64, CancellationToken cancel = default)
    {
        var device = model.Device;
        using var resident = new DeviceDataset(device, data);
        using var batch = Tensor.Allocate(device, VggModel.InputShape(batchSize), false);
        using var labels = device.Accelerator.Allocate1D<int>(batchSize);
        resident.SetOrder(Enumerable.Range(0, data.Count).ToArray());
        var tape = new GradientTape(device);
        var predictions = new int[data.Count];
        var probs = new float[batchSize * model.Classes];
        model.Loss.ResetMetrics();
        for (int first = 0; first < data.Count; first += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, data.Count - first);
            batch.EnsureShape(VggModel.InputShape(count));
            resident.Gather(first, count, batch.View, labels.View);
            tape.Begin(ForwardPass.Inference);
            model.ForwardLoss(batch, labels.View, tape);
            model.Loss.Probabilities.View.CopyToCPU(probs.AsSpan(0, count * model.Classes));
            for (int s = 0; s < count; s++)
            {
                predictions[first + s] = ArgMax(probs.AsSpan(s * model.Classes, model.Classes));
            }
        }

        var (loss, correct) = model.Loss.ReadMetrics();
        return new EvaluationResult(loss / data.Count, correct / data.Count, predictions);
    }

    /// <summary>Class probabilities (N, classes) for images already in the model's input layout.</summary>
    public static float[] PredictProbabilities(VggModel model, float[] images, int count)
    {
        var device = model.Device;
        using var batch = Tensor.FromHost(device, VggModel.InputShape(count), images);
        using var labels = device.Accelerator.Allocate1D<int>(count);
        labels.MemSetToZero();
        var tape = new GradientTape(device);
        tape.Begin(ForwardPass.Inference);
        model.ForwardLoss(batch, labels.View, tape);
        return model.Loss.Probabilities.ToHost();
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
            {
                best = i;
            }
        }

        return best;
    }
}
