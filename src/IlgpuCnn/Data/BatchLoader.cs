using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Data;

/// <summary>
/// Copies batches of a <see cref="CifarDataset"/> in a given index order to the device through
/// one reusable host staging array (no allocation per batch). Like Keras, the last batch is
/// partial when the row count is not a multiple of the batch size.
/// </summary>
public sealed class BatchLoader
{
    private readonly CifarDataset _dataset;
    private readonly float[] _images; // (B, C, H, W) staging
    private readonly int[] _labels;   // (B) staging

    public BatchLoader(CifarDataset dataset, int batchSize)
    {
        if (batchSize <= 0)
        {
            throw new UserError($"--batch-size must be 1 or more, but got {batchSize}.");
        }

        _dataset = dataset;
        BatchSize = batchSize;
        _images = new float[batchSize * CifarDataset.ImageFloats];
        _labels = new int[batchSize];
    }

    public int BatchSize { get; }

    /// <summary>Number of batches for <paramref name="rows"/> rows, counting a last partial batch.</summary>
    public static int BatchCount(int rows, int batchSize) => (rows + batchSize - 1) / batchSize;

    /// <summary>Size of batch <paramref name="batch"/> of an order of <paramref name="rows"/> rows.</summary>
    public int SizeOf(int rows, int batch) => Math.Min(BatchSize, rows - (batch * BatchSize));

    /// <summary>
    /// Copies batch <paramref name="batch"/> of <paramref name="order"/> (dataset indices) into the
    /// first rows of <paramref name="images"/> [B, 3, 32, 32] and <paramref name="labels"/> [B];
    /// returns the batch's size (BatchSize, or fewer for the last batch).
    /// </summary>
    public int Load(ReadOnlySpan<int> order, int batch, ArrayView<float> images, ArrayView<int> labels)
    {
        int batches = BatchCount(order.Length, BatchSize);
        if (batch < 0 || batch >= batches)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"expected a batch in 0..{batches - 1}.");
        }

        int size = SizeOf(order.Length, batch);
        int floats = size * CifarDataset.ImageFloats;
        if (images.Length < floats || labels.Length < size)
        {
            throw new ArgumentException($"expected device views of at least {floats} floats and {size} labels, but got {images.Length} and {labels.Length}.");
        }

        for (int i = 0; i < size; i++)
        {
            int index = order[(batch * BatchSize) + i];
            _dataset.Image(index).CopyTo(_images.AsSpan(i * CifarDataset.ImageFloats, CifarDataset.ImageFloats));
            _labels[i] = _dataset.Labels[index];
        }

        images.SubView(0, floats).CopyFromCPU(ref _images[0], floats);
        labels.SubView(0, size).CopyFromCPU(ref _labels[0], size);
        return size;
    }
}
