using System.Collections.Concurrent;

namespace PipelineOps.Conversion;

/// <summary>Which source a file is (see <see cref="SourceIdentity"/>), and what the ledger knows of it.</summary>
public sealed partial class JsonlConverter
{
    private readonly ConcurrentDictionary<string, object> _sourceLocks = new(StringComparer.Ordinal);

    /// <summary>Held while one source is converted: two names of the same records converting at once would race for
    /// the same outputs; the second waits and then finds the first one's entry.</summary>
    private object SourceLock(string key) => _sourceLocks.GetOrAdd(key, _ => new object());

    private ConversionResult UpToDate(SourceFile source, LedgerEntry entry, long started, string reason) =>
        new(source.Path, entry.Outputs.Select(Absolute).ToArray(), entry.Rows, entry.BadLines, false, source.Length,
            entry.Outputs.Sum(o => new FileInfo(Absolute(o)).Length), _clock.GetElapsedTime(started), ConversionStatus.UpToDate, reason);

    /// <summary>An up-to-date entry from before identities: its head and content are read once and recorded (its key
    /// stays its path, so its outputs keep their names), so a later rename or compression is known for what it is.</summary>
    private LedgerEntry NoteIdentity(LedgerEntry entry, SourceFile source)
    {
        if (entry.Head is not null)
        {
            return entry;
        }

        var identity = SourceIdentity.Of(source);
        var noted = entry with
        {
            Identity = entry.SourceKey, Stream = identity.Stream, Period = identity.Period, Head = identity.HeadHash,
            HeadLength = identity.HeadLength, Content = ContentTap.Of(source),
        };
        _ledger.Record(noted);
        return noted;
    }

    /// <summary>The entry of the same records converted under another name (renamed, compressed or moved) whose outputs
    /// are all in place, or null. Only for a path the ledger does not know: a known path that changed is converted again.</summary>
    private LedgerEntry? SameRecordsElsewhere(LedgerEntry? atPath, LedgerEntry? latest, SourceFile source) =>
        atPath is null && latest is { Content: { } content } && latest.Outputs.All(o => File.Exists(Absolute(o)))
        && ContentTap.Of(source) == content
            ? latest
            : null;

    /// <summary>
    /// The columns a file is written in: the dataset's schema with the file's columns merged in (see
    /// <see cref="DatasetSchema"/>), and the names of the dataset's columns the file's records were not seen to have.
    /// A column the file only ever had nulls in says nothing of its kind: it takes the dataset's.
    /// </summary>
    private (IReadOnlyList<ColumnSpec> Columns, string[] DatasetOnly) InDatasetSchema(LearnedSchema schema, ConversionTarget target)
    {
        if (_dataset is null)
        {
            return (schema.Columns, []);
        }

        var nullOnly = schema.Columns.Where(c => !schema.Seen.SawValue(schema.Names.IndexOf(c.Name))).Select(c => c.Name)
            .ToHashSet(StringComparer.Ordinal);
        var (merged, changes) = _dataset.Merge(schema.Columns, nullOnly);
        target.SchemaChanges.AddRange(changes);
        var columns = merged;
        return (columns, columns.Select(c => c.Name).Where(n => !schema.Names.Contains(n)).ToArray());
    }

    /// <summary>Where a conversion's records go: the source's key, and the entry whose outputs they replace.</summary>
    private sealed record ConversionTarget(string Key, SourceIdentity Identity, string Fingerprint, LedgerEntry? Previous)
    {
        /// <summary>What this conversion widened in the dataset's schema, over all its passes.</summary>
        public List<string> SchemaChanges { get; } = [];

        public LedgerEntry Entry(SourceFile source, IReadOnlyList<string> outputs, long rows, long badLines, DateTime convertedAtUtc,
            string content) =>
            new(source.Path, source.Length, source.LastWriteTimeUtc, Fingerprint, outputs, rows, badLines, convertedAtUtc,
                Key, Identity.Stream, Identity.Period, Identity.HeadHash, Identity.HeadLength, content);
    }
}
