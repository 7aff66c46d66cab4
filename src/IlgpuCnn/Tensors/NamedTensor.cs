using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IlgpuCnn.Tensors;

/// <summary>
/// One tensor of a safetensors file: a name, an element type, a row-major shape (empty = scalar)
/// and its little-endian bytes. Build one with <see cref="F32"/>, <see cref="I32"/> or <see cref="I64"/>;
/// read values back with <see cref="ToFloats"/>, <see cref="ToInt32s"/> or <see cref="ToInt64s"/>.
/// </summary>
public sealed class NamedTensor
{
    private readonly byte[] _bytes;
    private readonly long[] _shape;

    /// <summary>Wraps raw little-endian bytes; their length must equal the element count × element size.</summary>
    public NamedTensor(string name, SafeTensorsDType dtype, IReadOnlyList<long> shape, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(bytes);
        long count = ElementCount(shape)
            ?? throw new ArgumentException($"tensor '{name}' has an invalid shape [{string.Join(", ", shape)}]", nameof(shape));
        if (count * ElementSize(dtype) != bytes.LongLength)
        {
            throw new ArgumentException(
                $"tensor '{name}' of shape [{string.Join(", ", shape)}] and dtype {dtype} needs {count * ElementSize(dtype)} bytes, got {bytes.LongLength}",
                nameof(bytes));
        }

        Name = name;
        DType = dtype;
        _shape = [.. shape];
        _bytes = bytes;
    }

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    /// <summary>Row-major dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long Count => _bytes.LongLength / ElementSize(DType);

    /// <summary>The little-endian bytes as stored in the file (not a copy).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static NamedTensor F32(string name, IReadOnlyList<long> shape, ReadOnlySpan<float> values) =>
        new(name, SafeTensorsDType.F32, shape, ToLittleEndian(values, static (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, v)));

    public static NamedTensor I32(string name, IReadOnlyList<long> shape, ReadOnlySpan<int> values) =>
        new(name, SafeTensorsDType.I32, shape, ToLittleEndian(values, static (s, v) => BinaryPrimitives.WriteInt32LittleEndian(s, v)));

    public static NamedTensor I64(string name, IReadOnlyList<long> shape, ReadOnlySpan<long> values) =>
        new(name, SafeTensorsDType.I64, shape, ToLittleEndian(values, static (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v)));

    public float[] ToFloats() => FromLittleEndian<float>(SafeTensorsDType.F32, static s => BinaryPrimitives.ReadSingleLittleEndian(s));

    public int[] ToInt32s() => FromLittleEndian<int>(SafeTensorsDType.I32, static s => BinaryPrimitives.ReadInt32LittleEndian(s));

    public long[] ToInt64s() => FromLittleEndian<long>(SafeTensorsDType.I64, static s => BinaryPrimitives.ReadInt64LittleEndian(s));

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.U8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Product of the dimensions, or null if one is negative or the product overflows.</summary>
    internal static long? ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                return null;
            }

            try
            {
                count = checked(count * d);
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        return count;
    }

    private delegate void Writer<T>(Span<byte> destination, T value);

    private delegate T Reader<T>(ReadOnlySpan<byte> source);

    private static byte[] ToLittleEndian<T>(ReadOnlySpan<T> values, Writer<T> write)
        where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(values).ToArray();
        }

        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var bytes = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            write(bytes.AsSpan(i * size, size), values[i]);
        }

        return bytes;
    }

    private T[] FromLittleEndian<T>(SafeTensorsDType expected, Reader<T> read)
        where T : unmanaged
    {
        if (DType != expected)
        {
            throw new InvalidOperationException($"tensor '{Name}' holds {DType}, not {expected}");
        }

        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.Cast<byte, T>(_bytes).ToArray();
        }

        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var values = new T[_bytes.Length / size];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = read(_bytes.AsSpan(i * size, size));
        }

        return values;
    }
}
