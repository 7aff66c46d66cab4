using System.Reflection;

namespace IlgpuCnn;

/// <summary>What build of IlgpuCnn is running: the version and the git commit the SDK stamps into the assembly.</summary>
public static class BuildInfo
{
    /// <summary>The assembly's informational version, e.g. <c>1.0.0+cd6066e0…</c> (the part after '+' is the commit).</summary>
    public static string Version { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The git commit this build was made from, or "unknown" when it was built outside a git checkout.</summary>
    public static string Commit { get; } = Version.Contains('+', StringComparison.Ordinal) ? Version[(Version.IndexOf('+', StringComparison.Ordinal) + 1)..] : "unknown";
}
