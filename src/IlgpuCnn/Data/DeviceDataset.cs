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
    private readonly ComputeDevice _device;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _images;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _order;
    private readonly Action<Index1D, int, int, int, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>> _gather;

    public DeviceDataset(ComputeDevice device, CifarDataset data)
    {
        _device = device;
        Count = data.Count;
        _images = device.Accelerator.Allocate1D(data.Images);
        _labels = device.Accelerator.Allocate1D(data.Labels);
        _order = device.Accelerator.Allocate1D<int>(Math.Max(1, data.Count));
        _gather = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>>(GatherKernel);
    }

    public int Count { get; }

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
        int threads = Launch.Threads(_device, (long)count * CifarDataset.ImageFloats);
        _gather(threads, threads, first, count, _order.View, _images.View, _labels.View, images, labels);
    }

    [Kernel]
    internal static void GatherKernel(Index1D index, int threads, int first, int count, ArrayView<int> order, ArrayView<float> images, ArrayView<int> labels, ArrayView<float> batch, ArrayView<int> batchLabels)
    {
        long total = (long)count * CifarDataset.ImageFloats;
        for (long i = index.X; i < total; i += threads)
        {
            int s = (int)(i / CifarDataset.ImageFloats);
            int within = (int)(i - (long)s * CifarDataset.ImageFloats);
            int row = order[first + s];
            batch[i] = images[((long)row * CifarDataset.ImageFloats) + within];
            if (within == 0)
            {
                batchLabels[s] = labels[row];
            }
        }
    }

    public void Dispose()
    {
        _order.Dispose();
        _labels.Dispose();
        _images.Dispose();
    }
}
