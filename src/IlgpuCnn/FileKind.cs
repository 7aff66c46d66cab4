namespace IlgpuCnn;

/// <summary>What a path names on disk, as <see cref="PathKind.Of"/> reads it without opening it.</summary>
public enum FileKind
{
    Missing,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
}
