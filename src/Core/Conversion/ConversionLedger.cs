using System.Text.Json;
using System.Text.Json.Serialization;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>What the ledger remembers of one converted source.</summary>
/// <param name="Source">Full path of the source.</param>
/// <param name="Size">Its size when converted.</param>
/// <param name="LastWriteTimeUtc">Its last write time when converted.</param>
/// <param name="Fingerprint">A hash of its length, first and last 64 KiB.</param>
/// <param name="Outputs">Outputs, relative to the destination, with '/' separators.</param>
/// <param name="Rows">Records written.</param>
/// <param name="BadLines">Lines quarantined or skipped.</param>
/// <param name="ConvertedAtUtc">When.</param>
/// <param name="Identity">The source the outputs belong to (<see cref="SourceIdentity.Key"/>), shared by every name
/// the same records were seen under; null in entries from before identities, whose source is their path.</param>
/// <param name="Stream">The stream name the source's file name gave (level2).</param>
/// <param name="Period">The period the source's file name gave (20251114).</param>
/// <param name="Head">A hash of the first <paramref name="HeadLength"/> bytes of the decompressed content.</param>
/// <param name="HeadLength">How many bytes <paramref name="Head"/> covers.</param>
/// <param name="Content">A fingerprint of the decompressed content (<see cref="ContentTap"/>): the same for the same
/// records plain or compressed.</param>
public sealed record LedgerEntry(
    string Source,
    long Size,
    DateTime LastWriteTimeUtc,
    string Fingerprint,
    IReadOnlyList<string> Outputs,
    long Rows,
    long BadLines,
    DateTime ConvertedAtUtc,
    string? Identity = null,
    string? Stream = null,
    string? Period = null,
    string? Head = null,
    int HeadLength = 0,
    string? Content = null)
{
    /// <summary>The key of the source this entry's outputs belong to.</summary>
    public string SourceKey => Identity ?? Source;
}

/// <summary>
/// The destination's record of converted sources: _pipelineops/ledger.jsonl, one JSON line per conversion,
/// appended and flushed to disk after the outputs are in place; the last line for a path wins, and the last line for a
/// source (its <see cref="LedgerEntry.SourceKey"/>, shared by every name it was seen under) says which outputs hold its
/// records. A torn last line (a crash mid-append) is ignored; that source is simply converted again.
/// </summary>
public sealed class ConversionLedger
{
    private readonly string _path;
    private readonly Dictionary<string, LedgerEntry> _entries;
    private readonly Dictionary<string, LedgerEntry> _sources = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private ConversionLedger(string path, List<LedgerEntry> lines)
    {
        _path = path;
        _entries = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        foreach (var entry in lines)
        {
            _entries[entry.Source] = entry;
            _sources[entry.SourceKey] = entry;
        }
    }

    public static string PathFor(string destination) => System.IO.Path.Combine(destination, "_pipelineops", "ledger.jsonl");

    public string Path => _path;

    /// <summary>Lines that could not be read (a torn last line after a crash).</summary>
    public int UnreadableLines { get; private init; }

    public static ConversionLedger Load(string destination)
    {
        var path = PathFor(destination);
        var entries = new List<LedgerEntry>();
        var unreadable = 0;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                try
                {
                    var entry = JsonSerializer.Deserialize(line, LedgerJson.Default.LedgerEntry);
                    if (entry is not null)
                    {
                        entries.Add(entry);
                    }
                }
                catch (JsonException)
                {
                    unreadable++;
                }
            }
        }

        return new ConversionLedger(path, entries) { UnreadableLines = unreadable };
    }

    public LedgerEntry? Find(string source)
    {
        lock (_gate)
        {
            return _entries.GetValueOrDefault(source);
        }
    }

    /// <summary>The latest entry of a source, by <see cref="LedgerEntry.SourceKey"/>: the one whose outputs hold its records.</summary>
    public LedgerEntry? Latest(string sourceKey)
    {
        lock (_gate)
        {
            return _sources.GetValueOrDefault(sourceKey);
        }
    }

    /// <summary>The latest entry of the source <paramref name="identity"/> is, seen before under another name.</summary>
    public LedgerEntry? FindSource(SourceIdentity identity)
    {
        lock (_gate)
        {
            return _sources.Values.Where(identity.IsSourceOf).MaxBy(e => e.HeadLength);
        }
    }

    /// <summary>Appends an entry and flushes it to disk. Safe from several threads.</summary>
    public void Record(LedgerEntry entry)
    {
        byte[] line = [.. JsonSerializer.SerializeToUtf8Bytes(entry, LedgerJson.Default.LedgerEntry), (byte)'\n'];
        lock (_gate)
        {
            LineAppender.Append(_path, line, flushToDisk: true);
            _entries[entry.Source] = entry;
            _sources[entry.SourceKey] = entry;
        }
    }
}

/// <summary>The ledger's JSON, generated at compile time: a conversion starts without building a serializer by
/// reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LedgerEntry))]
internal sealed partial class LedgerJson : JsonSerializerContext;
