using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace IlgpuCnn.Data;

/// <summary>
/// The 5×5 augmentation preview: 25 training images augmented on the device by
/// <see cref="Augmentation"/> (seed, epoch 0, step 0), each scaled ×4 (nearest neighbour) with
/// its class name drawn underneath by <see cref="BitmapFont"/>. Written as PNG via a temp file.
/// </summary>
public static class AugmentationPreview
{
    public const int Grid = 5;
    public const int Scale = 4;
    public const int Padding = 6;
    public const int LabelHeight = (BitmapFont.CellHeight * 2) + 4;

    /// <summary>Side of one image in the grid, in pixels.</summary>
    public const int Cell = CifarDataset.ImageSize * Scale;

    /// <summary>Picks 25 distinct dataset indices from the first <paramref name="rows"/> rows, by seed.</summary>
    public static int[] PickIndices(int rows, uint seed)
    {
        var order = new EpochShuffler(seed, rows).Permutation(0);
        return order.Take(Math.Min(Grid * Grid, rows)).ToArray();
    }

    /// <summary>Augments the images at <paramref name="indices"/> (at most 25) on the device and lays them out.</summary>
    public static Image<Rgb24> Render(ComputeDevice device, CifarDataset dataset, IReadOnlyList<int> indices, uint seed)
    {
        int count = Math.Min(indices.Count, Grid * Grid);
        var host = Augment(device, dataset, indices, count, seed);
        int width = (Grid * Cell) + ((Grid + 1) * Padding);
        int height = (Grid * (Cell + LabelHeight)) + ((Grid + 1) * Padding);
        var image = new Image<Rgb24>(width, height, new Rgb24(255, 255, 255));
        for (int i = 0; i < count; i++)
        {
            int left = Padding + ((i % Grid) * (Cell + Padding));
            int top = Padding + ((i / Grid) * (Cell + LabelHeight + Padding));
            DrawImage(image, host.AsSpan(i * CifarDataset.ImageFloats, CifarDataset.ImageFloats), left, top);
            var name = CifarDataset.ClassNames[dataset.Labels[indices[i]]];
            int textLeft = left + ((Cell - BitmapFont.Measure(name, 2)) / 2);
            BitmapFont.Draw(image, name, textLeft, top + Cell + 3, 2, new Rgb24(20, 20, 20));
        }

        return image;
    }

    /// <summary>The first <paramref name="count"/> images at <paramref name="indices"/>, augmented on the device as step 0 of epoch 0.</summary>
    private static float[] Augment(ComputeDevice device, CifarDataset dataset, IReadOnlyList<int> indices, int count, uint seed)
    {
        var host = new float[Math.Max(1, count) * CifarDataset.ImageFloats];
        for (int i = 0; i < count; i++)
        {
            dataset.Image(indices[i]).CopyTo(host.AsSpan(i * CifarDataset.ImageFloats));
        }

        using var source = device.Accelerator.Allocate1D(host);
        using var augmented = device.Accelerator.Allocate1D<float>(host.Length);
        Augmentation.For(device).Apply(source.View, augmented.View, count, seed, epoch: 0, step: 0);
        device.Synchronize();
        augmented.CopyToCPU(host);
        return host;
    }

    /// <summary>One (3, 32, 32) image scaled up <see cref="Scale"/>× with its top-left corner at (left, top).</summary>
    private static void DrawImage(Image<Rgb24> image, ReadOnlySpan<float> pixels, int left, int top)
    {
        const int plane = CifarDataset.ImageSize * CifarDataset.ImageSize;
        for (int y = 0; y < Cell; y++)
        {
            for (int x = 0; x < Cell; x++)
            {
                int p = ((y / Scale) * CifarDataset.ImageSize) + (x / Scale);
                image[left + x, top + y] = new Rgb24(ToByte(pixels[p]), ToByte(pixels[plane + p]), ToByte(pixels[(2 * plane) + p]));
            }
        }
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="path"/> through <see cref="AtomicFile"/>.</summary>
    public static void Save(Image<Rgb24> image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }

    private static byte ToByte(float value)
    {
        float scaled = MathF.Round(value * 255f);
        return (byte)(scaled < 0f ? 0f : scaled > 255f ? 255f : scaled);
    }
}
