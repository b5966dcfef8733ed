using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;
using PipelineOps.Files;
using PipelineOps.IO;
using PipelineOps.Text;

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

    /// <summary>The most distinct fields (columns) a source may have: each column costs buffers and a chunk in every
    /// row group, so a file of ever-new keys fails with a clear reason instead of exhausting memory.</summary>
    public const int MaxColumns = 4096;

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
    private static readonly string TooManyColumns =
        $"more than {MaxColumns:N0} distinct fields: a column each would not fit the memory bound; give the records fewer keys (e.g. an object of key-value pairs under one field)";

    private LearnedSchema ReadColumns(SourceFile source, IProgress<ConversionProgress>? progress, CancellationToken cancellationToken,
        long? headBytes)
    {
        var headOnly = headBytes is { } limit && (source.IsGzip || source.Length > limit);
        var ranges = headOnly ? [(0L, source.Length)] : source.LineAlignedRanges(Environment.ProcessorCount);
        var positions = new long[ranges.Count];
        var parsers = new RecordParser[ranges.Count];
        var inferences = new SchemaInference[ranges.Count];
        try
        {
        Parallel.For(0, ranges.Count, new ParallelOptions { CancellationToken = cancellationToken }, part =>
        {
            var parser = parsers[part] = new RecordParser(null, _options.TimeField, TextFields(), GivenTimeFields()) { MaterializeStrings = false, TimeZone = _options.TimeZone };
            var inference = inferences[part] = new SchemaInference();
            var (start, end) = ranges[part];
            using var stream = headOnly ? new LengthLimitedStream(source.Open(), headBytes!.Value)
                : ranges.Count == 1 ? source.Open() : source.OpenRange(start, end);
            var timeIndex = -1; // looked up until the time field first appears; a field's index never changes after
            ForEachRecord(stream, source, parser, cancellationToken, onBad: null,
                onRecord: (line, _, _) =>
                {
                    if (parser.Names.Count > MaxColumns)
                    {
                        throw new ConversionFailedException(TooManyColumns, 0, null);
                    }

                    inference.Observe(line, parser.Values, parser.Present,
                        timeIndex >= 0 ? timeIndex : timeIndex = parser.IndexOf(_options.TimeField));
                },
                onPosition: (position, records) =>
                {
                    Interlocked.Exchange(ref positions[part], position);
                    progress?.Report(new ConversionProgress(source.Path, 1, positions.Sum(), source.IsGzip ? null : source.Length, 0));
                });
        });
        }
        catch (AggregateException e) when (e.InnerExceptions is [ConversionFailedException failed])
        {
            throw failed; // the source's own failure (damaged gzip, CR line endings), not the parallel loop's wrapper
        }

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
        if (columns.Count > MaxColumns)
        {
            throw new ConversionFailedException(TooManyColumns, 0, null);
        }

        var guessed = !schema.Complete;
        var (dataColumns, datasetOnly) = InDatasetSchema(schema, target);
        var written = WithPartitionValues(dataColumns, names);
        var known = names.Concat(datasetOnly).ToList();
        known.AddRange(_options.PartitionBy.Where(f => !known.Contains(f))); // a partition field no record has: its column is null
        var parser = new RecordParser(known, _options.TimeField, TextFields(), GivenTimeFields()) { MaterializeStrings = false, TimeZone = _options.TimeZone };
        var fieldOfColumn = dataColumns.Select(c => parser.IndexOf(c.Name)).Concat(_options.PartitionBy.Select(parser.IndexOf)).ToArray();
        var datasetOnlyFields = datasetOnly.Select(parser.IndexOf).ToArray();
        var partitionFields = _options.PartitionBy.Select(parser.IndexOf).ToArray();
        var timeIndex = parser.IndexOf(_options.TimeField);
        var fallbackDate = FileNameStamp.TryParse(Path.GetFileName(source.Path))?.Start.Date;
        var outputName = OutputName(source, target.Key);
        var writers = new Dictionary<string, PartitionWriter>(StringComparer.Ordinal);
        using var lane = new EncoderLane(new ChunkWriter(new PageCompressor(_parquet.CompressionMethod, _parquet.CompressionLevel)));
        // Held in memory across all partitions: rows, and the bytes of their lines.
        var budget = Math.Max(_options.RowGroupSize, 1) * 2L;
        // A file's first row group is smaller, so the encoder lane starts (and warms up) while the rest is parsed.
        var firstRowGroupSize = Math.Min(_options.RowGroupSize, FirstRowGroupRows);
        var byteBudget = Math.Max(_options.RowGroupBytes, 1) * 2L;
        long buffered = 0, bufferedBytes = 0, rows = 0, badLines = 0, badTimes = 0;
        var cellBytes = written.Count * PartitionWriter.CellBytes; // as PartitionWriter counts a row's memory
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
            var (torn, filtered) = ForEachRecord(stream, source, parser, cancellationToken,
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
                onRecord: [MethodImpl(MethodImplOptions.AggressiveOptimization)] (line, number, offset) =>
                {
                    var values = parser.Values;
                    if (guessed && (parser.UnknownFields > 0 || HasAny(values, datasetOnlyFields)
                        || (seen.Observe(line, values, parser.Present, timeIndex) && !ColumnSpec.SameSchema(ColumnsOf(seen, names), columns))))
                    {
                        throw new SchemaChangedException();
                    }

                    if (fieldOfColumn.Length == 0)
                    {
                        // No column at all in the whole source: Parquet cannot hold a row without one.
                        throw new InvalidDataException("no fields to write: the source has no field besides its partition fields");
                    }

                    var badTime = timeIndex >= 0 && ConversionResult.IsUnreadableTime(values[timeIndex]);
                    if (badTime)
                    {
                        badTimes++; // counted and reported on the result
                        if (_options.BadTimePolicy == BadTimePolicy.Quarantine)
                        {
                            quarantine.Add(number, offset, line.Length, line, $"'{_options.TimeField}' is not a time (-BadTimePolicy Quarantine)");
                            return;
                        }
                    }

                    var folder = PartitionFolder(line, values, timeIndex, partitionFields, fallbackDate, ref lastDay);
                    // Consecutive records of a day share the very same folder string: no lookup for them.
                    if (lastWriter is not { } writer || !ReferenceEquals(folder, writer.Folder))
                    {
                        if (!writers.TryGetValue(folder, out writer))
                        {
                            writers[folder] = writer = new PartitionWriter(folder, Path.Combine(_options.Destination, folder, outputName), written,
                                _parquet, lane, checkValues: _options.Schema.Count > 0, _options.DictionaryEncoding, cancellationToken);
                        }

                        lastWriter = writer;
                    }

                    writer.Append(line, values, fieldOfColumn);
                    if (badTime)
                    {
                        writer.BadTimes++; // dated by the file name: the file says so in its footer
                    }

                    rows++;
                    buffered++;
                    bufferedBytes += line.Length + cellBytes;
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
            if (source.IsLink)
            {
                reason = (reason is null ? "" : reason + "; ") + "read through a symbolic link (its target's length, time and content)";
            }

            return ConversionResult.Settled(new ConversionResult(source.Path, outputs, rows, badLines, torn, source.Length,
                writers.Values.Sum(w => w.Length), _clock.GetElapsedTime(started), ConversionStatus.Converted, reason)
            {
                RejectsFile = rejects, Filtered = filtered, BadTimes = badTimes,
                BadTimeDate = _options.BadTimePolicy == BadTimePolicy.FileDate ? fallbackDate : null, BadTimePolicy = _options.BadTimePolicy, Warnings = ShadowedFields(columns),
                SchemaChanges = target.SchemaChanges.Distinct().ToArray(),
            }, _options.TimeField);
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

    /// <summary>The data columns, then one text column per -PartitionBy field with its exact value
    /// (<see cref="HivePartition.ValueColumn"/>): the folder name is escaped or shortened, the column is not.</summary>
    private IReadOnlyList<ColumnSpec> WithPartitionValues(IReadOnlyList<ColumnSpec> columns, List<string> names)
    {
        var stored = _options.PartitionBy.Select(f => new ColumnSpec(HivePartition.ValueColumn(f), ColumnKind.String)).ToArray();
        if (stored.FirstOrDefault(c => names.Contains(c.Name) || columns.Any(d => d.Name == c.Name)) is { } clash)
        {
            throw new ConversionFailedException(
                $"the records have a field '{clash.Name}', the name under which the exact -PartitionBy value is kept; rename the field first", 0, null);
        }

        return [.. columns, .. stored];
    }

    /// <summary>Fields named like a partition key (only date= can be: -PartitionBy fields become folders, not columns).
    /// Readers with Hive partitioning take the folder's value for them, so the stored values read back as the day.</summary>
    private static string[] ShadowedFields(IReadOnlyList<ColumnSpec> columns) =>
        columns.Any(c => c.Name == "date")
            ? ["the records have a field 'date', which the date= partition folders shadow when read with Hive partitioning " +
               "(DuckDB's hive_partitioning = true shows the folder's day); read it with hive_partitioning = false, or " +
               "rename the field before converting (see about_PipelineOps)"]
            : [];

    /// <summary>Fields whose text the converter reads itself: the partition fields, and the type field when there is a
    /// type filter. Only these become strings for every record.</summary>
    private HashSet<string> TextFields() =>
        new([.. _options.TypeFilter.Count > 0 ? [_options.TypeField] : Array.Empty<string>(), .. _options.PartitionBy], StringComparer.Ordinal);

    /// <summary>True when a record has any of the given fields (here: fields only the dataset's schema knows).</summary>
    private static bool HasAny(ReadOnlySpan<FieldValue> values, int[] fields)
    {
        foreach (var field in fields)
        {
            if (values[field].Kind != ValueKind.Missing)
            {
                return true;
            }
        }

        return false;
    }

    private string PartitionFolder(ReadOnlySpan<byte> line, ReadOnlySpan<FieldValue> values, int timeIndex, int[] partitionFields, DateTime? fallbackDate,
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
                _ => RecordParser.RawText(line, values[field]), // 42, true, 1e400: the value's own JSON text
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

    private delegate void RecordHandler(ReadOnlySpan<byte> line, long number, long offset);

    /// <summary>Streams complete lines. Torn: the content ends in an incomplete line (left out).
    /// Filtered: records left out by the type filter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (bool Torn, long Filtered) ForEachRecord(Stream stream, SourceFile source, RecordParser parser, CancellationToken cancellationToken,
        BadLineHandler? onBad, RecordHandler onRecord, Action<long, long> onPosition)
    {
        long records = 0, filtered = 0;
        var torn = false;
        var gzip = source.IsGzip;
        var reader = new LineReader(stream, _options.MaxLineBytes) { ReturnUnterminated = true };
        try
        {
            while (reader.TryRead(out var line))
            {
                if (line.Unterminated)
                {
                    // After the last newline: a record if it is one whole object, else the torn tail of a cut write.
                    if (!line.TooLong && !JsonLineRules.IsBlank(line.Bytes) && parser.TryParse(line.Bytes)
                        && !(_options.TypeFilter.Count > 0 && !TypeMatches(parser, parser.IndexOf(_options.TypeField))))
                    {
                        onRecord(line.Bytes, line.Number, line.Offset);
                        records++;
                    }
                    else if (line.Number == 1 && LoneCarriageReturn(line.Bytes) is var cr && cr)
                    {
                        throw new ConversionFailedException(
                            "the lines end in a carriage return only (CR, not LF or CRLF); convert the line endings to LF first", 0, null);
                    }
                    else
                    {
                        torn = !JsonLineRules.IsBlank(line.Bytes) || line.TooLong;
                    }

                    continue;
                }

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

                if (JsonLineRules.IsBlank(line.Bytes))
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
                    onRecord(line.Bytes, line.Number, line.Offset);
                    records++;
                }
                catch (InvalidDataException e)
                {
                    onBad?.Invoke(line.Number, line.Offset, line.Length, line.Bytes, e.Message);
                }
            }
        }
        catch (GzipTrailingDataException e)
        {
            throw new ConversionFailedException(
                $"{e.Message} ({source.Length - e.Offset:N0} bytes; the file was damaged or appended to): nothing of it was converted", 0, null);
        }
        catch (InvalidDataException e) when (gzip)
        {
            // A stream that simply ends early reads as a torn tail above; an error is damage, not truncation: what was
            // decoded before it may already be wrong, so nothing of the source is published.
            throw new ConversionFailedException(
                reader.Position == 0 ? $"not gzip data, or damaged at its start ({e.Message})" : $"damaged gzip data after {reader.Position:N0} decompressed bytes ({e.Message})",
                0, null);
        }

        if (gzip && reader.Position == 0 && source.GzipProblemWhenEmpty() is { } problem)
        {
            throw new ConversionFailedException(problem, 0, null);
        }

        onPosition(reader.Position, records);
        return (torn, filtered);
    }

    /// <summary>Whether a carriage return stands alone (not before a line feed) in the bytes.</summary>
    private static bool LoneCarriageReturn(ReadOnlySpan<byte> bytes)
    {
        var cr = bytes.IndexOf((byte)'\r');
        return cr >= 0 && (cr + 1 == bytes.Length || bytes[cr + 1] != (byte)'\n');
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
