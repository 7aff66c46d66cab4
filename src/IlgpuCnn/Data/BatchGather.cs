using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Data;

/// <summary>
/// The gather kernel of <see cref="DeviceDataset"/>, loaded once per device: copies rows
/// order[first .. first+count) of a device-resident image set (N, 3, 32, 32) and its labels into
/// a batch buffer.
/// </summary>
public sealed class BatchGather
{
    private readonly ComputeDevice _device;
    private readonly Action<Index1D, int, int, int, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>> _gather;

    private BatchGather(ComputeDevice device)
    {
        _device = device;
        _gather = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<int>>(GatherKernel);
    }

    public static BatchGather For(ComputeDevice device) => device.Kernels(d => new BatchGather(d));

    public void Gather(int first, int count, ArrayView<int> order, ArrayView<float> images, ArrayView<int> labels, ArrayView<float> batch, ArrayView<int> batchLabels)
    {
        int threads = Launch.Threads(_device, (long)count * CifarDataset.ImageFloats);
        _gather(threads, threads, first, count, order, images, labels, batch, batchLabels);
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
}
