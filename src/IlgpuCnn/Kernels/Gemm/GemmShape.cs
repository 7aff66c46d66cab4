namespace IlgpuCnn.Kernels;

/// <summary>Which GEMM body a blocked conv pass runs on (see <see cref="Conv2dKernels.RunShape"/>).</summary>
public enum GemmShape
{
    /// <summary><see cref="BlockedGemm"/> with <see cref="IKCursor"/> operands (K not in runs of 8).</summary>
    Cursor,

    /// <summary><see cref="RunGemm.Run"/>: 64×64 tiles.</summary>
    Wide,

    /// <summary><see cref="RunGemm.RunNarrow"/>: 64×32 tiles, for GEMMs at most 32 wide.</summary>
    Narrow,
}
