using System.Globalization;
using System.Text.RegularExpressions;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>One SASS instruction: its byte address and opcode with modifiers (e.g. "LDS.128").</summary>
public readonly record struct SassInstruction(int Address, string Opcode, string Operands)
{
    /// <summary>The opcode without modifiers ("LDS" for "LDS.U.128").</summary>
    public string Base => Opcode.Split('.')[0];

    /// <summary>The guard predicate ("@P3", "@!P0"), empty when the instruction always runs.</summary>
    public string Guard { get; init; } = string.Empty;

    /// <summary>The scheduling control bits ptxas wrote beside the instruction.</summary>
    public SassControl Control { get; init; }

    /// <summary>A global-memory load (generic LD or LDG).</summary>
    public bool IsGlobalLoad => Base is "LD" or "LDG";

    /// <summary>Guarded by a predicate other than PT.</summary>
    public bool IsPredicated => !string.IsNullOrEmpty(Guard) && Guard != "@PT";
}

/// <summary>
/// The control bits of a Volta-to-Hopper SASS instruction (bits 105–125 of its 128 bits, the
/// high word's bits 41–61): stall cycles before the next instruction may issue, the scoreboard
/// it sets when its result is ready (write barrier) and when its sources are read (read barrier),
/// and the scoreboards it waits for. Barrier 7 means none. <see cref="Known"/> is false when the
/// listing had no encoding (a hand-written test listing): one cycle, no scoreboards.
/// </summary>
public readonly record struct SassControl(int Stall, int WriteBarrier, int ReadBarrier, int WaitMask, bool Known)
{
    public static readonly SassControl None = new(1, 7, 7, 0, false);

    /// <summary>Decodes the control bits from the high 64-bit word of the encoding.</summary>
    public static SassControl FromHighWord(ulong high)
    {
        ulong c = high >> 41;
        return new SassControl((int)(c & 0xf), (int)((c >> 5) & 7), (int)((c >> 8) & 7), (int)((c >> 11) & 0x3f), true);
    }
}

/// <summary>A loop in SASS: the instructions from a backward branch's target up to the branch.</summary>
public sealed record SassLoop(int Start, int End, IReadOnlyList<SassInstruction> Body)
{
    public bool Contains(SassLoop other) => other != this && Start <= other.Start && other.End <= End;
}

/// <summary>
/// Instruction mix of a stretch of SASS: what the static profile reports for a kernel's hottest
/// loop. Widths are in bits; an emulated 32-bit integer division (or remainder) is counted by
/// its <c>I2F.RP</c>/<c>I2F.U32.RP</c> (each software division starts with one).
/// </summary>
public sealed record SassMix(
    int Instructions,
    int Ffma,
    int SharedLoads32,
    int SharedLoads64,
    int SharedLoads128,
    int SharedStores,
    int GlobalLoads32,
    int GlobalLoadsWide,
    int GlobalLoadsGeneric,
    int GlobalStores,
    int Divisions,
    int Barriers,
    int IntegerOps)
{
    public int SharedLoads => SharedLoads32 + SharedLoads64 + SharedLoads128;

    public int GlobalLoads => GlobalLoads32 + GlobalLoadsWide;

    /// <summary>Shared-memory wavefronts of one warp executing this once (128 bytes each).</summary>
    public int SharedWavefronts => SharedLoads32 + (2 * SharedLoads64) + (4 * SharedLoads128) + SharedStores;

    /// <summary>One of <paramref name="times"/> equal parts (a loop body that ptxas unrolled <paramref name="times"/>-fold, per original iteration; rounded up).</summary>
    public SassMix Per(int times)
    {
        if (times <= 1)
        {
            return this;
        }

        int Up(int count) => (count + times - 1) / times;
        return new SassMix(
            Up(Instructions), Up(Ffma), Up(SharedLoads32), Up(SharedLoads64), Up(SharedLoads128), Up(SharedStores),
            Up(GlobalLoads32), Up(GlobalLoadsWide), Up(GlobalLoadsGeneric), Up(GlobalStores), Up(Divisions), Up(Barriers), Up(IntegerOps));
    }

    public static SassMix Of(IEnumerable<SassInstruction> code)
    {
        var c = code.Where(i => i.Opcode != "NOP").ToList();
        int Count(Func<SassInstruction, bool> f) => c.Count(f);
        return new SassMix(
            c.Count,
            Count(i => i.Base == "FFMA"),
            Count(i => i.Base == "LDS" && Width(i) == 32),
            Count(i => i.Base == "LDS" && Width(i) == 64),
            Count(i => i.Base == "LDS" && Width(i) == 128),
            Count(i => i.Base == "STS"),
            Count(i => i.Base is "LD" or "LDG" && Width(i) == 32),
            Count(i => i.Base is "LD" or "LDG" && Width(i) > 32),
            Count(i => i.Base == "LD"),
            Count(i => i.Base is "ST" or "STG" or "RED" or "ATOM" or "REDG"),
            Count(i => i.Base == "I2F" && i.Opcode.Split('.').Contains("RP")),
            Count(i => i.Base == "BAR"),
            Count(i => IntegerOpcodes.Contains(i.Base)));
    }

    private static readonly HashSet<string> IntegerOpcodes =
        ["IMAD", "IADD3", "LEA", "SHF", "LOP3", "ISETP", "IMNMX", "SEL", "VIADD", "IABS", "IMUL", "SHL", "SHR", "LEA.HI", "VIMNMX", "UIADD3", "UIMAD", "ULEA", "USHF", "ULOP3", "UISETP"];

    /// <summary>Access width in bits from the opcode's modifiers (".64", ".128"; else 32).</summary>
    private static int Width(SassInstruction i)
    {
        var parts = i.Opcode.Split('.');
        return parts.Contains("128") ? 128 : parts.Contains("64") ? 64 : 32;
    }

    public static SassMix operator +(SassMix a, SassMix b) => new(
        a.Instructions + b.Instructions, a.Ffma + b.Ffma, a.SharedLoads32 + b.SharedLoads32, a.SharedLoads64 + b.SharedLoads64,
        a.SharedLoads128 + b.SharedLoads128, a.SharedStores + b.SharedStores, a.GlobalLoads32 + b.GlobalLoads32, a.GlobalLoadsWide + b.GlobalLoadsWide,
        a.GlobalLoadsGeneric + b.GlobalLoadsGeneric, a.GlobalStores + b.GlobalStores, a.Divisions + b.Divisions, a.Barriers + b.Barriers, a.IntegerOps + b.IntegerOps);

    public SassMix Times(double f) => new(
        (int)Math.Round(Instructions * f), (int)Math.Round(Ffma * f), (int)Math.Round(SharedLoads32 * f), (int)Math.Round(SharedLoads64 * f),
        (int)Math.Round(SharedLoads128 * f), (int)Math.Round(SharedStores * f), (int)Math.Round(GlobalLoads32 * f), (int)Math.Round(GlobalLoadsWide * f),
        (int)Math.Round(GlobalLoadsGeneric * f), (int)Math.Round(GlobalStores * f), (int)Math.Round(Divisions * f), (int)Math.Round(Barriers * f), (int)Math.Round(IntegerOps * f));
}

/// <summary>SASS of one kernel as printed by <c>cuobjdump -sass</c>, with its loops.</summary>
public sealed partial class SassListing
{
    private SassListing(IReadOnlyList<SassInstruction> code)
    {
        Code = code;
        var loops = new List<SassLoop>();
        foreach (var i in code)
        {
            if (i.Base == "BRA")
            {
                var t = Target().Match(i.Operands);
                if (t.Success)
                {
                    int target = int.Parse(t.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (target <= i.Address)
                    {
                        loops.Add(new SassLoop(target, i.Address, code.Where(c => c.Address >= target && c.Address <= i.Address).ToList()));
                    }
                }
            }
        }

        Loops = loops;
    }

    public IReadOnlyList<SassInstruction> Code { get; }

    public IReadOnlyList<SassLoop> Loops { get; }

    public static SassListing Parse(string cuobjdump)
    {
        var code = new List<SassInstruction>();
        foreach (Match m in Line().Matches(cuobjdump))
        {
            code.Add(new SassInstruction(int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Groups[3].Value, m.Groups[4].Value.Trim())
            {
                Guard = m.Groups[2].Value.Trim(),
                Control = m.Groups[5].Success ? SassControl.FromHighWord(ulong.Parse(m.Groups[5].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)) : SassControl.None,
            });
        }

        return new SassListing(code);
    }

    /// <summary>
    /// The loop where the time goes: the one with the most FFMA (the innermost on a tie), else
    /// the innermost loop with global loads (else any innermost loop) with the most instructions; null for straight-line code.
    /// </summary>
    public SassLoop? HotLoop()
    {
        if (Loops.Count == 0)
        {
            return null;
        }

        var withFfma = Loops.Where(l => SassMix.Of(l.Body).Ffma > 0).ToList();
        if (withFfma.Count > 0)
        {
            return withFfma.OrderByDescending(l => SassMix.Of(l.Body).Ffma).ThenBy(l => l.Body.Count).First();
        }

        var innermost = Loops.Where(l => !Loops.Any(l.Contains)).ToList();
        var loading = innermost.Where(l => SassMix.Of(l.Body).GlobalLoads > 0).ToList();
        return (loading.Count > 0 ? loading : innermost).OrderByDescending(l => l.Body.Count).First();
    }

    /// <summary>The smallest loop strictly containing <paramref name="inner"/> (a tiled GEMM's K loop around its compute loop).</summary>
    public SassLoop? Enclosing(SassLoop inner) => Loops.Where(l => l.Contains(inner)).OrderBy(l => l.End - l.Start).FirstOrDefault();

    [GeneratedRegex(@"/\*([0-9a-f]{4,})\*/\s+(@!?U?P[T0-9]+\s+)?([A-Z][A-Z0-9_.]*)([^;]*);(?:\s*/\*\s*0x[0-9a-f]{16}\s*\*/\s*/\*\s*0x([0-9a-f]{16})\s*\*/)?")]
    private static partial Regex Line();

    [GeneratedRegex(@"0x([0-9a-f]+)")]
    private static partial Regex Target();
}

/// <summary>
/// Serial global-memory round trips in a stretch of SASS: a load's result used (by any later
/// instruction, e.g. the shared store of a staged tile) fewer than <paramref name="hideDistance"/>
/// instructions after the earliest outstanding load counts as one exposed round trip (the warp
/// waits); loads issued earlier and used later overlap with the work in between (a prefetch).
/// </summary>
public static partial class RoundTrips
{
    public static int Exposed(IReadOnlyList<SassInstruction> code, int hideDistance = 64)
    {
        var pending = new HashSet<int>();
        int firstPending = -1;
        int exposed = 0;
        for (int i = 0; i < code.Count; i++)
        {
            var ins = code[i];
            var regs = Registers(ins.Operands);
            if (pending.Count > 0 && Sources(ins, regs).Any(pending.Contains))
            {
                exposed += i - firstPending < hideDistance ? 1 : 0;
                pending.Clear();
                firstPending = -1;
            }

            if (ins.Base is "LD" or "LDG" && regs.Count > 0)
            {
                for (int r = 0; r < LoadWidth(ins); r++)
                {
                    pending.Add(regs[0] + r);
                }

                firstPending = firstPending < 0 ? i : firstPending;
            }
        }

        return exposed;
    }

    /// <summary>Registers an instruction reads: for loads and ALU ops everything after the first operand; for stores everything.</summary>
    internal static IEnumerable<int> Sources(SassInstruction ins, List<int> regs) =>
        ins.Base is "ST" or "STG" or "STS" or "RED" or "ATOM" or "BAR" ? regs : regs.Skip(1);

    /// <summary>32-bit registers a load writes.</summary>
    internal static int LoadWidth(SassInstruction ins) =>
        ins.Opcode.Contains(".128", StringComparison.Ordinal) ? 4 : ins.Opcode.Contains(".64", StringComparison.Ordinal) ? 2 : 1;

    internal static List<int> Registers(string operands)
    {
        var list = new List<int>();
        foreach (System.Text.RegularExpressions.Match m in Reg().Matches(operands))
        {
            int r = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            list.Add(r);
            if (m.Groups[2].Success)
            {
                list.Add(r + 1);
            }
        }

        return list;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\bR(\d+)(\.64)?")]
    private static partial System.Text.RegularExpressions.Regex Reg();
}
