using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PipelineOps.Files;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Which source a file is, whatever its name, compression or folder: its stream and period (from the name:
/// level2_20251114.jsonl and /moved/level2_20251114.jsonl.gz are stream level2, period 20251114) and the head of its
/// decompressed content. A file that is renamed, gzip-compressed (as logrotate does) or moved is the same source, so
/// its records are never published twice; a source that grew keeps its identity (its old head is a prefix of its
/// content), and a source whose content changed at the same path is still that path's source and replaces its outputs.
/// </summary>
public sealed class SourceIdentity
{
    /// <summary>How much of the content's start is compared.</summary>
    public const int HeadSpan = 64 * 1024;

    private readonly byte[] _head;

    private SourceIdentity(string stream, string period, byte[] head)
    {
        Stream = stream;
        Period = period;
        _head = head;
        HeadHash = HashOf(head);
    }

    public string Stream { get; }

    public string Period { get; }

    /// <summary>A hash of the content's first <see cref="HeadLength"/> bytes.</summary>
    public string HeadHash { get; }

    public int HeadLength => _head.Length;

    /// <summary>The key a new source's outputs and ledger entries are known by.</summary>
    public string Key => $"{Stream}|{Period}|{HeadHash}";

    /// <summary>Reads the name and the head of the decompressed content.</summary>
    public static SourceIdentity Of(SourceFile source)
    {
        var stamp = FileNameStamp.TryParse(Path.GetFileName(source.Path));
        var (stream, period) = stamp is null
            ? (source.Stem, "")
            : (stamp.Group, stamp.Start.ToString(stamp.Start.TimeOfDay == TimeSpan.Zero ? "yyyyMMdd" : "yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture)
                            + (stamp.Sequence > 0 ? "." + stamp.Sequence.ToString(CultureInfo.InvariantCulture) : ""));
        var head = new byte[HeadSpan];
        var length = 0;
        try
        {
            using var content = source.Open();
            int read;
            while (length < head.Length && (read = content.Read(head, length, head.Length - length)) > 0)
            {
                length += read;
            }
        }
        catch (Exception e) when (source.IsGzip && e is InvalidDataException or EndOfStreamException or GzipTrailingDataException)
        {
            // A gzip stream cut short or followed by other bytes: its head is what could be read (the conversion fails it).
        }

        return new SourceIdentity(stream, period, head[..length]);
    }

    /// <summary>Whether this is the source an earlier conversion recorded: same stream and period, and its content starts
    /// with the head that conversion saw (all of it, so a source that has grown since still matches).</summary>
    public bool IsSourceOf(LedgerEntry entry) =>
        entry.Stream == Stream && entry.Period == Period && entry.Head is { } head && entry.HeadLength > 0
        && entry.HeadLength <= _head.Length && HashOf(_head.AsSpan(0, entry.HeadLength)) == head;

    private static string HashOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 16);

    /// <summary>The short hash output names carry for a source key (for ledgers from before identities: its path).</summary>
    public static string OutputHash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 4);
}
