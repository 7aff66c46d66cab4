namespace IlgpuCnn.Data;

/// <summary>
/// CIFAR-10 images in memory as float32 NCHW, pixel/255, one image after another:
/// N = image, C = channel (R, G, B), H = W = 32.
/// </summary>
public sealed class CifarDataset
{
    /// <summary>Height and width of every image.</summary>
    public const int ImageSize = 32;

    /// <summary>Colour channels (R, G, B).</summary>
    public const int Channels = 3;

    /// <summary>Floats per image: 3 × 32 × 32.</summary>
    public const int ImageFloats = Channels * ImageSize * ImageSize;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>Class names by label, as in the Hugging Face ClassLabel feature.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ];

    public CifarDataset(float[] images, int[] labels, string source)
    {
        if ((long)labels.Length * ImageFloats != images.Length)
        {
            throw new ArgumentException($"expected {labels.Length} × {ImageFloats} image floats for {labels.Length} labels, but got {images.Length}.");
        }

        Images = images;
        Labels = labels;
        Source = source;
    }

    /// <summary>All images, [N, 3, 32, 32] flattened.</summary>
    public float[] Images { get; } // (N, C, H, W)

    /// <summary>Label 0..9 of each image.</summary>
    public int[] Labels { get; } // (N)

    /// <summary>Where the rows came from (a file path), for messages.</summary>
    public string Source { get; }

    public int Count => Labels.Length;

    /// <summary>The floats of image <paramref name="index"/>, [3, 32, 32].</summary>
    public ReadOnlySpan<float> Image(int index) => Images.AsSpan(index * ImageFloats, ImageFloats);

    /// <summary>How many images of each class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var label in Labels)
        {
            counts[label]++;
        }

        return counts;
    }
}
