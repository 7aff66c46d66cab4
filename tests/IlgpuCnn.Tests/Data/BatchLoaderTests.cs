using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Data;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Data;

[Collection(DeviceCollection.Name)]
public sealed class BatchLoaderTests(DeviceFixture fixture)
{
    private const int F = CifarDataset.ImageFloats;
    private readonly ComputeDevice _device = fixture.Device;

    /// <summary>10 images whose every float encodes (image, element) so copies can be checked exactly.</summary>
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
    public void CopiesBatchesInOrderAndKeepsTheLastPartialBatch()
    {
        var data = Numbered(10);
        int[] order = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
        var loader = new BatchLoader(data, 4);
        using var images = _device.Accelerator.Allocate1D<float>(4 * F);
        using var labels = _device.Accelerator.Allocate1D<int>(4);

        Assert.Equal(3, BatchLoader.BatchCount(order.Length, 4));
        var sizes = new List<int>();
        for (int b = 0; b < 3; b++)
        {
            int size = loader.Load(order, b, images.View, labels.View);
            sizes.Add(size);
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
    public void LoadingDoesNotAllocatePerBatch()
    {
        var data = Numbered(10);
        var order = Enumerable.Range(0, 10).ToArray();
        var loader = new BatchLoader(data, 5);
        using var images = _device.Accelerator.Allocate1D<float>(5 * F);
        using var labels = _device.Accelerator.Allocate1D<int>(5);
        loader.Load(order, 0, images.View, labels.View); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            loader.Load(order, i % 2, images.View, labels.View);
        }

        long perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        Assert.InRange(perBatch, 0, 1024); // far below one image (12 KiB)
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var loader = new BatchLoader(Numbered(3), 2);
        using var small = _device.Accelerator.Allocate1D<float>(F);
        using var labels = _device.Accelerator.Allocate1D<int>(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Load(new[] { 0, 1, 2 }, 2, small.View, labels.View));
        Assert.Throws<ArgumentException>(() => loader.Load(new[] { 0, 1, 2 }, 0, small.View, labels.View));
        Assert.Throws<UserError>(() => new BatchLoader(Numbered(1), 0));
    }
}
