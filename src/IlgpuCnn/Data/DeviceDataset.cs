using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Data;

/// <summary>
/// A dataset resident on the device: every image (N, 3, 32, 32) and label uploaded once, and a
/// gather kernel that copies one batch — rows picked by an index order that is also on the
/// device — into a batch buffer. A training step thus moves nothing between host and device.
/// </summary>
public sealed class DeviceDataset : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _images;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _order;
    private readonly BatchGather _gather;

    public DeviceDataset(ComputeDevice device, CifarDataset data)
    {
        Count = data.Count;
        _images = device.Accelerator.Allocate1D(data.Images);
        _labels = device.Accelerator.Allocate1D(data.Labels);
        _order = device.Accelerator.Allocate1D<int>(Math.Max(1, data.Count));
        _gather = BatchGather.For(device);
        SetOrder(Enumerable.Range(0, data.Count).ToArray());
    }

    public int Count { get; }

    /// <summary>Batches for <paramref name="rows"/> rows, counting a last partial batch (Keras keeps it).</summary>
    public static int BatchCount(int rows, int batchSize) => (rows + batchSize - 1) / batchSize;

    /// <summary>Sets the row order that batches are taken in (once per epoch; synchronous upload).</summary>
    public void SetOrder(int[] order)
    {
        if (order.Length > Count)
        {
            throw new ArgumentException($"an order of {order.Length} rows does not fit a dataset of {Count}", nameof(order));
        }

        _order.View.SubView(0, order.Length).CopyFromCPU(order);
    }

    /// <summary>Copies rows order[first .. first+count) into <paramref name="images"/> and <paramref name="labels"/>.</summary>
    public void Gather(int first, int count, ArrayView<float> images, ArrayView<int> labels)
    {
        if (first < 0 || count < 0 || first + count > Count || images.Length < (long)count * CifarDataset.ImageFloats || labels.Length < count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {first}..{first + count} of {Count} do not fit views of {images.Length} floats and {labels.Length} labels");
        }

        _gather.Gather(first, count, _order.View, _images.View, _labels.View, images, labels);
    }

    public void Dispose()
    {
        _order.Dispose();
        _labels.Dispose();
        _images.Dispose();
    }
}
