namespace IlgpuCnn.Data;

/// <summary>One split of an export: its name, source shards, row limit (null: all) and, when the caller has it, its decoded rows for the comparison.</summary>
public sealed record ExportSplit(string Split, IReadOnlyList<string> Shards, int? Limit, CifarDataset? Source = null);
