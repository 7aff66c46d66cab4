namespace IlgpuCnn.Data;

/// <summary>Where the data folder came from, in the order they are tried.</summary>
public enum DataOrigin
{
    /// <summary>The <c>--data</c> flag.</summary>
    Flag,

    /// <summary>The <c>ILGPUCNN_DATA</c> environment variable.</summary>
    Environment,

    /// <summary>The user cache (<c>$XDG_CACHE_HOME/ilgpucnn/cifar10</c> or <c>~/.cache/ilgpucnn/cifar10</c>); the only folder downloaded into.</summary>
    Cache,
}
