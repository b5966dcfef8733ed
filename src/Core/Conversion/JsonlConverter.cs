using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;
using PipelineOps.Files;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Converts one JSON-lines source into Parquet files under the destination, one per partition.
/// Pass 1 reads every record to learn the columns (no field is ever dropped); pass 2 writes. Outputs are written
/// under temporary names, flushed to disk and renamed into place only when the whole source is done; then the
/// ledger entry is appended. A crash at any point leaves either the previous outputs or the new ones, never a
/// partial file, and the next run converts the source again.
/// </summary>
public sealed partial class JsonlConverter
{
    private const int ProgressEveryLines = 1 << 16;

    /// <summary>The most rows a file's first row group holds.</summary>
    public const int FirstRowGroupRows = 10_000;

    private readonly ConversionOptions _options;
    private readonly ConversionLedger _ledger;
    private readonly ParquetOptions _parquet;
    private readonly TimeProvider _clock;
    private readonly DatasetSchema? _dataset;

    /// <param name="schema">The dataset's schema, which every file is written in; null: each file in its own columns.</param>
    public JsonlConverter(ConversionOptions options, ConversionLedger ledger, TimeProvider? clock = null, DatasetSchema? schema = null)
    {
        _options = options;
        _ledger = ledger;
        _dataset = schema;
        _clock = clock ?? TimeProvider.System;
        _parquet = new ParquetOptions
        {
            CompressionMethod = options.Compression switch
            {
                ParquetCompression.Zstd => CompressionMethod.Zstd,
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.Lz4 => CompressionMethod.Lz4Raw,
                ParquetCompression.None => CompressionMethod.None,
                _ => CompressionMethod.Snappy,
            },
            // Set explicitly: the library's default zstd level is many times slower than Fastest.
            CompressionLevel = options.CompressionLevel,
        };
    }

    /// <summary>The name of a source's output in each partition folder: its stem and a short hash of its key.</summary>
    public static string OutputName(SourceFile source, string sourceKey) => $"part-{source.Stem}-{SourceIdentity.OutputHash(sourceKey)}.parquet";

    public ConversionResult Convert(string path, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = _clock.GetTimestamp();
        SourceFile source;
        try
        {
            source = SourceFile.Measure(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(path, 0, e.Message, started);
        }

        try
        {
            var fingerprint = source.Fingerprint();
            var atPath = _ledger.Find(source.Path);
            if (!_options.Force && IsUpToDate(atPath, source, fingerprint))
            {
                return UpToDate(source, NoteIdentity(atPath!, source), started,
                    "unchanged since it was converted " + atPath!.ConvertedAtUtc.ToString("u", CultureInfo.InvariantCulture));
            }

            var identity = SourceIdentity.Of(source);
            var key = atPath?.SourceKey ?? _ledger.FindSource(identity)?.SourceKey ?? identity.Key;
            lock (SourceLock(key))
            {
                return Convert(source, fingerprint, atPath, identity, key, progress, started, cancellationToken);
            }
        }
        catch (ConversionFailedException e)
        {
            return Failed(source.Path, source.Length, e.Message, started) with { BadLines = e.BadLines, RejectsFile = e.RejectsFile };
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // One source's failure never ends the batch: it becomes that source's result.
            return Failed(source.Path, source.Length, e.Message, started);
        }
    }

    /// <summary>Converts a source known by <paramref name="key"/>, unless the same records were converted under another
    /// name; its outputs replace those of the source's previous conversion, under whatever name that was.</summary>
    private ConversionResult Convert(SourceFile source, string fingerprint, LedgerEntry? atPath, SourceIdentity identity, string key,
        IProgress<ConversionProgress>? progress, long started, CancellationToken cancellationToken)
    {
        var previous = _ledger.Latest(key);
        if (!_options.Force && SameRecordsElsewhere(atPath, previous, source) is { } same)
        {
            _ledger.Record(same with
            {
                Source = source.Path, Size = source.Length, LastWriteTimeUtc = source.LastWriteTimeUtc, Fingerprint = fingerprint,
            });
            return UpToDate(source, same, started, $"the same records as {same.Source}, converted "
                + same.ConvertedAtUtc.ToString("u", CultureInfo.InvariantCulture));
        }

        var target = new ConversionTarget(key, identity, fingerprint, previous);
        var schema = ReadColumns(source, progress, cancellationToken, _options.HeadBytes);
        if (!schema.Complete)
        {
            try
            {
                return Write(source, schema, target, progress, started, cancellationToken);
            }
            catch (SchemaChangedException)
            {
                // The head did not show every field or kind: learn them from the whole file, then write again.
                schema = ReadColumns(source, progress, cancellationToken, headBytes: null);
            }
        }

        return Write(source, schema, target, progress, started, cancellationToken);
    }

    private bool IsUpToDate(LedgerEntry? previous, SourceFile source, string fingerprint) =>
        previous is not null
        && previous.Size == source.Length
        && previous.LastWriteTimeUtc == source.LastWriteTimeUtc
        && previous.Fingerprint == fingerprint
        && previous.Outputs.All(o => File.Exists(Absolute(o)));

    private ConversionResult Failed(string source, long length, string reason, long started) =>
        new(source, [], 0, 0, false, length, 0, _clock.GetElapsedTime(started), ConversionStatus.Failed, reason);

    private string Absolute(string relative) => Path.Combine(_options.Destination, relative.Replace('/', Path.DirectorySeparatorChar));

    private string Relative(string absolute) => Path.GetRelativePath(_options.Destination, absolute).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>
    /// Columns learned from the records that will be written, typed by <see cref="SchemaInference"/>. With
    /// <paramref name="headBytes"/>, only the start of a larger file is read: a guess that the write pass checks
    /// record by record. Otherwise every record is read (no field is ever dropped); plain files in line-aligned
    /// ranges on all cores, whose findings merge in file order, so columns still come in order of first appearance.
    /// </summary>
    private LearnedSchema ReadColumns(SourceFile source, IProgress<ConversionProgress>? progress, CancellationToken cancellationToken,
        long? headBytes)
    {
        var headOnly = headBytes is { } limit && (source.IsGzip || source.Length > limit);
        var ranges = headOnly ? [(0L, source.Length)] : source.LineAlignedRanges(Environment.ProcessorCount);
        var positions = new long[ranges.Count];
        var parsers = new RecordParser[ranges.Count];
        var inferences = new SchemaInference[ranges.Count];
        Parallel.For(0, ranges.Count, new ParallelOptions { CancellationToken = cancellationToken }, part =>
        {
            var parser = parsers[part] = new RecordParser(null, _options.TimeField, TextFields(), GivenTimeFields()) { MaterializeStrings = false, TimeZone = _options.TimeZone };
            var inference = inferences[part] = new SchemaInference();
            var (start, end) = ranges[part];
            using var stream = headOnly ? new LengthLimitedStream(source.Open(), headBytes!.Value)
                : ranges.Count == 1 ? source.Open() : source.OpenRange(start, end);
            var timeIndex = -1; // looked up until the time field first appears; a field's index never changes after
            ForEachRecord(stream, source.IsGzip, parser, cancellationToken, onBad: null,
                onRecord: (line, _) => inference.Observe(line, parser.Values, parser.Present,
                    timeIndex >= 0 ? timeIndex : timeIndex = parser.IndexOf(_options.TimeField)),
                onPosition: (position, records) =>
                {
                    Interlocked.Exchange(ref positions[part], position);
                    progress?.Report(new ConversionProgress(source.Path, 1, positions.Sum(), source.IsGzip ? null : source.Length, 0));
                });
        });

        var names = parsers[0].Names.ToList();
        for (var part = 1; part < ranges.Count; part++)
        {
            inferences[0].Merge(inferences[part], parsers[part].Names, names);
        }

        // A head read that ended before its limit saw the whole content (a small .gz file): no guess to check.
        var complete = !headOnly || positions[0] < headBytes;
        return new LearnedSchema(names, ColumnsOf(inferences[0], names), inferences[0], complete);
    }

    /// <summary>The columns written for what an inference saw: the given schema applied, partition fields left out.</summary>
    private IReadOnlyList<ColumnSpec> ColumnsOf(SchemaInference inference, List<string> names)
    {
        var inferred = inference.Columns(names, names.IndexOf(_options.TimeField));
        return ApplyGivenSchema(inferred, names)
            .Where(c => !_options.PartitionBy.Contains(c.Name, StringComparer.Ordinal)).ToArray();
    }

    /// <summary>Given types win over inferred ones; with a given order, given fields come first (even ones the data
    /// never has, as all-null columns) and the rest follow in order of appearance.</summary>
    private IEnumerable<ColumnSpec> ApplyGivenSchema(IReadOnlyList<ColumnSpec> inferred, List<string> names)
    {
        var given = _options.Schema;
        if (given.Count == 0)
        {
            return inferred;
        }

        foreach (var name in given.Keys.Where(n => !names.Contains(n)))
        {
            names.Add(name); // so pass 2 knows the field
        }

        var typed = inferred.Select(c => given.TryGetValue(c.Name, out var kind) ? c with { Kind = kind } : c).ToList();
        typed.AddRange(given.Keys.Where(n => typed.All(c => c.Name != n)).Select(n => new ColumnSpec(n, given[n])));
        return _options.SchemaOrderGiven
            ? given.Keys.Select(n => typed.First(c => c.Name == n)).Concat(typed.Where(c => !given.ContainsKey(c.Name)))
            : typed;
    }

    /// <summary>Timestamp columns of the given schema other than the time field: their values are parsed as times.</summary>
    private HashSet<string> GivenTimeFields() =>
        new(_options.Schema.Where(p => p.Value == ColumnKind.Timestamp).Select(p => p.Key), StringComparer.Ordinal);

    /// <summary>
    /// Pass 2: writes the records with the learned columns. When the columns are a guess from the file's head, each
    /// record is checked against it first: a field the head did not have, or a value that changes what the inference
    /// makes of a column, ends this pass with <see cref="SchemaChangedException"/> before anything is published.
    /// </summary>
    private ConversionResult Write(SourceFile source, LearnedSchema schema, ConversionTarget target,
        IProgress<ConversionProgress>? progress, long started, CancellationToken cancellationToken)
    {
        var (names, columns, seen) = (schema.Names, schema.Columns, schema.Seen);
        var guessed = !schema.Complete;
        var (written, datasetOnly) = InDatasetSchema(schema, target);
        var parser = new RecordParser(names.Concat(datasetOnly), _options.TimeField, TextFields(), GivenTimeFields()) { MaterializeStrings = false, TimeZone = _options.TimeZone };
        var fieldOfColumn = written.Select(c => parser.IndexOf(c.Name)).ToArray();
        var datasetOnlyFields = datasetOnly.Select(parser.IndexOf).ToArray();
        var partitionFields = _options.PartitionBy.Select(parser.IndexOf).ToArray();
        var timeIndex = parser.IndexOf(_options.TimeField);
        var fallbackDate = FileNameStamp.TryParse(Path.GetFileName(source.Path))?.Start.Date;
        var outputName = OutputName(source, target.Key);
        var writers = new Dictionary<string, PartitionWriter>(StringComparer.Ordinal);
        var lane = new EncoderLane();
        // Held in memory across all partitions: rows, and the bytes of their lines.
        var budget = Math.Max(_options.RowGroupSize, 1) * 2L;
        // A file's first row group is smaller, so the encoder lane starts (and warms up) while the rest is parsed.
        var firstRowGroupSize = Math.Min(_options.RowGroupSize, FirstRowGroupRows);
        var byteBudget = Math.Max(_options.RowGroupBytes, 1) * 2L;
        long buffered = 0, bufferedBytes = 0, rows = 0, badLines = 0;
        (DateTime? Day, string Folder) lastDay = default;
        PartitionWriter? lastWriter = null;
        using var quarantine = new Quarantine(_options.Destination, source.BaseName, source.Path);

        void Flush(PartitionWriter writer)
        {
            buffered -= writer.BufferedRows;
            bufferedBytes -= writer.BufferedBytes;
            writer.FlushRowGroup();
        }

        try
        {
            using var stream = new ContentTap(source.Open());
            var (torn, filtered) = ForEachRecord(stream, source.IsGzip, parser, cancellationToken,
                onBad: (number, offset, length, bytes, error) =>
                {
                    badLines++;
                    if (_options.BadLinePolicy == BadLinePolicy.Fail)
                    {
                        throw new ConversionFailedException($"line {number}: {error}", badLines, null);
                    }

                    if (_options.BadLinePolicy == BadLinePolicy.Quarantine)
                    {
                        quarantine.Add(number, offset, length, bytes, error);
                    }

                    if (badLines > _options.MaxBadLines)
                    {
                        throw new ConversionFailedException(
                            $"more than {_options.MaxBadLines} bad lines (the last at line {number}: {error})", badLines, null);
                    }
                },
                onRecord: [MethodImpl(MethodImplOptions.AggressiveOptimization)] (line, number) =>
                {
                    var values = parser.Values;
                    if (guessed && (parser.UnknownFields > 0 || HasAny(values, datasetOnlyFields)
                        || (seen.Observe(line, values, parser.Present, timeIndex) && !ColumnSpec.SameSchema(ColumnsOf(seen, names), columns))))
                    {
                        throw new SchemaChangedException();
                    }

                    if (!HasAny(values, fieldOfColumn))
                    {
                        // Nothing to write: an all-null row would misrepresent it.
                        throw new InvalidDataException("empty object: no fields to write");
                    }

                    var folder = PartitionFolder(values, timeIndex, partitionFields, fallbackDate, ref lastDay);
                    // Consecutive records of a day share the very same folder string: no lookup for them.
                    if (lastWriter is not { } writer || !ReferenceEquals(folder, writer.Folder))
                    {
                        if (!writers.TryGetValue(folder, out writer))
                        {
                            writers[folder] = writer = new PartitionWriter(folder, Path.Combine(_options.Destination, folder, outputName), written,
                                _parquet, lane, checkValues: _options.Schema.Count > 0, cancellationToken);
                        }

                        lastWriter = writer;
                    }

                    writer.Append(line, values, fieldOfColumn);
                    rows++;
                    buffered++;
                    bufferedBytes += line.Length;
                    if (writer.BufferedRows >= (writer.RowGroups == 0 ? firstRowGroupSize : _options.RowGroupSize)
                        || writer.BufferedBytes >= _options.RowGroupBytes)
                    {
                        Flush(writer);
                    }
                    else if (buffered > budget)
                    {
                        // Too many partitions open at once: write the biggest buffer out as a smaller row group.
                        Flush(writers.Values.MaxBy(w => w.BufferedRows)!);
                    }
                    else if (bufferedBytes > byteBudget)
                    {
                        Flush(writers.Values.MaxBy(w => w.BufferedBytes)!);
                    }
                },
                onPosition: (position, records) =>
                    progress?.Report(new ConversionProgress(source.Path, 2, position, source.IsGzip ? null : source.Length, records)));

            foreach (var writer in writers.Values)
            {
                writer.Complete();
            }

            if (_options.Validate)
            {
                foreach (var writer in writers.Values)
                {
                    OutputValidator.Check(writer.TempPath, writer.Rows, written, _options.TimeField);
                }
            }

            foreach (var writer in writers.Values)
            {
                writer.Publish();
            }

            var rejects = quarantine.Publish();
            var outputs = writers.Values.Select(w => w.FinalPath).Order(StringComparer.Ordinal).ToArray();
            RemoveStaleOutputs(target.Previous, outputs);
            _ledger.Record(target.Entry(source, outputs.Select(Relative).ToArray(), rows, badLines, _clock.GetUtcNow().UtcDateTime,
                stream.Fingerprint));

            var reason = torn ? "the last line is incomplete (torn tail) and was left out" : null;
            return new ConversionResult(source.Path, outputs, rows, badLines, torn, source.Length, writers.Values.Sum(w => w.Length),
                _clock.GetElapsedTime(started), ConversionStatus.Converted, reason)
            {
                RejectsFile = rejects, Filtered = filtered, SchemaChanges = target.SchemaChanges.Distinct().ToArray(),
            };
        }
        catch (ConversionFailedException e) when (e.RejectsFile is null && _options.BadLinePolicy == BadLinePolicy.Quarantine)
        {
            throw new ConversionFailedException(e.Message, e.BadLines, quarantine.Publish());
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                writer.Dispose(); // removes anything not published
            }
        }
    }

    /// <summary>Fields whose text the converter reads itself: the partition fields, and the type field when there is a
    /// type filter. Only these become strings for every record.</summary>
    private HashSet<string> TextFields() =>
        new([.. _options.TypeFilter.Count > 0 ? [_options.TypeField] : Array.Empty<string>(), .. _options.PartitionBy], StringComparer.Ordinal);

    private static bool HasAny(ReadOnlySpan<FieldValue> values, int[] fieldOfColumn)
    {
        foreach (var field in fieldOfColumn)
        {
            if (values[field].Kind != ValueKind.Missing)
            {
                return true;
            }
        }

        return false;
    }

    private string PartitionFolder(ReadOnlySpan<FieldValue> values, int timeIndex, int[] partitionFields, DateTime? fallbackDate,
        ref (DateTime? Day, string Folder) lastDay)
    {
        var day = (timeIndex >= 0 ? values[timeIndex].Time : null)?.Date ?? fallbackDate;
        if (lastDay.Folder is null || day != lastDay.Day)
        {
            lastDay = (day, "date=" + HivePartition.Date(day)); // records come in time order: formatted once per day
        }

        var folder = lastDay.Folder;
        for (var i = 0; i < partitionFields.Length; i++)
        {
            var field = partitionFields[i];
            var text = field >= 0 ? values[field].Kind switch
            {
                ValueKind.String => values[field].Text,
                ValueKind.Missing or ValueKind.Null => null,
                _ => values[field].Kind.ToString(),
            } : null;
            folder += "/" + _options.PartitionBy[i] + "=" + HivePartition.Escape(text);
        }

        return folder;
    }

    private void RemoveStaleOutputs(LedgerEntry? previous, IReadOnlyCollection<string> outputs)
    {
        if (previous is null)
        {
            return;
        }

        foreach (var old in previous.Outputs.Select(Absolute).Except(outputs, StringComparer.Ordinal))
        {
            if (File.Exists(old))
            {
                File.Delete(old);
            }
        }
    }

    private delegate void BadLineHandler(long number, long offset, long length, ReadOnlySpan<byte> bytes, string error);

    private delegate void RecordHandler(ReadOnlySpan<byte> line, long number);

    /// <summary>Streams complete lines. Torn: the content ends in an incomplete line (left out).
    /// Filtered: records left out by the type filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (bool Torn, long Filtered) ForEachRecord(Stream stream, bool gzip, RecordParser parser, CancellationToken cancellationToken,
        BadLineHandler? onBad, RecordHandler onRecord, Action<long, long> onPosition)
    {
        long records = 0, filtered = 0;
        var reader = new LineReader(stream, _options.MaxLineBytes);
        try
        {
            while (reader.TryRead(out var line))
            {
                if (line.Number % ProgressEveryLines == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    onPosition(reader.Position, records);
                }

                if (line.TooLong)
                {
                    onBad?.Invoke(line.Number, line.Offset, line.Length, default,
                        $"line too long ({line.Length:N0} bytes; the limit is {_options.MaxLineBytes:N0})");
                    continue;
                }

                if (IsBlank(line.Bytes))
                {
                    continue;
                }

                if (!parser.TryParse(line.Bytes))
                {
                    onBad?.Invoke(line.Number, line.Offset, line.Length, line.Bytes, parser.Error!);
                    continue;
                }

                if (_options.TypeFilter.Count > 0 && !TypeMatches(parser, parser.IndexOf(_options.TypeField)))
                {
                    filtered++;
                    continue;
                }

                try
                {
                    onRecord(line.Bytes, line.Number);
                    records++;
                }
                catch (InvalidDataException e)
                {
                    onBad?.Invoke(line.Number, line.Offset, line.Length, line.Bytes, e.Message);
                }
            }
        }
        catch (Exception e) when (gzip && e is InvalidDataException or EndOfStreamException)
        {
            return (true, filtered); // a gzip stream cut short: everything before the cut was read
        }

        onPosition(reader.Position, records);
        return (reader.TornTailBytes > 0, filtered);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }

    private bool TypeMatches(RecordParser parser, int typeIndex)
    {
        if (typeIndex < 0)
        {
            return false;
        }

        var value = parser.Values[typeIndex];
        return value.Kind == ValueKind.String && _options.TypeFilter.Contains(value.Text!);
    }
}

/// <summary>The columns guessed from a file's head do not fit a later record.</summary>
internal sealed class SchemaChangedException() : Exception("the records have fields or kinds their file's head did not show");

/// <summary>Columns learned from a source: from every record (Complete) or from its head only.</summary>
internal sealed record LearnedSchema(List<string> Names, IReadOnlyList<ColumnSpec> Columns, SchemaInference Seen, bool Complete);

/// <summary>A source that must not be published (bad-line policy or limit).</summary>
internal sealed class ConversionFailedException(string message, long badLines, string? rejectsFile) : Exception(message)
{
    public long BadLines { get; } = badLines;

    public string? RejectsFile { get; } = rejectsFile;
}
