using ILGPU;
using ILGPU.Runtime;

namespace IlgpuCnn.Kernels;

/// <summary>
/// The one float atomic add of the kernels, safe when the target is NaN. ILGPU 1.5.3's CPU
/// accelerator implements <c>Atomic.Add(ref float, float)</c> as a compare-and-swap loop that
/// compares the old and the seen value as floats; once the target is NaN (NaN ≠ NaN) it never
/// succeeds and spins forever. Here the loop compares the bit patterns instead, so it ends for every
/// value. On CUDA the add is the hardware <c>red.add.f32</c> (one instruction, no loop):
/// <see cref="Accelerator.CurrentType"/> is a compile-time constant inside a kernel, so each backend
/// keeps only its own branch.
/// </summary>
public static class FloatAtomic
{
    /// <summary><c>data[index] += value</c>, atomically; terminates on NaN and infinities.</summary>
    public static void Add(ArrayView<float> data, long index, float value)
    {
        if (Accelerator.CurrentType == AcceleratorType.Cuda)
        {
            Atomic.Add(ref data[index], value);
            return;
        }

        var bits = data.Cast<uint>();
        uint current = bits[index];
        while (true)
        {
            uint next = Interop.FloatAsInt(Interop.IntAsFloat(current) + value);
            uint seen = Atomic.CompareExchange(ref bits[index], current, next);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
