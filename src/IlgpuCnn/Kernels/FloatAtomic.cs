using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

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

    /// <summary>
    /// <see cref="Add"/> at a known device address: on CUDA one <c>red.global.add.f32</c> at
    /// <paramref name="address"/> (the element's address: <see cref="AddressOf"/> of the view, computed
    /// on the host, plus 4·index; it must be right), elsewhere <see cref="Add"/>. ILGPU writes global
    /// memory through generic addresses, and ptxas turns a generic <c>red.add.f32</c> into an
    /// <c>ATOM.E</c> whose result predicate the warp waits for (a round trip per add) before
    /// branches for shared and local targets; the global form is one fire-and-forget instruction.
    /// </summary>
    public static void AddAt(ArrayView<float> data, long index, float value, long address)
    {
        if (Accelerator.CurrentType == AcceleratorType.Cuda)
        {
            CudaAsm.Emit("{ .reg .u64 g; cvta.to.global.u64 g, %0; red.global.add.f32 [g], %1; }", address, value);
            return;
        }

        Add(data, index, value);
    }

    /// <summary>The device address of <paramref name="view"/>'s first element on CUDA, for <see cref="AddAt"/> (host code only); 0 on other accelerators and for an empty view.</summary>
    public static long AddressOf(ArrayView<float> view) =>
        view.Length > 0 && view.GetAcceleratorType() == AcceleratorType.Cuda ? (long)view.LoadEffectiveAddress() : 0;
}
