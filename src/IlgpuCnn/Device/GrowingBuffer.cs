using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Device;

/// <summary>
/// A device buffer that grows when a caller needs more and is otherwise reused: the scratch of
/// launches that run one after another on the device's stream (split-K partials, slice counters,
/// the Simd body's copies). It grows only in the first step that needs the size, never after.
/// </summary>
public sealed class GrowingBuffer<T>(ComputeDevice device, bool zeroed = false)
    where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

    /// <summary>The first <paramref name="length"/> elements, after replacing the buffer by a longer one (zeroed if asked) when it is shorter: only once the stream is idle, since a queued launch may still use the old one.</summary>
    public ArrayView<T> View(long length)
    {
        if (_buffer is null || _buffer.Length < length)
        {
            device.Accelerator.Synchronize();
            _buffer?.Dispose();
            _buffer = device.Accelerator.Allocate1D<T>(length);
            if (zeroed)
            {
                device.Zero<T>(_buffer.View);
            }
        }

        return _buffer.View.SubView(0, length);
    }
}
