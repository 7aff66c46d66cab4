namespace IlgpuCnn.Autograd;

/// <summary>
/// An op on the tape: after its forward ran, <see cref="Backward"/> reads its output's gradient,
/// WRITES (=) the gradient of its input when that input needs one (an activation gradient has one
/// writer: a tensor feeds one recorded op), and ACCUMULATES (+=) into its parameters' gradients.
/// </summary>
public interface IBackward
{
    void Backward();
}
