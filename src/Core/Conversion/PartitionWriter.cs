using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// Builds one output Parquet file: rows are buffered per column, written a row group at a time, and the file is
/// written under a hidden temporary name in its partition folder. <see cref="Complete"/> flushes it to disk;
/// <see cref="Publish"/> renames it into place. Until then readers of the dataset cannot see it.
/// </summary>
internal sealed class PartitionWriter : IDisposable
{
    private readonly EncoderLane _lane;
    private ColumnBuffer[] _buffers;
    private ColumnBuffer[]? _spare;
    private readonly ParquetSchema _schema;
    private readonly ParquetOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly bool _checkValues;
    private FileStream? _file;
    private ParquetWriter? _writer;
    private FileMetaData? _footer;
    private bool _completed;

    /// <param name="checkValues">Whether a value may not fit its column, so each record is checked before any of it
    /// is added. Only a given schema allows that: inferred columns fit every value they were inferred from.</param>
    /// <param name="folder">The partition folder, relative to the destination.</param>
    public PartitionWriter(string folder, string finalPath, IReadOnlyList<ColumnSpec> columns, ParquetOptions options, EncoderLane lane,
        bool checkValues, bool dictionary, CancellationToken cancellationToken)
    {
        Folder = folder;
        FinalPath = finalPath;
        TempPath = Durable.TempPathFor(finalPath);
        _lane = lane;
        _buffers = columns.Select(ColumnBuffer.For).ToArray();
        _schema = new ParquetSchema(_buffers.Select(b => b.SchemaField).ToArray());
        _options = options;
        foreach (var buffer in _buffers)
        {
            buffer.Dictionaries = dictionary;
        }

        _checkValues = checkValues;
        _cancellationToken = cancellationToken;
    }

    /// <summary>What one buffered cell costs, about: a nullable value or a slice, and its share of the spare set.</summary>
    internal const int CellBytes = 24;

    public string Folder { get; }

    public string FinalPath { get; }

    public string TempPath { get; }

    /// <summary>Rows held in memory, not yet in a row group.</summary>
    public int BufferedRows { get; private set; }

    /// <summary>What <see cref="BufferedRows"/> hold in memory, roughly: their lines' length plus a cell per column (a
    /// null costs its slot too), so the bound holds in bytes whatever the shape, a thousand sparse columns included.</summary>
    public long BufferedBytes { get; private set; }

    public long Rows { get; private set; }

    /// <summary>Row groups handed to the encoder lane so far.</summary>
    public int RowGroups { get; private set; }

    public long Length { get; private set; }

    /// <summary>Rows written whose time field was not a time (dated by the file name); recorded in the footer under
    /// <see cref="BadTimesKey"/> so a check of the file alone can tell.</summary>
    public long BadTimes { get; set; }

    public const string BadTimesKey = "pipelineops.bad_times";

    /// <summary>Adds a record. <paramref name="fieldOfColumn"/> maps each column to its slot in
    /// <paramref name="values"/>; columns the record lacks get nulls.</summary>
    /// <exception cref="InvalidDataException">A value does not fit its column; nothing was added.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(ReadOnlySpan<byte> line, ReadOnlySpan<FieldValue> values, ReadOnlySpan<int> fieldOfColumn)
    {
        if (_checkValues)
        {
            for (var i = 0; i < _buffers.Length; i++)
            {
                _buffers[i].Check(values[fieldOfColumn[i]]);
            }
        }

        for (var i = 0; i < _buffers.Length; i++)
        {
            _buffers[i].Append(line, values[fieldOfColumn[i]]);
        }

        BufferedRows++;
        BufferedBytes += line.Length + _buffers.Length * CellBytes;
        Rows++;
    }

    /// <summary>Hands the buffered rows to the encoder lane as one row group and keeps filling a fresh set of buffers.</summary>
    public void FlushRowGroup()
    {
        if (BufferedRows == 0)
        {
            return;
        }

        if (_writer is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(TempPath)!);
            _file = new FileStream(TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
            _writer = ParquetWriter.CreateAsync(_schema, _file, _options, append: false, _cancellationToken).GetAwaiter().GetResult();
            _footer = WriterFooter.Of(_writer);
        }

        var full = _buffers;
        foreach (var buffer in full)
        {
            buffer.Prepare(); // while the lane still encodes the previous row group
        }

        var (writer, file) = (_writer, _file!);
        _lane.Run(() =>
        {
            using var rowGroup = writer.CreateRowGroup();
            var target = new ChunkTarget(file, rowGroup, _lane.Chunks, _cancellationToken);
            foreach (var buffer in full)
            {
                buffer.Write(target);
                buffer.Clear();
            }
        });

        // The lane has drained the job before this one, so the spare set is free again.
        _buffers = _spare ?? full.Select(b => b.Sibling()).ToArray();
        _spare = full;
        BufferedRows = 0;
        BufferedBytes = 0;
        RowGroups++;
    }

    /// <summary>Writes what is left and the footer, and flushes the file to disk.</summary>
    public void Complete()
    {
        FlushRowGroup();
        _lane.Drain();
        if (BadTimes > 0)
        {
            _writer!.CustomMetadata = new Dictionary<string, string> { [BadTimesKey] = BadTimes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        }

        _writer!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _writer = null;
        _file!.Flush(flushToDisk: true);
        Length = _file.Length;
        _file.Dispose();
        _file = null;
        _completed = true;
    }

    /// <summary>Renames the completed file into place (replacing an earlier version atomically).</summary>
    public void Publish()
    {
        if (!_completed)
        {
            throw new InvalidOperationException("Complete the file before publishing it.");
        }

        Durable.Publish(TempPath, FinalPath);
    }

    /// <summary>Drops an unpublished file.</summary>
    public void Dispose()
    {
        try
        {
            _lane.Drain();
            _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Abandoning the file anyway; the failure itself was reported where it happened.
        }

        _file?.Dispose();
        if (File.Exists(TempPath))
        {
            File.Delete(TempPath);
        }
    }
}
