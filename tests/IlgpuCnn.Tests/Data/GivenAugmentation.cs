using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Data;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Data;

/// <summary>
/// The product's augmentation resampling (<see cref="Augmentation.ResamplePixel"/>) with GIVEN
/// per-image parameters instead of the drawn ones, so tests can check flips and rotations exactly.
/// </summary>
internal sealed class GivenAugmentation
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AugmentParams>> _kernel;

    private GivenAugmentation(ComputeDevice device) =>
        _kernel = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AugmentParams>>(Kernel);

    /// <summary>Augments image i of <paramref name="images"/> with <paramref name="parameters"/>[i]; returns the output.</summary>
    public static float[] Run(ComputeDevice device, float[] images, AugmentParams[] parameters)
    {
        var given = device.Kernels(d => new GivenAugmentation(d));
        var accelerator = device.Accelerator;
        using var source = accelerator.Allocate1D(images);
        using var destination = accelerator.Allocate1D<float>(images.Length);
        using var buffer = accelerator.Allocate1D(parameters);
        destination.MemSetToZero();
        given._kernel(parameters.Length * CifarDataset.ImageSize * CifarDataset.ImageSize, source.View, destination.View, buffer.View);
        device.Synchronize();
        return destination.GetAsArray1D();
    }

    /// <summary>One thread per (image, output pixel), as the product's kernel.</summary>
    private static void Kernel(Index1D index, ArrayView<float> source, ArrayView<float> destination, ArrayView<AugmentParams> parameters)
    {
        const int plane = CifarDataset.ImageSize * CifarDataset.ImageSize;
        int image = index / plane;
        int pixel = index - (image * plane);
        Augmentation.ResamplePixel(source, destination, image, pixel / CifarDataset.ImageSize, pixel % CifarDataset.ImageSize, parameters[image]);
    }
}
