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
public sealed record LedgerEntry(
    string Source,
    long Size,
    DateTime LastWriteTimeUtc,
    string Fingerprint,
    IReadOnlyList<string> Outputs,
    long Rows,
    long BadLines,
    DateTime ConvertedAtUtc);

/// <summary>
/// The destination's record of converted sources: _pipelineops/ledger.jsonl, one JSON line per conversion,
/// appended and flushed to disk after the outputs are in place; the last line for a source wins. A torn last
/// line (a crash mid-append) is ignored; that source is simply converted again.
/// </summary>
public sealed class ConversionLedger
{
    private readonly string _path;
    private readonly Dictionary<string, LedgerEntry> _entries;
    private readonly object _gate = new();

    private ConversionLedger(string path, Dictionary<string, LedgerEntry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static string PathFor(string destination) => System.IO.Path.Combine(destination, "_pipelineops", "ledger.jsonl");

    public string Path => _path;

    /// <summary>Lines that could not be read (a torn last line after a crash).</summary>
    public int UnreadableLines { get; private init; }

    public static ConversionLedger Load(string destination)
    {
        var path = PathFor(destination);
        var entries = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
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
                        entries[entry.Source] = entry;
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

    /// <summary>Appends an entry and flushes it to disk. Safe from several threads.</summary>
    public void Record(LedgerEntry entry)
    {
        byte[] line = [.. JsonSerializer.SerializeToUtf8Bytes(entry, LedgerJson.Default.LedgerEntry), (byte)'\n'];
        lock (_gate)
        {
            LineAppender.Append(_path, line, flushToDisk: true);
            _entries[entry.Source] = entry;
        }
    }
}

/// <summary>The ledger's JSON, generated at compile time: a conversion starts without building a serializer by
/// reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LedgerEntry))]
internal sealed partial class LedgerJson : JsonSerializerContext;
