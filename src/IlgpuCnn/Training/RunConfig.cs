using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IlgpuCnn.Training;

/// <summary>
/// The options records as JSON (snake_case, enums as strings): <c>config.json</c> of a run folder
/// and the <c>run_options</c> of a training checkpoint. Reading gives back equal records.
/// </summary>
public static class RunConfig
{
    /// <summary>The key of the run's facts that are not options (device name, rows, start time) in config.json.</summary>
    public const string EnvironmentKey = "environment";

    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize(RunOptions run) => JsonSerializer.Serialize(run, Json);

    /// <summary>The options back from <see cref="Serialize"/> or config.json; <paramref name="source"/> names the file in errors.</summary>
    public static RunOptions Deserialize(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunOptions>(json, Json) ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new UserError($"The options in '{source}' are not valid ({e.Message}); the file is damaged, use another one.", e);
        }
    }

    /// <summary>Writes config.json: the options, then the run's <paramref name="environment"/> under <see cref="EnvironmentKey"/>.</summary>
    public static void Write(string path, RunOptions run, RunEnvironment environment)
    {
        var node = JsonSerializer.SerializeToNode(run, Json)!.AsObject();
        node[EnvironmentKey] = JsonSerializer.SerializeToNode(environment, Json);
        AtomicFile.WriteText(path, node.ToJsonString(Json) + "\n");
    }

    /// <summary>Reads the options of a config.json.</summary>
    public static RunOptions Read(string path) => Deserialize(BoundedFile.ReadAllText(path), path);
}
