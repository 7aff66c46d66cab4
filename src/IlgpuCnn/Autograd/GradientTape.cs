using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Autograd;

/// <summary>
/// Reverse-mode autograd: ops record themselves (with the tensor they read and the tensor they
/// produced) while the forward pass runs; <see cref="Backward(Tensor)"/> seeds the loss gradient
/// with 1 and runs the ops in reverse. Every op's backward WRITES (=) its input's gradient, as
/// llm.c does for activations, so no gradient is zeroed first (no memset per activation); this
/// needs each recorded tensor to feed at most one recorded op, which <see cref="Record"/> checks.
/// Parameter gradients accumulate (+=); AdamW's step zeroes them as it consumes them. Beside the
/// ops the tape holds the <see cref="ForwardPass"/> they run in (training or inference, seed and
/// step). The list is reused: recording a step allocates nothing once its capacity is reached.
/// </summary>
public sealed class GradientTape
{
    private readonly List<(IBackward Op, Tensor Input, Tensor Output)> _ops = new();
    private readonly TensorKernels _kernels;

    public GradientTape(ComputeDevice device)
    {
        _kernels = TensorKernels.For(device);
    }

    /// <summary>The pass in progress (set by <see cref="Begin"/>).</summary>
    public ForwardPass Pass { get; private set; }

    /// <summary>True when ops should record themselves (in a training pass).</summary>
    public bool Recording => Pass.IsTraining;

    public int Count => _ops.Count;

    /// <summary>Called around every op's backward (profiling); null in normal training.</summary>
    public IBackwardObserver? Observer { get; set; }

    /// <summary>Starts a new pass: clears the tape.</summary>
    public void Begin(ForwardPass pass)
    {
        _ops.Clear();
        Pass = pass;
    }

    /// <summary>
    /// Records an op, the tensor it read and the tensor it wrote. The op's backward overwrites
    /// <paramref name="input"/>'s gradient, so a tensor that already feeds a recorded op cannot feed
    /// another (its gradient would need a sum); that is refused.
    /// </summary>
    public void Record(IBackward op, Tensor input, Tensor output)
    {
        if (Recording)
        {
            if (!output.RequiresGrad)
            {
                throw new InvalidOperationException($"op output '{output.Name}' has no gradient buffer but was recorded on the tape");
            }

            for (int i = 0; i < _ops.Count; i++)
            {
                if (ReferenceEquals(_ops[i].Input, input))
                {
                    throw new InvalidOperationException($"tensor '{input.Name}' feeds two recorded ops; backward writes each input's gradient once, so fan-out is not supported");
                }
            }

            _ops.Add((op, input, output));
        }
    }

    /// <summary>
    /// Backpropagates from <paramref name="loss"/> (a 1-element tensor produced by the last recorded op).
    /// Activation gradients are written (=) by their one consumer; parameter gradients accumulate
    /// (+=) onto what they hold — zero, in training, because AdamW's step zeroes every gradient it
    /// consumed (call <see cref="ParameterStore.ZeroGrad"/> first only where no such step ran).
    /// </summary>
    public void Backward(Tensor loss)
    {
        if (loss.Length != 1)
        {
            throw new InvalidOperationException($"Backward() expects a 1-element loss, but got {loss.Shape}; use Backward(output, gradient) for other outputs");
        }

        CheckLast(loss);
        _kernels.Fill(loss.Grad, 1f);
        RunBackward();
    }

    /// <summary>
    /// Backpropagates a given gradient of the last recorded output (like PyTorch's
    /// <c>y.backward(gradient)</c>; host data, so for tests and tools, not the training step).
    /// </summary>
    public void Backward(Tensor output, float[] gradient)
    {
        CheckLast(output);
        output.Grad.CopyFromCPU(gradient);
        RunBackward();
    }

    private void CheckLast(Tensor output)
    {
        if (_ops.Count == 0)
        {
            throw new InvalidOperationException("Backward() was called on an empty tape (was the forward pass run in training mode?)");
        }

        if (!ReferenceEquals(_ops[^1].Output, output))
        {
            throw new InvalidOperationException("Backward() expects the output of the last recorded op");
        }
    }

    private void RunBackward()
    {
        for (int i = _ops.Count - 1; i >= 0; i--)
        {
            var op = _ops[i].Op;
            Observer?.Before(op);
            op.Backward();
            Observer?.After(op);
        }
    }
}
