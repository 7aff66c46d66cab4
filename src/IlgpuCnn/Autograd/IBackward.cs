namespace IlgpuCnn.Autograd;

/// <summary>
/// An op on the tape: after its forward ran, <see cref="Backward"/> reads its output's gradient
/// and ACCUMULATES (+=) into the gradients of its inputs that need one.
/// </summary>
public interface IBackward
{
    void Backward();
}
