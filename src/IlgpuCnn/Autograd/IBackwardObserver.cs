namespace IlgpuCnn.Autograd;

/// <summary>Sees every op's backward as the tape runs it (the profiler times them).</summary>
public interface IBackwardObserver
{
    void Before(IBackward op);

    void After(IBackward op);
}
