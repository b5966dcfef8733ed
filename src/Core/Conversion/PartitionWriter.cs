using Parquet;
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
    private readonly ColumnBuffer[] _buffers;
    private readonly ParquetSchema _schema;
    private readonly ParquetOptions _options;
    private readonly CancellationToken _cancellationToken;
    private FileStream? _file;
    private ParquetWriter? _writer;
    private bool _completed;

    public PartitionWriter(string finalPath, IReadOnlyList<ColumnSpec> columns, ParquetOptions options, CancellationToken cancellationToken)
    {
        FinalPath = finalPath;
        TempPath = Durable.TempPathFor(finalPath);
        _buffers = columns.Select(ColumnBuffer.For).ToArray();
        _schema = new ParquetSchema(_buffers.Select(b => (Field)b.Field).ToArray());
        _options = options;
        _cancellationToken = cancellationToken;
    }

    public string FinalPath { get; }

    public string TempPath { get; }

    /// <summary>Rows held in memory, not yet in a row group.</summary>
    public int BufferedRows { get; private set; }

    public long Rows { get; private set; }

    public long Length { get; private set; }

    /// <summary>Adds a record. <paramref name="fieldOfColumn"/> maps each column to its slot in
    /// <paramref name="values"/>; columns the record lacks get nulls.</summary>
    /// <exception cref="InvalidDataException">A value does not fit its column; nothing was added.</exception>
    public void Append(ReadOnlySpan<byte> line, ReadOnlySpan<FieldValue> values, ReadOnlySpan<int> fieldOfColumn)
    {
        for (var i = 0; i < _buffers.Length; i++)
        {
            _buffers[i].Check(values[fieldOfColumn[i]]);
        }

        for (var i = 0; i < _buffers.Length; i++)
        {
            _buffers[i].Append(line, values[fieldOfColumn[i]]);
        }

        BufferedRows++;
        Rows++;
    }

    /// <summary>Writes the buffered rows as one row group.</summary>
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
        }

        using (var rowGroup = _writer.CreateRowGroup())
        {
            foreach (var buffer in _buffers)
            {
                buffer.WriteAsync(rowGroup, _cancellationToken).GetAwaiter().GetResult();
                buffer.Clear();
            }
        }

        BufferedRows = 0;
    }

    /// <summary>Writes what is left and the footer, and flushes the file to disk.</summary>
    public void Complete()
    {
        FlushRowGroup();
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
            _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidOperationException)
        {
            // Abandoning the file anyway.
        }

        _file?.Dispose();
        if (File.Exists(TempPath))
        {
            File.Delete(TempPath);
        }
    }
}
