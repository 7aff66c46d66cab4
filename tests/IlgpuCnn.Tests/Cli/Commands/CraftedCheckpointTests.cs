using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using IlgpuCnn.Tests.Data;
using IlgpuCnn.Training;

namespace IlgpuCnn.Tests.Cli.Commands;

/// <summary>
/// A checkpoint whose saved run options were tampered with (issue 19, point 7: patience −1, batch
/// size 0, beta1 2, a validation split that leaves no row) is refused by <c>train --resume</c> in one
/// sentence naming the file — never as a flag the user did not pass, never with a stack trace.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CraftedCheckpointTests : IDisposable
{
    private readonly string _dir = TestParquet.NewTempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TamperedSavedOptionsAreBlamedOnTheCheckpointNotOnAFlag()
    {
        string data = TestParquet.TinySplits(_dir);
        string run = Path.Combine(_dir, "run");
        var trained = CliRunner.Run("train", "--device", "cpu", "--data", data, "--out", run, "--width", "0.125", "--epochs", "1", "--batch-size", "8");
        Assert.True(trained.Code == 0, trained.Err);
        string checkpoint = Path.Combine(run, RunFiles.Checkpoint);

        var cases = new (string Path, JsonNode Value, string Said)[]
        {
            ("callbacks.early_stopping.patience", -1, "patience"),
            ("training.batch_size", 0, "batch size"),
            ("training.optimizer.beta1", 2.0, "beta_1"),
            ("training.validation_split", 1e-17, "leaves no validation rows"),
        };
        foreach (var (path, value, said) in cases)
        {
            string crafted = Path.Combine(_dir, $"crafted-{path}.safetensors");
            WithSavedOption(checkpoint, crafted, path, value);
            var result = CliRunner.Run("train", "--device", "cpu", "--data", data, "--resume", crafted, "--epochs", "2", "--out", Path.Combine(_dir, "resumed-" + path));
            Assert.True(result.Code == 1, $"{path}: exit {result.Code}: {result.Err}");
            Assert.StartsWith($"error: The options saved in '{crafted}'", result.Err);
            Assert.Contains(said, result.Err);
            Assert.Single(result.Err.Trim().Split('\n'));
            Assert.DoesNotContain("--", result.Err.Replace(crafted, "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", result.Err);
        }
    }

    /// <summary>Copies the safetensors file <paramref name="source"/> with one value of its saved run options (a dotted JSON path) replaced.</summary>
    private static void WithSavedOption(string source, string target, string dotted, JsonNode value)
    {
        byte[] bytes = File.ReadAllBytes(source);
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!;
        var options = JsonNode.Parse(header["__metadata__"]!["run_options"]!.GetValue<string>())!;
        var keys = dotted.Split('.');
        var node = keys[..^1].Aggregate(options, (n, k) => n[k]!);
        node[keys[^1]] = value;
        header["__metadata__"]!["run_options"] = options.ToJsonString();
        string json = header.ToJsonString();
        json += new string(' ', (8 - (Encoding.UTF8.GetByteCount(json) % 8)) % 8);
        byte[] head = Encoding.UTF8.GetBytes(json);
        using var file = File.Create(target);
        Span<byte> size = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)head.Length);
        file.Write(size);
        file.Write(head);
        file.Write(bytes.AsSpan(8 + length));
    }
}
