using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tensors;

/// <summary>
/// A float32 NCHW tensor on the device: a <see cref="Shape"/>, a <see cref="View"/> of device
/// memory, and optionally a gradient of the same shape. A tensor either owns its buffer (an
/// activation) or is a window onto a larger flat buffer (a parameter inside the parameter store).
/// An activation's buffer is sized for the largest batch seen; a smaller batch (the last partial
/// one) only narrows the view, so nothing is allocated from step to step.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly ComputeDevice _device;
    private MemoryBuffer1D<float, Stride1D.Dense>? _owned;
    private MemoryBuffer1D<float, Stride1D.Dense>? _ownedGrad;
    private readonly bool _hasGrad;

    private Tensor(ComputeDevice device, Shape shape, bool hasGrad)
    {
        _device = device;
        Shape = shape;
        _hasGrad = hasGrad;
    }

    /// <summary>Human-readable name (parameters: the checkpoint name).</summary>
    public string Name { get; init; } = "";

    public Shape Shape { get; private set; }

    public long Length => Shape.Length;

    /// <summary>The data, exactly <see cref="Length"/> elements.</summary>
    public ArrayView<float> View { get; private set; }

    /// <summary>The gradient, same length as <see cref="View"/>; empty when the tensor needs none.</summary>
    public ArrayView<float> Grad { get; private set; }

    public bool RequiresGrad => _hasGrad;

    /// <summary>A tensor that owns its memory (and its gradient's, when asked).</summary>
    public static Tensor Allocate(ComputeDevice device, Shape shape, bool requiresGrad, string name = "")
    {
        var t = new Tensor(device, shape, requiresGrad) { Name = name };
        t.EnsureShape(shape);
        return t;
    }

    /// <summary>A window onto existing memory (e.g. one parameter inside a flat buffer).</summary>
    public static Tensor Wrap(ComputeDevice device, Shape shape, ArrayView<float> data, ArrayView<float> grad, string name) =>
        new(device, shape, grad.Length > 0)
        {
            Name = name,
            View = data,
            Grad = grad,
        };

    /// <summary>Uploads host data (tests and I/O only).</summary>
    public static Tensor FromHost(ComputeDevice device, Shape shape, float[] data, bool requiresGrad = false)
    {
        if (data.LongLength != shape.Length)
        {
            throw new ArgumentException($"expected {shape.Length} values for shape {shape}, but got {data.Length}", nameof(data));
        }

        var t = Allocate(device, shape, requiresGrad);
        t.View.CopyFromCPU(data);
        return t;
    }

    /// <summary>
    /// Gives an owning tensor a new shape; memory is reallocated only when the new shape is larger
    /// than anything this tensor held before.
    /// </summary>
    public void EnsureShape(Shape shape)
    {
        if (_owned is null && View.Length > 0 && shape.Length > View.Length)
        {
            throw new InvalidOperationException($"tensor '{Name}' wraps external memory of {View.Length} elements and cannot grow to {shape}");
        }

        if (_owned is null || _owned.Length < shape.Length)
        {
            _owned?.Dispose();
            _ownedGrad?.Dispose();
            long capacity = Math.Max(1, shape.Length);
            _owned = _device.Accelerator.Allocate1D<float>(capacity);
            _ownedGrad = _hasGrad ? _device.Accelerator.Allocate1D<float>(capacity) : null;
        }

        Shape = shape;
        View = _owned.View.SubView(0, shape.Length);
        Grad = _ownedGrad is null ? default : _ownedGrad.View.SubView(0, shape.Length);
    }

    /// <summary>Downloads the data (tests and I/O only: it synchronises).</summary>
    public float[] ToHost()
    {
        var host = new float[Length];
        View.CopyToCPU(host);
        return host;
    }

    /// <summary>Downloads the gradient (tests only).</summary>
    public float[] GradToHost()
    {
        var host = new float[Length];
        Grad.CopyToCPU(host);
        return host;
    }

    /// <summary>Uploads host data into this tensor.</summary>
    public void Upload(float[] data)
    {
        if (data.LongLength != Length)
        {
            throw new ArgumentException($"expected {Length} values for shape {Shape}, but got {data.Length}", nameof(data));
        }

        View.CopyFromCPU(data);
    }

    public void Dispose()
    {
        _ownedGrad?.Dispose();
        _owned?.Dispose();
        _owned = null;
        _ownedGrad = null;
    }
}
