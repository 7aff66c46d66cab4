using ILGPU.Runtime;
using IlgpuCnn.Data;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Data;

/// <summary>The device-resident dataset and its gather kernel: the path every training and validation batch takes.</summary>
[Collection(DeviceCollection.Name)]
public class DeviceDatasetTests(DeviceFixture fixture)
{
    private const int F = CifarDataset.ImageFloats;
    private readonly ComputeDevice _device = fixture.Device;

    /// <summary>Images whose every float encodes (image, element) so copies can be checked exactly.</summary>
    private static CifarDataset Numbered(int count)
    {
        var images = new float[count * F];
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < F; i++)
            {
                images[(n * F) + i] = n + (i / 4096f);
            }
        }

        return new CifarDataset(images, Enumerable.Range(0, count).Select(n => (n * 3) % 10).ToArray(), "numbered");
    }

    [Fact]
    public void GathersBatchesInOrderAndKeepsTheLastPartialBatch()
    {
        var data = Numbered(10);
        int[] order = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
        using var resident = new DeviceDataset(_device, data);
        resident.SetOrder(order);
        using var images = _device.Accelerator.Allocate1D<float>(4 * F);
        using var labels = _device.Accelerator.Allocate1D<int>(4);

        int batches = DeviceDataset.BatchCount(order.Length, 4);
        Assert.Equal(3, batches);
        var sizes = new List<int>();
        for (int b = 0; b < batches; b++)
        {
            int size = Math.Min(4, order.Length - b * 4);
            sizes.Add(size);
            resident.Gather(b * 4, size, images.View, labels.View);
            var hostImages = images.GetAsArray1D();
            var hostLabels = labels.GetAsArray1D();
            for (int i = 0; i < size; i++)
            {
                int index = order[(b * 4) + i];
                Assert.Equal(data.Labels[index], hostLabels[i]);
                Assert.Equal(data.Image(index).ToArray(), hostImages.AsSpan(i * F, F).ToArray());
            }
        }

        Assert.Equal(new[] { 4, 4, 2 }, sizes);
    }

    [Fact]
    public void GatheringAllocatesNothingOnTheHost()
    {
        using var resident = new DeviceDataset(_device, Numbered(10));
        resident.SetOrder(Enumerable.Range(0, 10).ToArray());
        using var images = _device.Accelerator.Allocate1D<float>(5 * F);
        using var labels = _device.Accelerator.Allocate1D<int>(5);
        resident.Gather(0, 5, images.View, labels.View); // warm up
        _device.Synchronize();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            resident.Gather((i % 2) * 5, 5, images.View, labels.View);
        }

        _device.Synchronize();
        long perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        Assert.InRange(perBatch, 0, 1024); // far below one image (12 KiB)
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        using var resident = new DeviceDataset(_device, Numbered(3));
        using var small = _device.Accelerator.Allocate1D<float>(F);
        using var labels = _device.Accelerator.Allocate1D<int>(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => resident.Gather(2, 2, small.View, labels.View));
        Assert.Throws<ArgumentOutOfRangeException>(() => resident.Gather(0, 2, small.View, labels.View));
        Assert.Throws<ArgumentException>(() => resident.SetOrder([0, 1, 2, 0]));
    }
}
