using System.Text.Json;
using PipelineOps.IO;

namespace PipelineOps.Collection;

/// <summary>
/// A stream's progress as of its last flush: the file, its length and record count then, and the last record's time
/// and sequence. Replaced atomically after each flush. The data file is the truth: at start the checkpoint is
/// reconciled with it, and rebuilt from it when missing or unreadable.
/// </summary>
public sealed record Checkpoint(
    string Stream,
    string File,
    long Offset,
    long Records,
    long TotalFlushed,
    string? LastRecordTime,
    string? LastSequence,
    DateTime UpdatedUtc)
{
    public static string PathFor(string directory, string stream) =>
        Path.Combine(directory, ".pipelineops", $"{stream}.checkpoint.json");

    /// <summary>The checkpoint, or null when there is none; InvalidDataException when it cannot be read.</summary>
    public static Checkpoint? Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Checkpoint>(System.IO.File.ReadAllBytes(path)) is { File: not null, Stream: not null } c
                ? c
                : throw new InvalidDataException($"The checkpoint '{path}' is incomplete.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The checkpoint '{path}' cannot be read ({e.Message}).", e);
        }
    }

    public void Save(string path, bool fsync) => Durable.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this), fsync);
}
