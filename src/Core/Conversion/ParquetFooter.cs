using System.Buffers.Binary;

namespace PipelineOps.Conversion;

/// <summary>A file that is Parquet with modular encryption: it cannot be read without its keys.</summary>
public sealed class EncryptedParquetException(string message) : IOException(message);

/// <summary>One schema element as the footer declares it.</summary>
/// <param name="Type">Physical type (0 BOOLEAN ... 7 FIXED_LEN_BYTE_ARRAY), null for groups.</param>
/// <param name="Repetition">0 REQUIRED, 1 OPTIONAL, 2 REPEATED; null for the root.</param>
/// <param name="LogicalType">The LogicalType union's field id (17 GEOMETRY, 18 GEOGRAPHY, 3 LIST ...), or null.</param>
public sealed record ParquetSchemaNode(string Name, int? Type, int? Repetition, int Children, int? ConvertedType, int? LogicalType);

/// <summary>One column chunk's declared sizes and encodings.</summary>
public sealed record ParquetColumnChunk(string Path, int Type, int Codec, IReadOnlyList<int> Encodings, long Values,
    long UncompressedBytes, long CompressedBytes, long DataPageOffset, long? DictionaryPageOffset)
{
    /// <summary>Where the chunk's first page starts.</summary>
    public long Start => DictionaryPageOffset is > 0 and var d && d < DataPageOffset ? d : DataPageOffset;
}

public sealed record ParquetRowGroupInfo(long Rows, IReadOnlyList<ParquetColumnChunk> Columns);

/// <summary>
/// Parquet's footer read with a minimal Thrift compact reader, for what Parquet.Net trusts without checking: the
/// footer's length, row counts, the column chunks' offsets and sizes, and (with <see cref="CheckPages"/>) each page
/// header's sizes. Every size is checked against the file and a memory budget before anything is decoded, so a file of
/// a few kilobytes that declares gigabytes is refused instead of allocated.
/// </summary>
public sealed record ParquetFooter(long Rows, IReadOnlyList<ParquetSchemaNode> Schema, IReadOnlyList<ParquetRowGroupInfo> RowGroups, bool EncryptedColumns)
{
    private const int Magic = 4;

    /// <summary>Reads and checks the footer of <paramref name="file"/> (a seekable stream; its position is kept).</summary>
    /// <exception cref="EncryptedParquetException">The file is encrypted.</exception>
    /// <exception cref="InvalidDataException">Not Parquet, or a declared size does not fit the file or the budget.</exception>
    public static ParquetFooter Read(Stream file, long maxFooterBytes)
    {
        var position = file.Position;
        try
        {
            return ReadAt(file, maxFooterBytes);
        }
        finally
        {
            file.Position = position;
        }
    }

    private static ParquetFooter ReadAt(Stream file, long maxFooterBytes)
    {
        var length = file.Length;
        if (length < 12)
        {
            throw new InvalidDataException($"not a Parquet file: {length} bytes is too short for one");
        }

        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(head);
        file.Position = length - 8;
        file.ReadExactly(tail);
        if (tail[4..].SequenceEqual("PARE"u8) || head.SequenceEqual("PARE"u8))
        {
            throw new EncryptedParquetException("encrypted Parquet (its footer is encrypted, magic PARE): it cannot be read without its keys");
        }

        if (!head.SequenceEqual("PAR1"u8) || !tail[4..].SequenceEqual("PAR1"u8))
        {
            throw new InvalidDataException($"not a Parquet file: it begins {Convert.ToHexString(head)} and ends {Convert.ToHexString(tail[4..])}, not PAR1");
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > length - 12)
        {
            throw new InvalidDataException($"the footer declares {footerLength} bytes in a file of {length}");
        }

        if (footerLength > maxFooterBytes)
        {
            throw new InvalidDataException($"the footer declares {footerLength} bytes, over the {maxFooterBytes}-byte budget");
        }

        var footer = new byte[footerLength];
        file.Position = length - 8 - footerLength;
        file.ReadExactly(footer);
        var parsed = Parse(footer);
        parsed.CheckAgainst(length - 8 - footerLength);
        return parsed;
    }

    private static ParquetFooter Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftCompactReader(bytes);
        var schema = new List<ParquetSchemaNode>();
        var groups = new List<ParquetRowGroupInfo>();
        long rows = 0;
        var encrypted = false;
        short last = 0;
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (2, ThriftCompactReader.List):
                {
                    var (_, count) = reader.ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        schema.Add(ReadSchemaElement(ref reader));
                    }

                    break;
                }

                case (3, ThriftCompactReader.I64):
                    rows = reader.ReadI64();
                    break;
                case (4, ThriftCompactReader.List):
                {
                    var (_, count) = reader.ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        groups.Add(ReadRowGroup(ref reader, ref encrypted));
                    }

                    break;
                }

                case (8, _):
                    encrypted = true; // encryption_algorithm: a plaintext footer over encrypted columns
                    reader.Skip(field.Type);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }

        return new ParquetFooter(rows, schema, groups, encrypted);
    }

    private static ParquetSchemaNode ReadSchemaElement(ref ThriftCompactReader reader)
    {
        int? type = null, repetition = null, converted = null, logical = null;
        var children = 0;
        var name = "";
        short last = 0;
        reader.Enter();
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (1, ThriftCompactReader.I32): type = reader.ReadI32(); break;
                case (3, ThriftCompactReader.I32): repetition = reader.ReadI32(); break;
                case (4, ThriftCompactReader.Binary): name = reader.ReadString(); break;
                case (5, ThriftCompactReader.I32): children = reader.ReadI32(); break;
                case (6, ThriftCompactReader.I32): converted = reader.ReadI32(); break;
                case (10, ThriftCompactReader.Struct): logical = ReadUnionId(ref reader); break;
                default: reader.Skip(field.Type); break;
            }
        }

        reader.Leave();
        return new ParquetSchemaNode(name, type, repetition, children, converted, logical);
    }

    /// <summary>A Thrift union is a struct with one field set: its id says which.</summary>
    private static int? ReadUnionId(ref ThriftCompactReader reader)
    {
        int? id = null;
        short last = 0;
        reader.Enter();
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            id ??= field.Id;
            reader.Skip(field.Type);
        }

        reader.Leave();
        return id;
    }

    private static ParquetRowGroupInfo ReadRowGroup(ref ThriftCompactReader reader, ref bool encrypted)
    {
        var columns = new List<ParquetColumnChunk>();
        long rows = 0;
        short last = 0;
        reader.Enter();
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (1, ThriftCompactReader.List):
                {
                    var (_, count) = reader.ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        if (ReadColumnChunk(ref reader, ref encrypted) is { } column)
                        {
                            columns.Add(column);
                        }
                    }

                    break;
                }

                case (3, ThriftCompactReader.I64):
                    rows = reader.ReadI64();
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }

        reader.Leave();
        return new ParquetRowGroupInfo(rows, columns);
    }

    private static ParquetColumnChunk? ReadColumnChunk(ref ThriftCompactReader reader, ref bool encrypted)
    {
        ParquetColumnChunk? chunk = null;
        short last = 0;
        reader.Enter();
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (1, ThriftCompactReader.Binary):
                    reader.Skip(field.Type);
                    throw new NotSupportedException("column chunks stored in other files (file_path)");
                case (3, ThriftCompactReader.Struct):
                    chunk = ReadColumnMetaData(ref reader);
                    break;
                case (8 or 9, _):
                    encrypted = true; // crypto_metadata, encrypted_column_metadata
                    reader.Skip(field.Type);
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }

        reader.Leave();
        return chunk;
    }

    private static ParquetColumnChunk ReadColumnMetaData(ref ThriftCompactReader reader)
    {
        int type = -1, codec = 0;
        var encodings = new List<int>();
        var path = new List<string>();
        long values = 0, uncompressed = 0, compressed = 0, data = 0;
        long? dictionary = null;
        short last = 0;
        reader.Enter();
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (1, ThriftCompactReader.I32): type = reader.ReadI32(); break;
                case (2, ThriftCompactReader.List):
                {
                    var (element, count) = reader.ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        if (element == ThriftCompactReader.I32)
                        {
                            encodings.Add(reader.ReadI32());
                        }
                        else
                        {
                            reader.Skip(element);
                        }
                    }

                    break;
                }

                case (3, ThriftCompactReader.List):
                {
                    var (element, count) = reader.ReadListHeader();
                    for (var i = 0; i < count; i++)
                    {
                        if (element == ThriftCompactReader.Binary)
                        {
                            path.Add(reader.ReadString());
                        }
                        else
                        {
                            reader.Skip(element);
                        }
                    }

                    break;
                }

                case (4, ThriftCompactReader.I32): codec = reader.ReadI32(); break;
                case (5, ThriftCompactReader.I64): values = reader.ReadI64(); break;
                case (6, ThriftCompactReader.I64): uncompressed = reader.ReadI64(); break;
                case (7, ThriftCompactReader.I64): compressed = reader.ReadI64(); break;
                case (9, ThriftCompactReader.I64): data = reader.ReadI64(); break;
                case (11, ThriftCompactReader.I64): dictionary = reader.ReadI64(); break;
                default: reader.Skip(field.Type); break;
            }
        }

        reader.Leave();
        return new ParquetColumnChunk(string.Join('.', path), type, codec, encodings, values, uncompressed, compressed, data, dictionary);
    }

    /// <summary>Every declared size fits the file: row counts are not negative, column chunks lie between the
    /// leading magic and the footer.</summary>
    private void CheckAgainst(long dataEnd)
    {
        if (Schema.Count == 0)
        {
            throw new InvalidDataException("the footer declares no schema");
        }

        if (Rows < 0)
        {
            throw new InvalidDataException($"the footer declares {Rows} rows");
        }

        long total = 0;
        for (var g = 0; g < RowGroups.Count; g++)
        {
            var group = RowGroups[g];
            if (group.Rows < 0 || (total += group.Rows) < 0)
            {
                throw new InvalidDataException($"row group {g} declares {group.Rows} rows");
            }

            foreach (var column in group.Columns)
            {
                if (column.CompressedBytes < 0 || column.UncompressedBytes < 0 || column.Values < 0
                    || column.Start < Magic || column.Start > dataEnd || column.CompressedBytes > dataEnd - column.Start)
                {
                    throw new InvalidDataException($"row group {g}, column {column.Path}: declares {column.CompressedBytes} bytes at offset " +
                                                   $"{column.Start}, outside the file's {dataEnd} bytes of data");
                }
            }
        }
    }

    /// <summary>The column chunks of row groups <paramref name="rowGroups"/> declare no more memory than
    /// <paramref name="maxMemoryBytes"/>, and (reading each page header) no page declares more, or runs past its chunk.</summary>
    /// <exception cref="OverBudgetException">A declared size is over the budget.</exception>
    /// <exception cref="InvalidDataException">A declared size does not fit the file.</exception>
    public void CheckPages(Stream file, IEnumerable<int> rowGroups, long maxMemoryBytes, CancellationToken cancellationToken = default)
    {
        var position = file.Position;
        try
        {
            foreach (var g in rowGroups)
            {
                foreach (var column in RowGroups[g].Columns)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (column.UncompressedBytes > maxMemoryBytes)
                    {
                        throw new OverBudgetException($"row group {g}, column {column.Path}: declares {column.UncompressedBytes} bytes uncompressed, " +
                                                      $"over the {maxMemoryBytes}-byte memory budget");
                    }

                    CheckChunkPages(file, g, column, maxMemoryBytes);
                }
            }
        }
        finally
        {
            file.Position = position;
        }
    }

    private const int MaxHeaderBytes = 16 << 20;

    private static void CheckChunkPages(Stream file, int group, ParquetColumnChunk column, long maxMemoryBytes)
    {
        var at = column.Start;
        var end = column.Start + column.CompressedBytes;
        var buffer = new byte[(int)Math.Min(Math.Max(end - at, 1), 64 << 10)];
        while (at < end)
        {
            var available = (int)Math.Min(buffer.Length, end - at);
            file.Position = at;
            file.ReadExactly(buffer, 0, available);
            int headerLength, uncompressed, compressed;
            try
            {
                (headerLength, uncompressed, compressed) = ReadPageHeader(buffer.AsSpan(0, available));
            }
            catch (EndOfStreamException) when (available == buffer.Length && buffer.Length < MaxHeaderBytes)
            {
                buffer = new byte[(int)Math.Min(buffer.Length * 4L, MaxHeaderBytes)]; // a header with large statistics
                continue;
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException)
            {
                throw new InvalidDataException($"row group {group}, column {column.Path}: the page header at offset {at} cannot be read ({e.Message})", e);
            }

            if (uncompressed < 0 || compressed < 0 || compressed > end - at - headerLength)
            {
                throw new InvalidDataException($"row group {group}, column {column.Path}: the page at offset {at} declares {compressed} bytes " +
                                               $"({uncompressed} uncompressed), more than its column chunk holds");
            }

            if (uncompressed > maxMemoryBytes)
            {
                throw new OverBudgetException($"row group {group}, column {column.Path}: the page at offset {at} declares {uncompressed} bytes " +
                                              $"uncompressed, over the {maxMemoryBytes}-byte memory budget");
            }

            at += headerLength + compressed;
        }
    }

    /// <summary>A page header's own length and its declared uncompressed and compressed sizes.</summary>
    private static (int Length, int Uncompressed, int Compressed) ReadPageHeader(ReadOnlySpan<byte> bytes)
    {
        var reader = new ThriftCompactReader(bytes);
        int uncompressed = -1, compressed = -1;
        short last = 0;
        while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
        {
            switch (field)
            {
                case (2, ThriftCompactReader.I32): uncompressed = reader.ReadI32(); break;
                case (3, ThriftCompactReader.I32): compressed = reader.ReadI32(); break;
                default: reader.Skip(field.Type); break;
            }
        }

        return (reader.Position, uncompressed, compressed);
    }

    /// <summary>Page types seen in row group <paramref name="group"/>'s column <paramref name="column"/> (0 data page v1,
    /// 2 dictionary, 3 data page v2), read from the page headers; empty when they cannot be read.</summary>
    public ISet<int> PageTypes(Stream file, int group, int column)
    {
        var types = new HashSet<int>();
        var chunk = RowGroups[group].Columns[column];
        var position = file.Position;
        try
        {
            var at = chunk.Start;
            var end = chunk.Start + chunk.CompressedBytes;
            var buffer = new byte[64 << 10];
            while (at < end && types.Count < 4)
            {
                var available = (int)Math.Min(buffer.Length, end - at);
                file.Position = at;
                file.ReadExactly(buffer, 0, available);
                var reader = new ThriftCompactReader(buffer.AsSpan(0, available));
                int type = -1, compressed = -1;
                short last = 0;
                while (reader.ReadField(ref last) is { Type: not ThriftCompactReader.Stop } field)
                {
                    switch (field)
                    {
                        case (1, ThriftCompactReader.I32): type = reader.ReadI32(); break;
                        case (3, ThriftCompactReader.I32): compressed = reader.ReadI32(); break;
                        default: reader.Skip(field.Type); break;
                    }
                }

                types.Add(type);
                if (compressed < 0)
                {
                    break;
                }

                at += reader.Position + compressed;
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or OverflowException or IOException)
        {
            // What was read so far is what is known.
        }
        finally
        {
            file.Position = position;
        }

        return types;
    }
}

/// <summary>A declared size is over the memory budget: the file may be valid, but is not decoded here.</summary>
public sealed class OverBudgetException(string message) : IOException(message);
