using System.Buffers.Binary;

namespace IlgpuCnn.Data;

/// <summary>
/// The size a PNG declares in its IHDR chunk (the first 24 bytes), read before any decoding, so a
/// small file that declares a huge image is refused without allocating its pixels.
/// </summary>
public static class PngHeader
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the header; false when the bytes do not start like a PNG.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> png, out long width, out long height)
    {
        width = height = 0;
        if (png.Length < 24 || !png[..8].SequenceEqual(Signature) || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return false;
        }

        width = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(16, 4));
        height = BinaryPrimitives.ReadUInt32BigEndian(png.Slice(20, 4));
        return true;
    }
}
