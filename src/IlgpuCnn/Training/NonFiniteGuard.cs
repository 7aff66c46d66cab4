namespace IlgpuCnn.Training;

/// <summary>
/// Stops a diverging run as soon as the loss is NaN or infinite, without a sync of its own: it looks
/// at the running Σ loss that the progress bar reads anyway (a few times a second and at the end
/// of every epoch). A NaN/∞ sample loss makes that sum NaN/∞ for the rest of the epoch, and the
/// loss layer counts the batches summed while it was still finite, so the first bad step is known
/// exactly even when it is seen later.
/// </summary>
public static class NonFiniteGuard
{
    /// <summary>
    /// Throws when the training loss sum read after steps of <paramref name="epoch"/> (0-based) is
    /// not finite. <paramref name="firstBatch"/>: the first batch (0-based) the running sum covers
    /// (non-zero in a resumed epoch); <paramref name="finiteBatches"/>: batches summed while
    /// <paramref name="lossSum"/> was finite (<c>SoftmaxCrossEntropy.FiniteBatches</c>).
    /// </summary>
    public static void CheckTraining(double lossSum, int finiteBatches, int epoch, int firstBatch)
    {
        if (!double.IsFinite(lossSum))
        {
            throw new TrainingDivergedException("training loss", epoch + 1, firstBatch + finiteBatches + 1, lossSum);
        }
    }

    /// <summary>Throws when the validation loss of <paramref name="epoch"/> (0-based) is not finite.</summary>
    public static void CheckValidation(double valLoss, int epoch)
    {
        if (!double.IsFinite(valLoss))
        {
            throw new TrainingDivergedException("validation loss", epoch + 1, null, valLoss);
        }
    }
}
