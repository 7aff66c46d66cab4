namespace IlgpuCnn.Kernels;

/// <summary>
/// Shapes of one 2D convolution, NCHW. x: [N, Ci, H, W]; w: [Co, Ci, KH, KW]; y: [N, Co, OH, OW]
/// with OH = (H + 2·Pad − KH) / Stride + 1 (likewise OW).
/// </summary>
public readonly struct ConvGeometry
{
    public ConvGeometry(int n, int ci, int h, int w, int co, int kh, int kw, int stride, int pad)
    {
        if (n <= 0 || ci <= 0 || h <= 0 || w <= 0 || co <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0)
        {
            throw new ArgumentException($"invalid convolution geometry N={n} Ci={ci} H={h} W={w} Co={co} K={kh}x{kw} stride={stride} pad={pad}");
        }

        N = n;
        Ci = ci;
        H = h;
        W = w;
        Co = co;
        KH = kh;
        KW = kw;
        Stride = stride;
        Pad = pad;
        OH = ((h + 2 * pad - kh) / stride) + 1;
        OW = ((w + 2 * pad - kw) / stride) + 1;
        if (OH <= 0 || OW <= 0)
        {
            throw new ArgumentException($"a {kh}x{kw} kernel with padding {pad} does not fit a {h}x{w} input");
        }

        _inPlaneMagic = Divisor.MagicOf(h * w);
        _outPlaneMagic = Divisor.MagicOf(OH * OW);
    }

    public readonly int N;
    public readonly int Ci;
    public readonly int H;
    public readonly int W;
    public readonly int Co;
    public readonly int KH;
    public readonly int KW;
    public readonly int Stride;
    public readonly int Pad;
    public readonly int OH;
    public readonly int OW;

    /// <summary><see cref="Divisor.MagicOf"/> H·W and OH·OW (host-computed, so a kernel divides by a plane without dividing).</summary>
    private readonly uint _inPlaneMagic;
    private readonly uint _outPlaneMagic;

    /// <summary>H·W as a <see cref="Divisor"/>: the backward-data output's plane (<see cref="NchwOut"/>).</summary>
    public Divisor InPlane => new(H * W, _inPlaneMagic);

    /// <summary>OH·OW as a <see cref="Divisor"/>: the forward output's plane (<see cref="NchwOut"/>).</summary>
    public Divisor OutPlane => new(OH * OW, _outPlaneMagic);

    /// <summary>"Same" padding for an odd kernel at stride 1.</summary>
    public static int SamePad(int k) => (k - 1) / 2;
}
